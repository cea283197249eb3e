"""Findings as a work queue: one finding per problem across re-runs, closing what a run no
longer shows, the states (start, resolve with a comment, accept a risk until a date, false
positive with a reason), due dates from severity, and the beat task that reopens lapsed risks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audits.checks import Finding as OutcomeFinding
from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding, finding_fingerprint
from audits.runs.services.findings import (
    DUE_DAYS,
    finding_accept_risk,
    finding_mark_false_positive,
    finding_resolve,
    finding_start,
    findings_create,
)
from audits.runs.tasks import findings_reopen_expired_task
from governance.kernel.audit.models import AuditEvent
from governance.kernel.errors import Conflict, Forbidden, ServiceError

pytestmark = pytest.mark.django_db

STRICT = {"demographic_parity_difference": 0.000001}


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def run_of(model_version, scientist, kind="fairness") -> CheckRun:
    return CheckRun.objects.create(kind=kind, model_version=model_version, requested_by=scientist)


def problem(code="parity", group="sex=female", severity="high", value=0.3):
    return OutcomeFinding(
        severity=severity,
        code=code,
        message=f"{code} is {value}",
        metric="demographic_parity_difference",
        value=value,
        threshold=0.1,
        group=group,
    )


# --- one finding per problem across real re-runs --------------------------------------------
def test_three_reruns_of_a_check_leave_one_open_finding_per_problem(
    api, users, labelled, model_version, request_check
):
    client = api(users["data_scientist"])
    runs = []
    for _ in range(3):
        response = request_check(
            client,
            model_version.pk,
            kind="fairness",
            dataset_version=labelled.pk,
            thresholds=STRICT,
        )
        runs.append(CheckRun.objects.get(pk=response.json()["id"]))
    assert [r.passed for r in runs] == [False, False, False]
    first = Finding.objects.filter(check_run=runs[0])
    assert first.count() > 0
    live = Finding.objects.filter(model_version=model_version, status="open")
    # The second and third runs raised nothing new: the same rows, seen three times.
    assert set(live.values_list("pk", flat=True)) == set(first.values_list("pk", flat=True))
    assert not Finding.objects.filter(check_run__in=runs[1:]).exists()
    assert set(live.values_list("occurrences", flat=True)) == {3}
    assert set(live.values_list("last_seen_run", flat=True)) == {runs[2].pk}
    fingerprints = list(live.values_list("fingerprint", flat=True))
    assert len(fingerprints) == len(set(fingerprints))
    # Each run still lists what it saw (its report and its API detail).
    detail = api(users["auditor"]).get(f"/api/v1/checks/{runs[2].pk}/").json()
    assert {f["id"] for f in detail["findings"]} == set(live.values_list("pk", flat=True))
    # The history keeps each sighting.
    row = live.first()
    assert row.history.count() == 3


def test_a_problem_the_next_run_no_longer_shows_closes_naming_that_run(
    api, users, labelled, model_version, request_check
):
    client = api(users["data_scientist"])
    body = {"kind": "fairness", "dataset_version": labelled.pk}
    request_check(client, model_version.pk, thresholds=STRICT, **body)
    parity = list(
        Finding.objects.filter(
            model_version=model_version,
            code="demographic_parity_difference_exceeded",
            status="open",
        )
    )
    assert parity
    # An exploratory run with a limit no group breaks fixes nothing: it is not evidence.
    loose = {"demographic_parity_difference": 1.0}
    request_check(client, model_version.pk, thresholds=loose, exploratory=True, **body)
    for row in parity:
        row.refresh_from_db()
        assert row.status == "open"
    # A completed run (not exploratory) that no longer shows them closes them, naming itself.
    second = run_of(model_version, users["data_scientist"])
    findings_create(run=second, findings=[], close_missing=True)
    for row in parity:
        row.refresh_from_db()
        assert row.status == "resolved"
        assert row.closed_by_run_id == second.pk
        assert f"#{second.pk}" in row.resolution_comment
        assert row.resolved_by is None


# --- the recording service on its own --------------------------------------------------------
def test_fingerprint_ignores_values_and_separates_groups_kinds_and_versions(
    model_version, scientist
):
    a = findings_create(run=run_of(model_version, scientist), findings=[problem(value=0.3)])
    b = findings_create(run=run_of(model_version, scientist), findings=[problem(value=0.5)])
    assert a.new and not b.new and b.updated[0].pk == a.new[0].pk
    assert b.updated[0].value == 0.5 and b.updated[0].message == "parity is 0.5"
    c = findings_create(run=run_of(model_version, scientist), findings=[problem(group="age<25")])
    d = findings_create(
        run=run_of(model_version, scientist, kind="data_quality"), findings=[problem()]
    )
    assert c.new and d.new
    assert a.new[0].fingerprint == finding_fingerprint(
        model_version_id=model_version.pk,
        kind="fairness",
        code="parity",
        metric="demographic_parity_difference",
        group="sex=female",
    )


def test_twin_findings_in_one_run_make_one_row(model_version, scientist):
    recorded = findings_create(run=run_of(model_version, scientist), findings=[problem()] * 2)
    assert len(recorded.new) == 1


def test_closing_only_touches_the_same_kind_and_not_false_positives(
    model_version, scientist, officer
):
    fair = findings_create(
        run=run_of(model_version, scientist), findings=[problem("a"), problem("b")]
    ).new
    dq = findings_create(
        run=run_of(model_version, scientist, kind="data_quality"), findings=[problem("q")]
    ).new
    finding_mark_false_positive(actor=officer, finding=fair[1], reason="too small a group")
    run = run_of(model_version, scientist)
    recorded = findings_create(run=run, findings=[], close_missing=True)
    assert [f.pk for f in recorded.closed] == [fair[0].pk]
    assert Finding.objects.get(pk=fair[0].pk).closed_by_run == run
    assert Finding.objects.get(pk=fair[1].pk).status == "false_positive"
    assert Finding.objects.get(pk=dq[0].pk).status == "open"


def test_a_failed_run_closes_nothing(model_version, scientist):
    row = findings_create(run=run_of(model_version, scientist), findings=[problem()]).new[0]
    findings_create(run=run_of(model_version, scientist), findings=[])
    assert Finding.objects.get(pk=row.pk).status == "open"


def test_due_date_follows_severity_and_a_worse_problem_is_due_sooner(model_version, scientist):
    today = timezone.localdate()
    low = findings_create(
        run=run_of(model_version, scientist), findings=[problem(severity="low")]
    ).new[0]
    assert low.due_date == today + timedelta(days=DUE_DAYS["low"])
    again = findings_create(
        run=run_of(model_version, scientist), findings=[problem(severity="high")]
    ).updated[0]
    assert again.severity == "high"
    assert again.due_date == today + timedelta(days=DUE_DAYS["high"])
    info = findings_create(
        run=run_of(model_version, scientist), findings=[problem("i", severity="info")]
    ).new[0]
    assert info.due_date is None


# --- states ----------------------------------------------------------------------------------
@pytest.fixture
def open_finding(model_version, scientist):
    return findings_create(run=run_of(model_version, scientist), findings=[problem()]).new[0]


def test_resolve_requires_a_comment_in_the_service(open_finding, officer):
    for empty in ("", "   "):
        with pytest.raises(ServiceError) as exc:
            finding_resolve(actor=officer, finding=open_finding, comment=empty)
        assert exc.value.code == "comment_required"
    assert Finding.objects.get(pk=open_finding.pk).status == "open"


def test_resolving_without_a_comment_is_refused_by_the_api(open_finding, api, officer):
    url = f"/api/v1/findings/{open_finding.pk}/resolve/"
    for body in ({}, {"comment": ""}, {"comment": "  "}):
        refused = api(officer).post(url, body, format="json")
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "comment_required"
    assert Finding.objects.get(pk=open_finding.pk).status == "open"
    done = api(officer).post(url, {"comment": "retrained on balanced data"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "resolved"


def test_resolving_without_a_comment_is_refused_in_the_browser(open_finding, officer):
    client = browser(officer)
    url = f"/findings/{open_finding.pk}/act/"
    row = client.post(url, {"action": "resolve", "comment": " "}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    html = row.content.decode()
    assert 'role="alert"' in html and "cannot be empty" in html
    assert Finding.objects.get(pk=open_finding.pk).status == "open"
    # Without HTMX: back to the list with the refusal as a message.
    page = client.post(url, {"action": "resolve", "comment": ""}, follow=True)
    assert "cannot be empty" in page.content.decode()
    assert Finding.objects.get(pk=open_finding.pk).status == "open"
    # The old resolve address follows the same rule.
    client.post(f"/findings/{open_finding.pk}/resolve/", {"comment": ""}, HTTP_HX_REQUEST="true")
    assert Finding.objects.get(pk=open_finding.pk).status == "open"
    ok = client.post(url, {"action": "resolve", "comment": "fixed"}, HTTP_HX_REQUEST="true")
    assert ">Resolved<" in ok.content.decode()
    assert Finding.objects.get(pk=open_finding.pk).status == "resolved"


def test_start_assigns_and_the_assignee_may_resolve(open_finding, officer, scientist, auditor):
    with pytest.raises(Forbidden):
        finding_start(actor=scientist, finding=open_finding)
    started = finding_start(actor=officer, finding=open_finding)
    assert started.status == "in_progress" and started.assignee == officer
    with pytest.raises(Conflict):
        finding_start(actor=officer, finding=open_finding)
    started.assignee = scientist
    started.save()
    with pytest.raises(Forbidden):
        finding_resolve(actor=auditor, finding=started, comment="x")
    done = finding_resolve(actor=scientist, finding=started, comment="rebalanced the sample")
    assert done.status == "resolved" and done.resolved_by == scientist
    assert AuditEvent.objects.filter(action="finding.started", target_id=str(done.pk)).exists()


def test_false_positive_needs_a_reason(open_finding, officer):
    with pytest.raises(ServiceError) as exc:
        finding_mark_false_positive(actor=officer, finding=open_finding, reason="")
    assert exc.value.code == "reason_required"
    fp = finding_mark_false_positive(actor=officer, finding=open_finding, reason="n=3 group")
    assert fp.status == "false_positive"
    # A re-run seeing it again does not raise it anew: the judgement stands.
    again = findings_create(
        run=run_of(open_finding.model_version, open_finding.check_run.requested_by),
        findings=[problem()],
    )
    assert not again.new and again.updated[0].status == "false_positive"


def test_accepting_a_risk_roles_dates_and_reopening(open_finding, officer, admin_user, scientist):
    today = timezone.localdate()
    with pytest.raises(Forbidden):
        finding_accept_risk(
            actor=scientist, finding=open_finding, comment="ok", until=today + timedelta(days=5)
        )
    for until in (None, today, today - timedelta(days=1), today + timedelta(days=10_000)):
        with pytest.raises(ServiceError):
            finding_accept_risk(actor=officer, finding=open_finding, comment="ok", until=until)
    with pytest.raises(ServiceError) as exc:
        finding_accept_risk(
            actor=officer, finding=open_finding, comment="", until=today + timedelta(days=5)
        )
    assert exc.value.code == "comment_required"
    accepted = finding_accept_risk(
        actor=admin_user,
        finding=open_finding,
        comment="mitigated by human review of every decision",
        until=today + timedelta(days=5),
    )
    assert accepted.status == "risk_accepted"
    # Not yet lapsed: the beat task leaves it.
    assert findings_reopen_expired_task.apply().get() == 0
    Finding.objects.filter(pk=accepted.pk).update(accepted_until=today - timedelta(days=1))
    assert findings_reopen_expired_task.apply().get() == 1
    reopened = Finding.objects.get(pk=accepted.pk)
    assert reopened.status == "open" and reopened.accepted_until is None
    assert reopened.due_date == today + timedelta(days=DUE_DAYS["high"])
    assert AuditEvent.objects.filter(
        action="finding.risk_acceptance_expired", target_id=str(accepted.pk)
    ).exists()


def test_api_state_endpoints(open_finding, api, officer, scientist):
    base = f"/api/v1/findings/{open_finding.pk}"
    assigned = api(officer).post(f"{base}/assign/", {"assignee": scientist.username}, format="json")
    assert assigned.status_code == 200 and assigned.json()["assignee"] == scientist.username
    missing = api(officer).post(f"{base}/assign/", {"assignee": "nobody"}, format="json")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "user_not_found"
    started = api(scientist).post(f"{base}/start/")
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    until = (timezone.localdate() + timedelta(days=30)).isoformat()
    refused = api(scientist).post(
        f"{base}/accept-risk/", {"comment": "ok", "until": until}, format="json"
    )
    assert refused.status_code == 403
    mine = api(scientist).get("/api/v1/findings/", {"assignee": scientist.pk}).json()
    assert [f["id"] for f in mine["results"]] == [open_finding.pk]
    accepted = api(officer).post(
        f"{base}/accept-risk/", {"comment": "compensating control", "until": until}, format="json"
    )
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "risk_accepted"
    assert accepted.json()["accepted_until"] == until


def test_page_filters_mine_and_overdue(open_finding, officer, model_version, scientist):
    other = findings_create(
        run=run_of(model_version, scientist), findings=[problem("other", severity="low")]
    ).new[0]
    Finding.objects.filter(pk=open_finding.pk).update(
        assignee=officer, due_date=timezone.localdate() - timedelta(days=1)
    )
    client = browser(officer)
    html = client.get("/findings/").content.decode()
    assert f'id="finding-{open_finding.pk}" class="overdue"' in html and "overdue</span>" in html
    mine = client.get("/findings/", {"mine": "1"}).content.decode()
    assert f"finding-{open_finding.pk}" in mine and f"finding-{other.pk}" not in mine
    late = client.get("/findings/", {"overdue": "1"}).content.decode()
    assert f"finding-{open_finding.pk}" in late and f"finding-{other.pk}" not in late
