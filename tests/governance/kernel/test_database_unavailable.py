"""An unreachable database is a 503 with a reason and Retry-After, never a bare 500.

The real outage (the PostgreSQL server stopped and started under gunicorn) is in
tests/faults/test_faults.py; this checks the answer's shape on both kinds of path.
"""

import json

import pytest
from django.db import OperationalError

from governance.kernel.middleware import DatabaseUnavailableMiddleware

# The middleware drops unusable connections, which touches the connection handler.
pytestmark = pytest.mark.django_db


def handle(rf, path, exception):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    return middleware.process_exception(rf.get(path), exception)


def test_api_gets_json_503_with_retry_after(rf):
    response = handle(rf, "/api/v1/models/", OperationalError("connection refused"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert json.loads(response.content)["error"]["code"] == "database_unavailable"


def test_pages_get_a_plain_503(rf):
    response = handle(rf, "/systems/", OperationalError("server closed the connection"))
    assert response.status_code == 503
    assert b"database cannot be reached" in response.content


def test_other_errors_are_left_to_the_normal_handlers(rf):
    assert handle(rf, "/api/v1/models/", ValueError("bug")) is None
