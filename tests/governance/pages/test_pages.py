"""Login, logout, role-aware navigation and the profile page's API tokens."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from governance.kernel.accounts.models import ApiToken, User
from governance.kernel.accounts.services import api_token_issue, team_get_or_create
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client: Client, user) -> None:
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content


def test_login_page_renders_with_a_strict_csp():
    response = Client().get("/login/")
    assert response.status_code == 200
    assert b'name="password"' in response.content
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert b"<script>" not in response.content


def test_anonymous_is_sent_to_login():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_wrong_password_shows_an_error(scientist):
    response = Client().post("/login/", {"username": scientist.username, "password": "nope"})
    assert response.status_code == 200
    assert b"Wrong username or password" in response.content


def test_login_is_throttled_after_ten_failures(scientist):
    client = Client()
    for _ in range(10):
        client.post("/login/", {"username": scientist.username, "password": "nope"})
    blocked = client.post("/login/", {"username": scientist.username, "password": PASSWORD})
    assert blocked.status_code == 429
    assert b"Too many failed attempts" in blocked.content


@pytest.mark.parametrize(
    "who, sees, hidden",
    [
        ("admin", ["Audit trail", "Dashboard"], []),
        ("auditor", ["Audit trail"], []),
        ("data_scientist", ["Dashboard"], ["Audit trail"]),
        ("compliance_officer", ["Dashboard"], ["Audit trail"]),
    ],
)
def test_navigation_follows_the_role(users, who, sees, hidden):
    client = Client()
    client.force_login(users[who])
    html = client.get("/").content.decode()
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    for label in sees:
        assert label in nav
    for label in hidden:
        assert label not in nav


def test_logout(scientist):
    client = Client()
    login(client, scientist)
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_profile_creates_a_token_shown_once_and_revokes_it(scientist):
    client = Client()
    login(client, scientist)
    created = client.post("/profile/tokens/", {"name": "notebook"})
    assert created.status_code == 200
    raw = re.search(rb'value="(gov_[^"]+)"', created.content).group(1).decode()
    token = ApiToken.objects.get(user=scientist, name="notebook")
    assert raw.encode() not in client.get("/profile/").content

    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me/").status_code == 200
    revoked = client.post(f"/profile/tokens/{token.pk}/revoke/", HTTP_HX_REQUEST="true")
    assert revoked.status_code == 200
    assert b"revoked" in revoked.content
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me/").status_code == 401


def test_cannot_revoke_another_users_token_from_the_profile(scientist, outsider):

    theirs = api_token_issue(user=outsider, name="theirs").token
    client = Client()
    client.force_login(scientist)
    assert client.post(f"/profile/tokens/{theirs.pk}/revoke/").status_code == 404


def test_profile_forms_need_csrf(scientist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(scientist)
    assert client.post("/profile/tokens/", {"name": "x"}).status_code == 403


def test_healthz():
    assert Client().get("/healthz/").json() == {"status": "ok"}


def test_management_commands(capsys):

    call_command(
        "create_user",
        "carol",
        "--role",
        "auditor",
        "--team",
        "Risk",
        "--password",
        "a-long-password-1",
    )
    call_command("issue_api_token", "carol")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    me = APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me/").json()
    assert me["role"] == "auditor" and me["teams"] == ["risk"]

    with pytest.raises(CommandError):
        call_command("create_user", "carol", "--role", "auditor")
    with pytest.raises(CommandError):
        call_command("issue_api_token", "nobody")


def test_seed_demo_is_idempotent(capsys):

    call_command("seed_demo", "--users-only")
    call_command("seed_demo", "--users-only")
    assert (
        User.objects.filter(username__in=["admin", "compliance", "scientist", "auditor"]).count()
        == 4
    )
    assert "scientist-demo-2026" in capsys.readouterr().out


def test_audit_trail_page_filters_and_verifies(auditor, django_capture_on_commit_callbacks):

    team_get_or_create(name="Fraud", actor=auditor)
    client = Client()
    client.force_login(auditor)
    page = client.get("/audit-trail/", {"action": "team."})
    assert page.status_code == 200
    assert b"team.created" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/audit-trail/verify/")
    assert started.status_code == 302
    status = client.get(started["Location"])
    assert b"intact" in status.content


def test_audit_trail_page_filters_by_who_and_dates_and_exports_the_same(auditor, admin_user):
    admin = admin_user

    team_get_or_create(name="Fraud", actor=auditor)
    team_get_or_create(name="Marketing", actor=admin)
    client = Client()
    client.force_login(auditor)
    today = timezone.now().date()

    mine = client.get("/audit-trail/", {"action": "team.", "actor": auditor.pk})
    assert [e.actor_id for e in mine.context["page"].object_list] == [auditor.pk]
    export = mine.context["export_query"]
    assert f"actor={auditor.pk}" in export and "action=team." in export
    csv_rows = client.get(f"/api/v1/audit-events/export/?{export}").getvalue().decode()
    assert "Fraud" in csv_rows and "Marketing" not in csv_rows

    both = client.get("/audit-trail/", {"action": "team.", "from": today, "to": today})
    assert {e.actor_id for e in both.context["page"].object_list} == {auditor.pk, admin.pk}
    export = both.context["export_query"]
    assert (
        client.get(f"/api/v1/audit-events/export/?{export}")
        .getvalue()
        .decode()
        .count("team.created")
        == 2
    )
    before = client.get("/audit-trail/", {"to": today - timedelta(days=1)})
    assert before.status_code == 200 and len(before.context["page"].object_list) == 0
    after = client.get("/audit-trail/", {"from": today + timedelta(days=1)})
    assert len(after.context["page"].object_list) == 0
    # Impossible or malformed dates and ids are ignored, not errors.
    odd = client.get("/audit-trail/", {"from": "2026-02-30", "to": "soon", "actor": "x"})
    assert odd.status_code == 200 and len(odd.context["page"].object_list) >= 2


@pytest.mark.parametrize("who", ["data_scientist", "compliance_officer"])
def test_audit_trail_page_refused_to_other_roles(users, who):
    client = Client()
    client.force_login(users[who])
    assert client.get("/audit-trail/").status_code == 403
    assert client.post("/audit-trail/verify/").status_code == 403
