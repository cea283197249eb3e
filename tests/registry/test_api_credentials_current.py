"""Every API request reads its token, user and teams afresh: a change to any of them holds
from the very next request made with the same token, on the three registry calls (read a
version, list a model's versions, register a version), and reading them costs one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from governance.kernel.accounts.models import Role
from governance.kernel.accounts.services import (
    api_token_authenticate,
    api_token_issue,
    api_token_revoke,
)
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db


def _client(user) -> tuple[APIClient, object]:
    issued = api_token_issue(user=user, name="ci")
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {issued.raw}"), issued


def _calls(client, model, model_version, xgb_json_bytes, label):
    return {
        "read": client.get(f"/api/v1/model-versions/{model_version.pk}/").status_code,
        "list": client.get(f"/api/v1/models/{model.pk}/versions/?limit=25").status_code,
        "register": client.post(
            f"/api/v1/models/{model.pk}/versions/",
            {"version": label, "artefact": upload("m.json", xgb_json_bytes)},
            format="multipart",
        ).status_code,
    }


def test_revoking_a_token_refuses_its_next_request(scientist, model, model_version, xgb_json_bytes):
    client, issued = _client(scientist)
    assert _calls(client, model, model_version, xgb_json_bytes, "2.0") == {
        "read": 200,
        "list": 200,
        "register": 201,
    }
    api_token_revoke(token=issued.token, actor=scientist)
    assert _calls(client, model, model_version, xgb_json_bytes, "2.1") == {
        "read": 401,
        "list": 401,
        "register": 401,
    }


def test_deactivating_the_user_refuses_the_next_request(scientist, model, model_version):
    client, _ = _client(scientist)
    assert client.get(f"/api/v1/model-versions/{model_version.pk}/").status_code == 200
    scientist.is_active = False
    scientist.save()
    response = client.get(f"/api/v1/model-versions/{model_version.pk}/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "user_inactive"


def test_leaving_the_team_hides_its_models_at_the_next_request(
    scientist, team, other_team, model, model_version, xgb_json_bytes
):
    client, _ = _client(scientist)
    assert _calls(client, model, model_version, xgb_json_bytes, "3.0")["read"] == 200
    scientist.teams.remove(team)
    scientist.teams.add(other_team)
    assert _calls(client, model, model_version, xgb_json_bytes, "3.1") == {
        "read": 404,
        "list": 404,
        "register": 404,
    }
    # And joining it again shows them again, at once.
    scientist.teams.add(team)
    assert _calls(client, model, model_version, xgb_json_bytes, "3.2") == {
        "read": 200,
        "list": 200,
        "register": 201,
    }


def test_a_role_change_holds_from_the_next_request(scientist, model, model_version, xgb_json_bytes):
    client, _ = _client(scientist)
    assert _calls(client, model, model_version, xgb_json_bytes, "4.0")["register"] == 201
    scientist.role = Role.AUDITOR
    scientist.save()
    # An auditor of the team still reads, and may not register.
    assert _calls(client, model, model_version, xgb_json_bytes, "4.1") == {
        "read": 200,
        "list": 200,
        "register": 403,
    }


def test_the_token_its_user_and_teams_are_one_query(scientist, team, other_team):
    scientist.teams.add(other_team)
    issued = api_token_issue(user=scientist, name="ci")
    api_token_authenticate(issued.raw)  # records the first use
    with CaptureQueriesContext(connection) as queries:
        token = api_token_authenticate(issued.raw)
        assert token.user == scientist
        assert sorted(token.user.team_ids()) == sorted([team.pk, other_team.pk])
        assert token.user.role == scientist.role and token.user.is_active
    assert len(queries) == 1, [q["sql"] for q in queries]
    # What the query gives is what the ORM gives.
    assert token.expires_at == issued.token.expires_at
    assert token.user.date_joined == scientist.date_joined


def test_a_user_without_teams_has_none(officer):
    officer.teams.clear()
    issued = api_token_issue(user=officer, name="ci")
    assert api_token_authenticate(issued.raw).user.team_ids() == []
