"""Session timeouts, password sign-in switched off, and the audit events of signing in."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from governance.kernel.accounts.sessions import SESSION_SEEN, SESSION_STARTED
from governance.kernel.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def password_client(user) -> Client:
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


def test_signing_in_and_out_and_failing_are_audit_events(scientist):
    Client().post("/login/", {"username": scientist.username, "password": "wrong-password"})
    failed = AuditEvent.objects.get(action="auth.sign_in_failed")
    assert failed.payload["username"] == scientist.username
    assert failed.payload["method"] == "password"
    client = password_client(scientist)
    signed_in = AuditEvent.objects.get(action="auth.signed_in")
    assert signed_in.actor_id == scientist.pk and signed_in.payload["method"] == "password"
    client.post("/logout/")
    assert AuditEvent.objects.filter(action="auth.signed_out", actor_id=scientist.pk).exists()


@pytest.mark.parametrize(
    ("key", "age", "setting"),
    [(SESSION_SEEN, 31 * 60, "idle"), (SESSION_STARTED, 9 * 3600, "absolute")],
)
def test_sessions_end_when_idle_or_too_old(scientist, settings, key, age, setting):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    settings.SESSION_ABSOLUTE_TIMEOUT = 8 * 3600
    client = password_client(scientist)
    assert client.get("/").status_code == 200
    session = client.session
    session[key] = time.time() - age
    if key == SESSION_STARTED:
        session[SESSION_SEEN] = time.time()  # active all along, but signed in too long ago
    session.save()
    response = client.get("/review-queue/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    assert client.get("/").status_code == 302
    event = AuditEvent.objects.get(action="auth.session_expired")
    assert event.payload == {"reason": setting}


def test_an_active_session_is_kept(scientist, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client = password_client(scientist)
    session = client.session
    session[SESSION_SEEN] = time.time() - 29 * 60
    session.save()
    assert client.get("/").status_code == 200
    assert client.session[SESSION_SEEN] > time.time() - 60


def test_passwords_switched_off_except_for_break_glass(admin_user, scientist, settings):
    settings.LOCAL_PASSWORD_LOGIN = False
    settings.BREAK_GLASS_USERNAMES = [admin_user.username]
    refused = Client().post("/login/", {"username": scientist.username, "password": PASSWORD})
    assert refused.status_code == 200 and b"Wrong username or password" in refused.content
    token = Client().post(
        "/api/v1/auth/token/",
        {"username": scientist.username, "password": PASSWORD, "name": "x"},
        content_type="application/json",
    )
    assert token.status_code == 401
    password_client(admin_user)  # the break-glass account still signs in
    page = Client().get("/login/")
    assert b"Break-glass sign-in" not in page.content  # single sign-on is not configured here
