"""The dashboard as work lists: what I must decide, what is overdue, what is stuck, and the
two flags (unclassified systems holding personal data, production without a valid approval);
notifications link to their object and carry the reviewer's comment."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from governance.kernel.accounts.models import Role
from governance.policy.deployments.models import Deployment
from governance.policy.notifications.models import Notification
from governance.review.approvals.models import Review, ReviewStatus
from governance.review.approvals.services import model_version_submit, review_assign
from registry.models import PIIStatus, VersionStatus
from registry.services.versions import model_version_register
from tests.factories import UserFactory
from tests.governance.conftest import CREDIT_SCORING, classify
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def block(html: str, element_id: str) -> str:
    """The list with that id ('' when the page has none)."""
    found = re.search(rf'<ul class="plain list" id="{element_id}">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


def dashboard(user) -> str:
    response = as_user(user).get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def submitted(high_risk_version, scientist):
    model_version_submit(actor=scientist, model_version=high_risk_version)
    high_risk_version.refresh_from_db()
    return high_risk_version


def open_round(mv) -> Review:
    return Review.objects.get(model_version=mv, status=ReviewStatus.OPEN)


def finding(mv, scientist, code: str, *, due_days: int | None = None, assignee=None) -> Finding:
    run = CheckRun.objects.create(kind="fairness", model_version=mv, requested_by=scientist)
    return Finding.objects.create(
        model_version=mv,
        source="check",
        check_run=run,
        severity="high",
        code=code,
        message=f"{code} message",
        assignee=assignee,
        due_date=None if due_days is None else timezone.localdate() + timedelta(days=due_days),
    )


# --- what I must decide ---------------------------------------------------------------------
def test_reviews_waiting_for_me_follow_the_assignment(officer, admin_user, owner, submitted, team):
    officer2 = UserFactory(role=Role.COMPLIANCE_OFFICER, teams=[team], username="officer2")
    link = f"/model-versions/{submitted.pk}/"
    for person in (officer, officer2, owner):
        assert link in block(dashboard(person), "decide-reviews"), person
    # Admins hand the work out: the round is in their "nobody is assigned" list.
    assert link in block(dashboard(admin_user), "decide-unassigned")
    assert link not in block(dashboard(admin_user), "decide-reviews")
    review_assign(actor=admin_user, model_version=submitted, assignee=officer2)
    assert link not in block(dashboard(officer), "decide-reviews")
    mine = block(dashboard(officer2), "decide-reviews")
    assert link in mine and "assigned to you" in mine
    assert link not in block(dashboard(admin_user), "decide-unassigned")


def test_findings_assigned_to_me_and_versions_sent_back(
    scientist, officer, outsider, submitted, model_version
):
    finding(model_version, scientist, "gap_mine", due_days=5, assignee=scientist)
    finding(model_version, scientist, "gap_other", due_days=5)
    html = dashboard(scientist)
    assert "gap_mine" in block(html, "decide-findings")
    assert "gap_other" not in block(html, "decide-findings")
    as_user(officer).post(
        f"/model-versions/{submitted.pk}/decide/",
        {"decision": "request_changes", "comment": "add the drift plan"},
    )
    submitted.refresh_from_db()
    assert submitted.status == VersionStatus.CHANGES_REQUESTED
    assert f"/model-versions/{submitted.pk}/" in block(dashboard(scientist), "decide-sent-back")
    other = dashboard(outsider)
    assert "gap_mine" not in other and f"/model-versions/{submitted.pk}/" not in other


# --- overdue and stuck ----------------------------------------------------------------------
def test_an_old_round_is_overdue_and_stuck_until_someone_takes_it(
    officer, submitted, settings, auditor
):
    settings.REVIEW_DUE_DAYS = 5
    link = f"/model-versions/{submitted.pk}/"
    assert link not in block(dashboard(officer), "late-reviews")
    review = open_round(submitted)
    review.opened_at = timezone.now() - timedelta(days=8)
    review.save()
    html = dashboard(officer)
    assert link in block(html, "late-reviews") and link in block(html, "stuck-reviews")
    # Auditors see what is late too (read-only oversight).
    assert link in block(dashboard(auditor), "late-reviews")
    review_assign(actor=officer, model_version=submitted, assignee=officer)
    html = dashboard(officer)
    assert link in block(html, "late-reviews")  # still late
    assert link not in block(html, "stuck-reviews")  # but someone is on it


def test_overdue_findings_and_the_unassigned_ones_are_stuck(
    officer, scientist, outsider, model_version
):
    finding(model_version, scientist, "late_nobody", due_days=-3)
    finding(model_version, scientist, "late_taken", due_days=-3, assignee=officer)
    finding(model_version, scientist, "on_time", due_days=3)
    html = dashboard(officer)
    late, stuck = block(html, "late-findings"), block(html, "stuck-findings")
    assert "late_nobody" in late and "late_taken" in late and "on_time" not in late
    assert "late_nobody" in stuck and "late_taken" not in stuck
    assert "late_nobody" not in dashboard(outsider)


# --- flags ----------------------------------------------------------------------------------
def test_unclassified_system_holding_personal_data_is_flagged(
    officer, outsider, system, model_version, pii_flag
):
    link = f"/systems/{system.pk}/"
    assert link in block(dashboard(officer), "flag-unclassified-pii")
    assert link not in dashboard(outsider)
    pii_flag.status = PIIStatus.DISMISSED
    pii_flag.save()
    assert link not in block(dashboard(officer), "flag-unclassified-pii")
    pii_flag.status = PIIStatus.CONFIRMED
    pii_flag.save()
    assert link in block(dashboard(officer), "flag-unclassified-pii")
    classify(system, CREDIT_SCORING, officer)
    html = dashboard(officer)
    assert link not in block(html, "flag-unclassified-pii")
    assert "Every system whose data holds personal data is classified." in html


def test_unclassified_system_without_personal_data_is_not_flagged(officer, system, model_version):
    assert f"/systems/{system.pk}/" not in block(dashboard(officer), "flag-unclassified-pii")


def _deploy(mv, who, *, days_ago: int = 1, environment: str = "prod") -> Deployment:
    return Deployment.objects.create(
        model_version=mv,
        model=mv.model,
        environment=environment,
        deployed_by=who,
        deployed_at=timezone.now() - timedelta(days=days_ago),
    )


def test_production_without_a_valid_approval_is_flagged(
    officer, scientist, outsider, submitted, settings
):
    link = f"/model-versions/{submitted.pk}/"
    _deploy(submitted, scientist, environment="dev")
    assert link not in block(dashboard(officer), "flag-unapproved-prod")  # dev is not prod
    _deploy(submitted, scientist)
    assert link in block(dashboard(officer), "flag-unapproved-prod")
    assert link not in dashboard(outsider)
    review = open_round(submitted)
    review.status, review.approved_at = ReviewStatus.APPROVED, timezone.now()
    review.expires_at = timezone.now() + timedelta(days=30)
    review.save()
    html = dashboard(officer)
    assert link not in block(html, "flag-unapproved-prod")
    assert "Every version running in production has a valid approval." in html
    review.expires_at = timezone.now() - timedelta(minutes=1)
    review.save()
    assert link in block(dashboard(officer), "flag-unapproved-prod")


def test_only_what_runs_in_production_now_is_flagged(
    scientist, officer, submitted, model, xgb_json_bytes
):
    newer = model_version_register(
        actor=scientist, model=model, version="1.1.0", artefact=upload("m.json", xgb_json_bytes)
    )
    _deploy(submitted, scientist, days_ago=3)
    _deploy(newer, scientist, days_ago=1)
    flagged = block(dashboard(officer), "flag-unapproved-prod")
    assert f"/model-versions/{newer.pk}/" in flagged
    assert f"/model-versions/{submitted.pk}/" not in flagged


# --- notifications --------------------------------------------------------------------------
def test_decision_notification_links_to_the_version_and_carries_the_comment(
    officer, scientist, submitted
):
    as_user(officer).post(
        f"/model-versions/{submitted.pk}/decide/",
        {"decision": "request_changes", "comment": "Add the drift plan <b>first</b>."},
    )
    note = Notification.objects.get(recipient=scientist, event="decision")
    assert note.payload["comment"] == "Add the drift plan <b>first</b>."
    assert note.payload["reviewer"] == officer.username
    for html in (as_user(scientist).get("/notifications/").content.decode(), dashboard(scientist)):
        assert f'<a href="/model-versions/{submitted.pk}/">' in html
        assert "Add the drift plan &lt;b&gt;first&lt;/b&gt;." in html  # escaped
        assert f"— {officer.username}" in html


def test_notification_links_by_target_and_none_for_unknown(scientist, model_version):
    Notification.objects.create(
        recipient=scientist,
        event="check_failed",
        message="check failed",
        target_type="audits.checkrun",
        target_id="7",
    )
    Notification.objects.create(
        recipient=scientist, event="signature_locked", message="locked", target_type=""
    )
    html = as_user(scientist).get("/notifications/").content.decode()
    assert '<a href="/checks/7/">check failed</a>' in html
    assert "<a" not in html.split("locked")[0].rsplit("<li", 1)[1]


def test_dashboard_queries_do_not_grow_with_work(officer, scientist, model_version, pii_flag):
    client = as_user(officer)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    finding(model_version, scientist, "a", due_days=-2)
    _deploy(model_version, scientist)
    few = count()
    for i in range(8):
        finding(model_version, scientist, f"late_{i}", due_days=-2, assignee=officer)
    assert count() == few
