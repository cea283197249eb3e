"""List endpoints cost a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding

pytestmark = pytest.mark.django_db


def _rows(model_version, scientist, officer, n: int) -> None:
    for _ in range(n):
        run = CheckRun.objects.create(
            kind="fairness", model_version=model_version, requested_by=scientist
        )
        finding = Finding.objects.create(
            model_version=model_version,
            source="check",
            check_run=run,
            severity="high",
            code="x",
            message="m",
            status="resolved",
            resolved_by=officer,
        )
        assert finding.pk


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["model-versions/{mv}/checks/", "findings/"])
def test_lists_have_a_fixed_query_count(api, scientist, officer, model_version, path):
    client = api(officer)
    url = "/api/v1/" + path.format(mv=model_version.pk)
    _rows(model_version, scientist, officer, 1)
    client.get(url)  # the first request of a token also records its use
    few = _count(client, url)
    _rows(model_version, scientist, officer, 5)
    assert _count(client, url) == few
