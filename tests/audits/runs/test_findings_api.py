"""Findings from a failing check: listed, resolved by oversight only, signalled and notified."""

from __future__ import annotations

import pytest

from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from audits.runs.signals import check_run_finished
from governance.kernel.audit.models import AuditEvent
from governance.policy.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_run(api, users, labelled, model_version, request_check):
    received = []

    def receiver(sender, *, check_run, **kwargs):
        received.append((check_run.pk, check_run.status, check_run.passed))

    check_run_finished.connect(receiver, dispatch_uid="test-findings")
    try:
        response = request_check(
            api(users["data_scientist"]),
            model_version.pk,
            kind="fairness",
            dataset_version=labelled.pk,
            # Declared before the run: no two groups are ever this close.
            thresholds={"demographic_parity_difference": 0.000001},
        )
    finally:
        check_run_finished.disconnect(dispatch_uid="test-findings")
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert received == [(run.pk, "succeeded", False)]
    return run


def test_failing_check_raises_findings_and_notifies(failing_run, users):
    assert failing_run.passed is False
    high = Finding.objects.filter(check_run=failing_run, severity="high")
    assert high.filter(code="demographic_parity_difference_exceeded").exists()
    row = high.filter(code="demographic_parity_difference_exceeded").first()
    assert row.threshold == 0.000001 and row.value > row.threshold and row.group
    events = Notification.objects.filter(recipient=users["compliance_officer"])
    assert {"check_failed", "finding_raised"} <= set(events.values_list("event", flat=True))
    assert (
        AuditEvent.objects.filter(
            action="check_run.finished", target_id=str(failing_run.pk)
        ).count()
        == 1
    )


def test_findings_list_and_visibility(failing_run, api, users):
    n = Finding.objects.filter(check_run=failing_run).count()
    for role in ("data_scientist", "compliance_officer", "auditor", "admin"):
        body = api(users[role]).get("/api/v1/findings/", {"status": "open"}).json()
        assert body["count"] == n
    assert api(users["outsider"]).get("/api/v1/findings/").json()["count"] == 0
    finding = Finding.objects.filter(check_run=failing_run).first()
    assert api(users["outsider"]).get(f"/api/v1/findings/{finding.pk}/").status_code == 404
    detail = api(users["auditor"]).get(f"/api/v1/checks/{failing_run.pk}/").json()
    assert len(detail["findings"]) == n
    high = api(users["auditor"]).get("/api/v1/findings/", {"severity": "high"}).json()
    assert high["count"] == Finding.objects.filter(severity="high").count()


def test_resolve_by_oversight_only(failing_run, api, users):
    finding = Finding.objects.filter(check_run=failing_run, severity="high").first()
    url = f"/api/v1/findings/{finding.pk}/resolve/"
    assert api(users["outsider"]).post(url, {}).status_code == 404
    for role in ("data_scientist", "auditor"):
        refused = api(users[role]).post(url, {"comment": "fine"})
        assert refused.status_code == 403, role
    assert api(users["compliance_officer"]).post(url, {"comment": "x" * 6000}).status_code == 400
    done = api(users["compliance_officer"]).post(url, {"comment": "accepted with mitigation"})
    assert done.status_code == 200
    assert done.json()["status"] == "resolved"
    assert done.json()["resolved_by"] == users["compliance_officer"].username
    again = api(users["admin"]).post(url, {})
    assert again.status_code == 409
    assert AuditEvent.objects.filter(action="finding.resolved", target_id=str(finding.pk)).exists()
    still_open = api(users["auditor"]).get("/api/v1/findings/", {"status": "open"}).json()
    assert finding.pk not in [f["id"] for f in still_open["results"]]
    assert finding.history.count() == 2
