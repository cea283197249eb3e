"""Passwords and tokens: validators on every path, changing your own password, tokens that
expire and are revoked with the password, raw tokens never cached."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from governance.kernel.accounts.models import ApiToken, User
from governance.kernel.accounts.services import api_token_issue
from governance.kernel.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WEAK = ["1234567890", "password123", "short"]


@pytest.mark.parametrize("weak", WEAK)
def test_api_user_creation_runs_the_validators(api, users, weak):
    response = api(users["admin"]).post(
        "/api/v1/users/", {"username": "newbie", "role": "auditor", "password": weak}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"weak_password", "invalid"}
    assert not User.objects.filter(username="newbie").exists()


def test_people_form_runs_the_validators(users):
    client = Client()
    client.force_login(users["admin"])
    response = client.post(
        "/people/new/", {"username": "newbie", "role": "auditor", "password": "password123"}
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="newbie").exists()


def test_create_user_command_runs_the_validators(db):
    with pytest.raises(CommandError):
        call_command("create_user", "newbie", "--role", "auditor", "--password", "1234567890")
    assert not User.objects.filter(username="newbie").exists()


def test_changing_your_password_needs_the_old_one_and_revokes_every_token(users):
    me = users["data_scientist"]
    first = api_token_issue(user=me, name="one")
    second = api_token_issue(user=me, name="two")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {first.raw}")
    wrong = client.post(
        "/api/v1/me/password/",
        {"old_password": "not-it", "new_password": "tall-green-ladder-42"},
        format="json",
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "wrong_password"
    weak = client.post(
        "/api/v1/me/password/", {"old_password": PASSWORD, "new_password": "123"}, format="json"
    )
    assert weak.status_code == 400 and weak.json()["error"]["code"] == "weak_password"
    done = client.post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "new_password": "tall-green-ladder-42"},
        format="json",
    )
    assert done.status_code == 204
    me.refresh_from_db()
    assert me.check_password("tall-green-ladder-42")
    assert not ApiToken.objects.filter(user=me, revoked_at__isnull=True).exists()
    gone = APIClient(HTTP_AUTHORIZATION=f"Bearer {second.raw}").get("/api/v1/me/")
    assert gone.status_code == 401 and gone.json()["error"]["code"] == "token_revoked"
    assert AuditEvent.objects.filter(action="user.password_changed").count() == 1
    assert (
        AuditEvent.objects.filter(
            action="api_token.revoked", payload__reason="password_changed"
        ).count()
        >= 2
    )


def test_change_password_page(users):
    me = users["auditor"]
    client = Client()
    client.force_login(me)
    assert client.get("/profile/password/").status_code == 200
    bad = client.post(
        "/profile/password/",
        {"old_password": "nope", "new_password": "x1", "new_password_again": "x1"},
    )
    assert bad.status_code == 400
    new = "quiet-orange-river-77"
    ok = client.post(
        "/profile/password/",
        {"old_password": PASSWORD, "new_password": new, "new_password_again": new},
    )
    assert ok.status_code == 302
    me.refresh_from_db()
    assert me.check_password(new)
    assert client.get("/profile/").status_code == 200  # this session survives


def test_tokens_expire_by_default_and_cannot_outlive_the_maximum(users, settings):
    settings.API_TOKEN_MAX_LIFETIME_DAYS = 30
    me = users["auditor"]
    issued = api_token_issue(user=me, name="default")
    assert issued.token.expires_at is not None
    assert issued.token.expires_at <= timezone.now() + timedelta(days=30, seconds=5)
    client = APIClient()
    too_long = client.post(
        "/api/v1/auth/token/",
        {"username": me.username, "password": PASSWORD, "expires_in_days": 365},
        format="json",
    )
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == "invalid_lifetime"
    short = client.post(
        "/api/v1/auth/token/",
        {"username": me.username, "password": PASSWORD, "expires_in_days": 2},
        format="json",
    )
    assert short.status_code == 201
    assert short["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(pk=short.json()["id"])
    assert token.expires_at <= timezone.now() + timedelta(days=2, seconds=5)


def test_an_expired_token_is_refused_with_a_clear_code(users):
    issued = api_token_issue(user=users["auditor"], name="old")
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now())
    response = APIClient(HTTP_AUTHORIZATION=f"Bearer {issued.raw}").get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"


def test_every_response_with_a_raw_token_is_not_cached(users, api):
    created = api(users["auditor"]).post("/api/v1/tokens/", {"name": "ci"}, format="json")
    assert created.status_code == 201 and created["Cache-Control"] == "no-store"
    client = Client()
    client.force_login(users["auditor"])
    page = client.post("/profile/tokens/", {"name": "laptop"})
    assert page.status_code == 200 and "gov_" in page.content.decode()
    assert page["Cache-Control"] == "no-store"
