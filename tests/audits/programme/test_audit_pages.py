"""Audits in the browser and the API: schedules, runs, one run's outcome, "audit now"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from audits.programme.models import AuditRun, AuditSchedule
from audits.programme.services.schedules import audit_run_request, schedules_sync
from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from governance.kernel.audit.models import AuditEvent
from governance.kernel.errors import Conflict, Forbidden
from registry.services.systems import system_create
from tests.audits.conftest import classify

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_officer_audits_now_and_reads_the_outcome(
    officer, schedule, labelled, model_version, django_capture_on_commit_callbacks
):
    model_version.status = "in_review"
    model_version.save()
    client = as_user(officer)
    page = client.get("/audits/").content.decode()
    assert f'id="schedule-{schedule.system_id}"' in page and "Audit now" in page
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/audits/start/", {"system": schedule.system_id})
    run = AuditRun.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/audits/runs/{run.pk}/"
    assert run.trigger == "manual" and run.requested_by == officer
    assert run.status == "succeeded", run.error_message
    assert AuditEvent.objects.filter(action="audit_run.requested", target_id=str(run.pk))
    # The schedule's due date is not moved by a manual audit.
    assert AuditSchedule.objects.get(pk=schedule.pk).next_due == schedule.next_due

    html = client.get(started["Location"]).content.decode()
    assert f"{model_version.model.name} v{model_version.version}" in html
    checks = CheckRun.objects.filter(audit_run=run)
    assert checks.exists()
    for check in checks:
        assert f"/checks/{check.pk}/" in html
    for finding in Finding.objects.filter(audit_run=run):
        assert escape(finding.message[:40]) in html
    assert "Audit report" in html
    listed = client.get("/audits/").content.decode()
    assert f"/audits/runs/{run.pk}/" in listed and f"by {officer.username}" in listed


def test_a_second_audit_while_one_is_queued_is_a_conflict(
    officer, schedule, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        first = audit_run_request(actor=officer, system=schedule.system)
        with pytest.raises(Conflict) as refused:
            audit_run_request(actor=officer, system=schedule.system)
    assert refused.value.extra["existing_id"] == first.pk
    with django_capture_on_commit_callbacks(execute=False):
        again = as_user(officer).post("/audits/start/", {"system": schedule.system_id})
    assert again["Location"] == f"/audits/runs/{first.pk}/"
    assert AuditRun.objects.count() == 1


@pytest.mark.parametrize("who", ["data_scientist", "auditor"])
def test_only_officers_and_admins_start_audits(users, schedule, who):
    client = as_user(users[who])
    assert client.get("/audits/").status_code == 200
    assert "Audit now" not in client.get("/audits/").content.decode()
    assert client.post("/audits/start/", {"system": schedule.system_id}).status_code == 403
    with pytest.raises(Forbidden):
        audit_run_request(actor=users[who], system=schedule.system)
    assert not AuditRun.objects.exists()


def test_another_team_sees_no_schedule_or_run_and_cannot_start_one(
    outsider, users, schedule, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        run = audit_run_request(actor=users["compliance_officer"], system=schedule.system)
    client = as_user(outsider)
    page = client.get("/audits/").content.decode()
    assert f"schedule-{schedule.system_id}" not in page and f"/audits/runs/{run.pk}/" not in page
    assert client.get(f"/audits/runs/{run.pk}/").status_code == 404
    assert client.get(f"/audits/runs/{run.pk}/status/").status_code == 404
    # Compliance officers and admins oversee every team (cross-team readers), so the role
    # rule is what refuses the outsider here.
    assert client.post("/audits/start/", {"system": schedule.system_id}).status_code == 403


def test_api_starts_an_audit(api, users, schedule, django_capture_on_commit_callbacks):
    officer = api(users["compliance_officer"])
    with django_capture_on_commit_callbacks(execute=False):
        started = officer.post("/api/v1/audit-runs/", {"system": schedule.system_id})
        assert started.status_code == 202, started.content
        assert started.json()["trigger"] == "manual" and started.json()["status"] == "queued"
        again = officer.post("/api/v1/audit-runs/", {"system": schedule.system_id})
    assert again.status_code == 409 and again.json()["error"]["code"] == "audit_in_progress"
    assert again.json()["error"]["existing_id"] == started.json()["id"]
    for who in ("data_scientist", "auditor"):
        assert api(users[who]).post("/api/v1/audit-runs/", {"system": 1}).status_code == 403
    hidden = api(users["outsider"]).get(f"/api/v1/audit-runs/{started.json()['id']}/")
    assert hidden.status_code == 404
    assert officer.post("/api/v1/audit-runs/", {"system": "x"}).status_code == 400
    assert officer.post("/api/v1/audit-runs/", {"system": 10**9}).status_code == 400


def _add_runs(officer, team, n: int) -> int:
    run = None
    for _ in range(n):
        name = f"Audited {AuditRun.objects.count()}"
        system = system_create(actor=officer, team=team, name=name, intended_purpose="x")
        classify(system, officer)
        run = AuditRun.objects.create(
            system=system, trigger="manual", requested_by=officer, status="succeeded"
        )
    schedules_sync()
    AuditSchedule.objects.update(next_due=timezone.now() - timedelta(days=1))
    return run.pk


def test_pages_keep_a_fixed_number_of_queries(officer, team):
    client = as_user(officer)
    run_id = _add_runs(officer, team, 1)
    counts = []
    for extra in (0, 6):
        if extra:
            run_id = _add_runs(officer, team, extra)
        with CaptureQueriesContext(connection) as listing:
            page = client.get("/audits/")
        assert page.status_code == 200
        with CaptureQueriesContext(connection) as detail:
            assert client.get(f"/audits/runs/{run_id}/").status_code == 200
        counts.append((len(listing), len(detail)))
    assert counts[0] == counts[1], counts
    assert page.content.decode().count("overdue since") == 7
