"""Every change of evidence after approval withdraws it; approvals also expire."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from audits.runs.models import CheckRun
from audits.runs.signals import check_run_finished
from governance.kernel.audit.models import AuditEvent
from governance.policy.notifications.models import Notification
from governance.policy.raci.models import Responsibility
from governance.policy.raci.services import responsibility_end, responsibility_update
from governance.review.approvals.models import Review
from governance.review.approvals.receivers import on_check_run_finished
from governance.review.approvals.services import (
    approvals_expire,
    model_version_submit,
    review_decide,
)
from governance.review.approvals.tasks import approvals_expire_task
from governance.review.evaluation import evaluate
from registry.models import PIIStatus
from registry.services.datasets import dataset_version_register, pii_flag_decide
from registry.services.lineage import lineage_edge_add
from tests.factories import PASSWORD
from tests.governance.conftest import CHATBOT, classify
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(high_risk_version, scientist, officer, owner):
    mv = high_risk_version
    model_version_submit(actor=scientist, model_version=mv)
    review_decide(actor=officer, model_version=mv, decision="approve", password=PASSWORD)
    review_decide(actor=owner, model_version=mv, decision="approve", password=PASSWORD)
    mv.refresh_from_db()
    assert mv.status == "approved" and evaluate(mv).valid_approval is not None
    return mv


def assert_invalidated(mv, code: str):
    mv.refresh_from_db()
    assert mv.status == "in_review"
    reviews = list(Review.objects.filter(model_version=mv).order_by("round"))
    assert [r.status for r in reviews] == ["invalidated", "open"]
    assert reviews[0].invalidation_code == code
    ev = evaluate(mv)
    assert ev.valid_approval is None
    assert "approval_invalidated" in {r["code"] for r in ev.reasons()}
    event = AuditEvent.objects.filter(action="approval.invalidated", target_id=str(mv.pk)).get()
    assert event.payload["code"] == code
    notes = Notification.objects.filter(event="approval_invalidated", target_id=str(mv.pk))
    assert notes.exists()
    return reviews[0]


def test_confirmed_pii_upstream_invalidates(approved, officer, pii_flag):
    pii_flag_decide(actor=officer, flag=pii_flag, status=PIIStatus.CONFIRMED)
    review = assert_invalidated(approved, "pii_confirmed")
    assert "sex" in review.invalidation_reason


def test_reopening_a_flag_blocks_the_gate_without_invalidating(approved, officer, pii_flag):
    pii_flag_decide(actor=officer, flag=pii_flag, status=PIIStatus.SUSPECTED)
    approved.refresh_from_db()
    # Reopening a flag to suspected is not a confirmation, but evidence is now incomplete:
    # the approval row stands and the gate refuses on the unresolved flag instead.
    assert approved.status == "approved"
    assert "pii_unresolved" in {r["code"] for r in evaluate(approved).reasons()}


def test_new_classification_invalidates(approved, officer, system):
    classify(system, CHATBOT, officer)
    assert_invalidated(approved, "classification_changed")


def test_ending_the_accountable_owner_invalidates(approved, admin_user, owner):
    responsibility = Responsibility.objects.get(user=owner)
    responsibility_end(actor=admin_user, responsibility=responsibility)
    assert_invalidated(approved, "responsibility_ended")
    assert "accountable_owner_missing" in {r["code"] for r in evaluate(approved).reasons()}


def test_ending_in_the_future_keeps_the_approval_until_then(approved, admin_user, owner):
    responsibility = Responsibility.objects.get(user=owner)
    later = timezone.now() + timedelta(days=3)
    responsibility_update(actor=admin_user, responsibility=responsibility, ends_at=later, note=None)
    approved.refresh_from_db()
    assert approved.status == "approved"
    codes = {r["code"] for r in evaluate(approved, at=later + timedelta(seconds=1)).reasons()}
    assert "accountable_owner_missing" in codes


def test_new_upstream_lineage_invalidates(approved, scientist, dataset, german_csv_bytes):

    extra = dataset_version_register(
        actor=scientist,
        dataset=dataset,
        version="2",
        data_file=upload("german2.csv", german_csv_bytes + b"\n"),
    )
    lineage_edge_add(actor=scientist, kind="validated_on", upstream=extra, downstream=approved)
    assert_invalidated(approved, "lineage_changed")


def test_partial_approvals_are_withdrawn_too(high_risk_version, scientist, officer, system):
    model_version_submit(actor=scientist, model_version=high_risk_version)
    review_decide(
        actor=officer, model_version=high_risk_version, decision="approve", password=PASSWORD
    )
    classify(system, CHATBOT, officer)
    assert_invalidated(high_risk_version, "classification_changed")
    assert evaluate(high_risk_version).approvals == []


def test_a_new_failing_check_invalidates(approved):

    run = CheckRun.objects.create(
        model_version=approved,
        kind="fairness",
        status="succeeded",
        passed=False,
        result_sha256="f" * 64,
        finished_at=timezone.now(),
    )
    check_run_finished.send(sender=CheckRun, check_run=run)
    assert_invalidated(approved, "check_failed")


def test_check_failed_receiver_invalidates(approved):
    """The receiver itself, fed an object with CheckRun's contract (until audits lands)."""

    run = SimpleNamespace(
        pk=99, kind="fairness", status="succeeded", passed=False, model_version_id=approved.pk
    )
    with transaction.atomic():
        on_check_run_finished(sender=None, check_run=run)
    assert_invalidated(approved, "check_failed")
    passing = SimpleNamespace(**{**run.__dict__, "passed": True})
    with transaction.atomic():
        on_check_run_finished(sender=None, check_run=passing)
    assert Review.objects.filter(model_version=approved).count() == 2


def test_expired_approval_is_refused_at_read_time_and_by_the_task(approved, scientist):
    review = Review.objects.get(model_version=approved, status="approved")
    assert (review.expires_at - review.approved_at).days == 180
    # Time travel: the approval was given 181 days ago.
    review.approved_at -= timedelta(days=181)
    review.expires_at = timezone.now() - timedelta(seconds=1)
    review.save()
    ev = evaluate(approved)
    assert ev.valid_approval is None
    assert "approval_expired" in {r["code"] for r in ev.reasons()}
    approvals_expire_task.delay()
    approved.refresh_from_db()
    assert approved.status == "in_review"
    assert [r.status for r in Review.objects.filter(model_version=approved).order_by("round")] == [
        "expired",
        "open",
    ]
    assert "approval_expired" in {r["code"] for r in evaluate(approved).reasons()}
    assert AuditEvent.objects.filter(action="approval.expired").count() == 1
    assert approvals_expire() == {"warned": 0, "expired": 0}  # idempotent


def test_expiry_is_announced_once(approved, owner):
    review = Review.objects.get(model_version=approved, status="approved")
    review.expires_at = timezone.now() + timedelta(days=5)
    review.save()
    assert approvals_expire() == {"warned": 1, "expired": 0}
    assert approvals_expire() == {"warned": 0, "expired": 0}
    note = Notification.objects.get(event="approval_expiring", recipient=owner)
    assert "expires on" in note.message
    approved.refresh_from_db()
    assert approved.status == "approved"
