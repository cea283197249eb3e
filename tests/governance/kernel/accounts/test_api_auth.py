"""API root, token endpoint, hashed tokens, revocation, role checks and JSON errors."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from governance.kernel.accounts.models import ApiToken, Role
from governance.kernel.accounts.services import api_token_issue, api_token_revoke
from governance.kernel.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ROLES = ["admin", "compliance_officer", "data_scientist", "auditor", "outsider"]


@pytest.mark.parametrize("who", ROLES)
def test_every_role_reaches_the_api_root(users, api, who):
    response = api(users[who]).get("/api/v1/")
    assert response.status_code == 200
    assert response.json()["role"] == users[who].role
    assert "audit-events" in response.json()["links"]


def test_anonymous_gets_a_json_401_with_a_code():
    response = APIClient().get("/api/v1/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("who", ROLES)
def test_every_role_obtains_a_token_with_its_password(users, who):
    user = users[who]
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201, response.content
    raw = response.json()["token"]
    me = APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == user.username


def test_wrong_password_and_missing_fields(scientist):
    client = APIClient()
    wrong = client.post("/api/v1/auth/token/", {"username": scientist.username, "password": "x"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    missing = client.post("/api/v1/auth/token/", {"username": scientist.username}, format="json")
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "invalid"
    assert "password" in missing.json()["error"]["fields"]


def test_token_endpoint_is_throttled(scientist):
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/token/", {"username": scientist.username, "password": "bad"}
        ).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [401] * 10
    assert codes[-1] == 429


def test_tokens_are_stored_only_as_a_hash(scientist):
    issued = api_token_issue(user=scientist, name="ci")
    row = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.raw not in (row.digest, row.prefix, row.name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM governance_apitoken")
        dump = repr(cursor.fetchall())
    assert issued.raw not in dump
    secret_part = issued.raw.rsplit("_", 1)[1]
    assert secret_part not in dump
    events = repr(list(AuditEvent.objects.values_list("payload", flat=True)))
    assert secret_part not in events


def test_revoked_and_expired_tokens_fail(scientist):
    issued = api_token_issue(user=scientist, name="ci")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")
    assert client.get("/api/v1/me/").status_code == 200
    api_token_revoke(token=issued.token, actor=scientist)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_revoked"

    expiring = api_token_issue(user=scientist, name="short", expires_in_days=1)
    ApiToken.objects.filter(pk=expiring.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert (
        APIClient(HTTP_AUTHORIZATION=f"Bearer {expiring.raw}").get("/api/v1/me/").status_code == 401
    )


def test_a_forged_token_with_a_real_prefix_fails(scientist):
    issued = api_token_issue(user=scientist, name="ci")
    forged = issued.raw[:-4] + ("AAAA" if not issued.raw.endswith("AAAA") else "BBBB")
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {forged}").get("/api/v1/me/").status_code == 401
    assert APIClient(HTTP_AUTHORIZATION="Bearer").get("/api/v1/me/").status_code == 401


def test_deactivated_user_token_fails(scientist):
    issued = api_token_issue(user=scientist, name="ci")
    scientist.is_active = False
    scientist.save()
    assert (
        APIClient(HTTP_AUTHORIZATION=f"Bearer {issued.raw}").get("/api/v1/me/").status_code == 401
    )


def test_last_used_is_recorded(scientist):
    issued = api_token_issue(user=scientist, name="ci")
    assert issued.token.last_used_at is None
    APIClient(HTTP_AUTHORIZATION=f"Bearer {issued.raw}").get("/api/v1/me/")
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_token_management_through_the_api(scientist, api):
    client = api(scientist)
    created = client.post("/api/v1/tokens/", {"name": "training job"}, format="json")
    assert created.status_code == 201
    token_id = created.json()["id"]
    listed = client.get("/api/v1/tokens/").json()
    assert all("digest" not in t and "token" not in t for t in listed)
    assert client.delete(f"/api/v1/tokens/{token_id}/").status_code == 204
    raw = created.json()["token"]
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me/").status_code == 401


def test_users_cannot_revoke_someone_elses_token(scientist, outsider, api):
    theirs = api_token_issue(user=outsider, name="theirs")
    response = api(scientist).delete(f"/api/v1/tokens/{theirs.token.pk}/")
    assert response.status_code == 404
    theirs.token.refresh_from_db()
    assert theirs.token.revoked_at is None


@pytest.mark.parametrize("who", ["compliance_officer", "data_scientist", "auditor", "outsider"])
def test_only_admins_manage_users_and_teams(users, api, who):
    client = api(users[who])
    assert client.get("/api/v1/users/").status_code == 403
    assert client.post("/api/v1/users/", {"username": "x", "role": "admin"}).status_code == 403
    assert client.get("/api/v1/teams/").status_code == 403
    assert client.post("/api/v1/teams/", {"name": "Evil"}).status_code == 403
    assert client.patch(f"/api/v1/users/{users[who].pk}/", {"role": "admin"}).status_code == 403


def test_admin_creates_and_updates_users(admin_user, team, api):
    client = api(admin_user)
    created = client.post(
        "/api/v1/users/",
        {
            "username": "newbie",
            "role": Role.AUDITOR,
            "teams": [team.slug],
            "password": "a-long-enough-password",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    dup = client.post("/api/v1/users/", {"username": "NEWBIE", "role": "auditor"}, format="json")
    assert dup.status_code == 400
    bad_role = client.post("/api/v1/users/", {"username": "x2", "role": "god"}, format="json")
    assert bad_role.status_code == 400
    assert "role" in bad_role.json()["error"]["fields"]
    patched = client.patch(
        f"/api/v1/users/{user_id}/", {"role": "compliance_officer"}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["role"] == "compliance_officer"
    assert AuditEvent.objects.filter(action="user.updated", target_id=str(user_id)).exists()
    own = client.patch(f"/api/v1/users/{admin_user.pk}/", {"role": "auditor"}, format="json")
    assert own.status_code == 400


def test_unknown_object_is_a_json_404(admin_user, api):
    response = api(admin_user).get("/api/v1/users/999999/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_schema_and_docs_are_served(scientist, api):
    client = api(scientist)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/auth/token/" in schema.json()["paths"]
    client.force_authenticate(scientist)
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_request_id_is_echoed(scientist, api):
    response = api(scientist).get("/api/v1/me/", HTTP_X_REQUEST_ID="trace-abcdef123")
    assert response["X-Request-ID"] == "trace-abcdef123"
    weird = api(scientist).get("/api/v1/me/", HTTP_X_REQUEST_ID="<script>")
    assert weird["X-Request-ID"] != "<script>"
