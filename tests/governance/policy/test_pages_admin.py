"""Admin pages (people, teams, responsibilities, policies), notifications and the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.models import AuditEvent
from governance.policy.notifications.models import Notification
from governance.policy.policies.forms import PolicyForm
from governance.policy.policies.models import Policy
from governance.policy.raci.models import Raci, Responsibility
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_URLS = ["/people/", "/people/new/", "/responsibilities/", "/policies/", "/policies/minimal/"]


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["compliance_officer", "data_scientist", "auditor"])
def test_admin_pages_are_refused_to_other_roles(users, who, admin_user):
    client = as_user(users[who])
    for url in [*ADMIN_URLS, f"/people/{admin_user.pk}/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"Not allowed" in response.content
    assert client.post("/people/teams/", {"name": "Sneaky"}).status_code == 403


def test_admin_pages_render_with_nav_entries(admin_user):
    client = as_user(admin_user)
    for url in ADMIN_URLS:
        assert client.get(url).status_code == 200, url
    nav = client.get("/").content.decode()
    for label in ("People", "Policies", "Review queue"):
        assert f">{label}</a>" in nav


def test_admin_creates_a_user_with_teams(admin_user, team):
    response = as_user(admin_user).post(
        "/people/new/",
        {
            "username": "dora",
            "role": Role.AUDITOR,
            "teams": [team.pk],
            "password": "a-long-enough-password",
            "email": "dora@example.org",
        },
    )
    assert response.status_code == 302
    dora = User.objects.get(username="dora")
    assert dora.role == Role.AUDITOR and list(dora.teams.all()) == [team]
    assert dora.check_password("a-long-enough-password")
    assert AuditEvent.objects.filter(action="user.created", target_id=str(dora.pk)).exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"username": "admin1", "role": "auditor"}, b"is taken"),
        ({"username": "x y", "role": "auditor"}, b"Letters, digits"),
        ({"username": "eve", "role": "overlord"}, b"Select a valid choice"),
        ({"username": "eve", "role": "auditor", "password": "short"}, b"at least 10"),
    ],
)
def test_bad_user_input_is_a_friendly_400(admin_user, data, message):
    response = as_user(admin_user).post("/people/new/", data)
    assert response.status_code == 400
    assert message in response.content
    assert not User.objects.filter(username="eve").exists()


def test_admin_changes_role_teams_and_active(admin_user, scientist, other_team):
    response = as_user(admin_user).post(
        f"/people/{scientist.pk}/",
        {"role": Role.COMPLIANCE_OFFICER, "teams": [other_team.pk], "is_active": ""},
    )
    assert response.status_code == 302
    scientist.refresh_from_db()
    assert scientist.role == Role.COMPLIANCE_OFFICER and not scientist.is_active
    assert list(scientist.teams.all()) == [other_team]
    event = AuditEvent.objects.get(action="user.updated", target_id=str(scientist.pk))
    assert set(event.payload) == {"role", "is_active", "teams"}


def test_admin_cannot_lock_themselves_out(admin_user, team):
    response = as_user(admin_user).post(
        f"/people/{admin_user.pk}/", {"role": Role.AUDITOR, "teams": [team.pk], "is_active": ""}
    )
    assert response.status_code == 400
    assert b"cannot remove your own admin role" in response.content
    assert b"cannot deactivate yourself" in response.content
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN and admin_user.is_active


def test_admin_creates_a_team_and_a_duplicate_is_refused(admin_user):
    client = as_user(admin_user)
    assert client.post("/people/teams/", {"name": "Fraud"}).status_code == 302
    again = client.post("/people/teams/", {"name": "fraud"})
    assert again.status_code == 400 and b"exists" in again.content


def test_admin_assigns_and_ends_an_accountable_owner(admin_user, scientist, system):
    client = as_user(admin_user)
    page = client.get("/responsibilities/").content.decode()
    assert f'value="system:{system.pk}"' in page
    response = client.post(
        "/responsibilities/",
        {"user": scientist.pk, "role": Raci.ACCOUNTABLE, "target": f"system:{system.pk}"},
    )
    assert response.status_code == 302
    r = Responsibility.objects.get(user=scientist, system=system, role=Raci.ACCOUNTABLE)
    assert r.ends_at is None
    assert scientist.username in client.get("/responsibilities/").content.decode()
    assert client.post(f"/responsibilities/{r.pk}/end/").status_code == 302
    r.refresh_from_db()
    assert r.ends_at is not None and r.ends_at <= timezone.now()
    assert AuditEvent.objects.filter(action="responsibility.ended").exists()


def test_assignment_with_an_end_date(admin_user, officer, model):
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = as_user(admin_user).post(
        "/responsibilities/",
        {"user": officer.pk, "role": Raci.CONSULTED, "target": f"model:{model.pk}", "ends_at": day},
    )
    assert response.status_code == 302
    r = Responsibility.objects.get(model=model)
    assert timezone.localdate(r.ends_at).isoformat() == day


@pytest.mark.parametrize(
    "data, message",
    [
        ({"role": "accountable", "target": "system:999999"}, b"Select a valid choice"),
        ({"role": "boss", "target": "SYSTEM"}, b"Select a valid choice"),
        ({"role": "accountable", "target": "SYSTEM", "ends_at": "2001-01-01"}, b"in the future"),
        ({"role": "accountable", "target": "SYSTEM", "user": "AUDITOR"}, b"Auditors only read"),
    ],
)
def test_bad_responsibility_input_is_a_friendly_400(
    admin_user, officer, auditor, system, data, message
):
    data = {"user": officer.pk, **data}
    if data["target"] == "SYSTEM":
        data["target"] = f"system:{system.pk}"
    if data["user"] == "AUDITOR":
        data["user"] = auditor.pk
    response = as_user(admin_user).post("/responsibilities/", data)
    assert response.status_code == 400
    assert message in response.content
    assert not Responsibility.objects.exists()


def test_policy_edit_is_audited_and_bumps_the_version(admin_user):
    policy = Policy.objects.get(tier="limited")
    before = policy.version
    client = as_user(admin_user)
    form = client.get("/policies/limited/").content.decode()
    assert 'value="fairness"' in form and "checked" in form
    applicability = {
        name: value
        for name, value in PolicyForm.initial_from(policy).items()
        if name.startswith("a__")
    }
    response = client.post(
        "/policies/limited/",
        {
            **applicability,
            "submittable": "on",
            "required_checks": ["fairness", "performance"],
            "t__fairness__demographic_parity_difference": "0.05",
            "approvals_required": 1,
            "approver_roles": ["compliance_officer"],
            "required_documentation": ["transparency_notice"],
            "evidence_datasets": ["tested_on", "validated_on"],
            "recertify_days": 200,
            "audit_interval_days": 91,
        },
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.version == before + 1 and policy.recertify_days == 200
    assert policy.required_checks == ["fairness", "performance"]
    event = AuditEvent.objects.get(action="policy.updated")
    assert set(event.payload["changes"]) == {"required_checks", "thresholds", "recertify_days"}


@pytest.mark.parametrize(
    "override, message",
    [
        ({"t__fairness__demographic_parity_difference": "low"}, b"enter a number"),
        ({"t__drift__psi": "-1"}, b"at least 0"),
        ({"t__drift__psi": "inf"}, b"finite number"),
        ({"performance_limits": "accuracy = 0.8"}, b"write min_&lt;metric&gt;"),
        ({"performance_limits": "min_accuracy = high"}, b"enter a number"),
        ({"approvals_required": 0}, b"approvals_required must cover"),
        ({"approvals_required": "many"}, b"Enter a whole number"),
    ],
)
def test_bad_policy_input_is_a_friendly_400(admin_user, override, message):
    data = {
        "submittable": "on",
        "required_checks": ["performance"],
        "approvals_required": 1,
        "approver_roles": ["compliance_officer"],
        **override,
    }
    before = Policy.objects.get(tier="minimal").version
    response = as_user(admin_user).post("/policies/minimal/", data)
    assert response.status_code == 400
    assert message in response.content
    assert Policy.objects.get(tier="minimal").version == before


def test_unknown_policy_tier_is_404(admin_user):
    assert as_user(admin_user).get("/policies/galactic/").status_code == 404


def test_admin_list_pages_keep_a_fixed_number_of_queries(admin_user, system):
    client = as_user(admin_user)
    urls = ["/people/", "/responsibilities/", "/policies/"]

    def make(n):
        for i in range(Responsibility.objects.count(), n):
            person = UserFactory(username=f"bulk{i}", teams=[TeamFactory(slug=f"t{i}")])
            Responsibility.objects.create(
                user=person, role=Raci.INFORMED, system=system, assigned_by=admin_user
            )

    make(1)
    one = {url: count_queries(client, url) for url in urls}
    make(20)
    assert Responsibility.objects.count() >= 20
    assert one == {url: count_queries(client, url) for url in urls}


# --- notifications --------------------------------------------------------------------------
def test_notifications_page_badge_and_mark_read(scientist, officer):
    for i in range(3):
        Notification.objects.create(recipient=scientist, event="decision", message=f"note {i}")
    theirs = Notification.objects.create(recipient=officer, event="decision", message="theirs")
    client = as_user(scientist)
    html = client.get("/notifications/").content.decode()
    assert "note 0" in html and "theirs" not in html
    assert '<span class="badge badge-count">3' in html
    mine = Notification.objects.filter(recipient=scientist).first()
    response = client.post(f"/notifications/{mine.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'hx-swap-oob="true"' in body and '<span class="badge badge-count">2' in body
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=scientist, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_notifications_page_keeps_a_fixed_number_of_queries(scientist):
    client = as_user(scientist)
    Notification.objects.create(recipient=scientist, event="decision", message="one")
    one = count_queries(client, "/notifications/")
    for i in range(20):
        Notification.objects.create(recipient=scientist, event="decision", message=f"m{i}")
    assert count_queries(client, "/notifications/") == one


# --- dashboard ------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["admin", "compliance_officer", "data_scientist", "auditor"])
def test_dashboard_renders_for_every_role(users, who, system, model_version):
    html = as_user(users[who]).get("/").content.decode()
    assert "AI systems by risk tier" in html
    assert "Not classified yet" in html
    assert "Draft" in html
    for heading in ("What I must decide", "What is overdue", "What is stuck", "Flags"):
        assert heading in html
    assert ("Open the audit trail" in html) == (who in ("admin", "auditor"))


def test_dashboard_activity_is_everyones_for_trail_readers_and_ones_own_otherwise(
    users, system, model_version
):
    # The fixtures' system and version were registered by the data scientist.
    scientist = users["data_scientist"]
    officer_html = as_user(users["compliance_officer"]).get("/").content.decode()
    assert "Your recent activity" in officer_html
    assert "system.created" not in officer_html  # someone else's action
    scientist_html = as_user(scientist).get("/").content.decode()
    assert "Your recent activity" in scientist_html and "system.created" in scientist_html
    auditor_html = as_user(users["auditor"]).get("/").content.decode()
    assert "Your recent activity" not in auditor_html and "system.created" in auditor_html


def test_dashboard_hides_other_teams_counts(outsider, system, model_version):
    html = as_user(outsider).get("/").content.decode()
    assert "No AI systems registered yet" in html
