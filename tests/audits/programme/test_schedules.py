"""Scheduled audits: policy sync, the schedules API, exactly-once dispatch, what a run does."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from audits.programme.models import AuditRun, AuditSchedule
from audits.programme.services import schedules as schedule_services
from audits.programme.services.schedules import dispatch_due_audits, schedules_sync
from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from governance.policy.notifications.models import Notification
from registry.services.systems import system_create
from tests.audits.conftest import classify, register_frame


@pytest.mark.django_db
def test_sync_follows_the_policy_of_the_tier(system, officer):
    assert schedules_sync() == {"created": 0, "updated": 0, "deactivated": 0}
    classify(system, officer, "limited")
    assert schedules_sync()["created"] == 1
    schedule = AuditSchedule.objects.get(system=system)
    assert schedule.interval_days == 91 and schedule.from_policy
    assert schedule.next_due > timezone.now() + timedelta(days=90)
    classify(system, officer, "high_risk")
    assert schedules_sync()["updated"] == 1
    schedule.refresh_from_db()
    assert schedule.interval_days == 30
    assert schedule.next_due <= schedule.created_at + timedelta(days=30)
    classify(system, officer, "out_of_scope")
    assert schedules_sync()["deactivated"] == 1
    schedule.refresh_from_db()
    assert not schedule.active


@pytest.mark.django_db
def test_schedules_api(api, users, system, schedule):
    url = "/api/v1/schedules/"
    for role in ("data_scientist", "compliance_officer", "auditor", "admin"):
        assert api(users[role]).get(url).json()["count"] == 1, role
    assert api(users["outsider"]).get(url).json()["count"] == 0
    detail = f"{url}{schedule.pk}/"
    assert api(users["outsider"]).get(detail).status_code == 404
    for role in ("data_scientist", "auditor"):
        assert api(users[role]).patch(detail, {"interval_days": 7}).status_code == 403
        assert (
            api(users[role]).post(url, {"system": system.pk, "interval_days": 7}).status_code == 403
        )
        assert api(users[role]).delete(detail).status_code == 403
    changed = api(users["compliance_officer"]).patch(detail, {"interval_days": 7})
    assert changed.status_code == 200 and changed.json()["interval_days"] == 7
    assert changed.json()["from_policy"] is False
    assert api(users["admin"]).patch(detail, {"from_policy": True}).status_code == 400
    assert api(users["admin"]).patch(detail, {"interval_days": 0}).status_code == 400
    dup = api(users["admin"]).post(url, {"system": system.pk, "interval_days": 7})
    assert dup.status_code == 409
    assert api(users["admin"]).post(url, {"system": 99999, "interval_days": 7}).status_code == 400
    assert api(users["admin"]).delete(detail).status_code == 204
    created = api(users["admin"]).post(url, {"system": system.pk, "interval_days": 14})
    assert created.status_code == 201 and created.json()["from_policy"] is False
    schedules_sync()  # a hand-made schedule is left alone
    assert AuditSchedule.objects.get(system=system).interval_days == 14


@pytest.mark.django_db
def test_dispatch_starts_a_due_audit_once_and_advances(
    schedule, django_capture_on_commit_callbacks
):
    due = timezone.now() - timedelta(days=65)  # two intervals missed: still one audit
    AuditSchedule.objects.filter(pk=schedule.pk).update(next_due=due)
    with django_capture_on_commit_callbacks(execute=True):
        first = dispatch_due_audits()
    with django_capture_on_commit_callbacks(execute=True):
        second = dispatch_due_audits()
    assert len(first) == 1 and second == []
    schedule.refresh_from_db()
    assert timezone.now() < schedule.next_due <= timezone.now() + timedelta(days=30)
    run = AuditRun.objects.get()
    assert run.due_at == due and run.status == "succeeded"


@pytest.mark.django_db
def test_audit_run_rechecks_latest_data_and_raises_findings(
    api,
    users,
    system,
    schedule,
    dataset,
    labelled,
    model_version,
    german_frame,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    model_version.status = "in_review"
    model_version.save()
    newer = german_frame.copy()
    newer["credit_amount"] = newer["credit_amount"] * 2
    latest = register_frame(
        users["data_scientist"],
        dataset,
        "2",
        newer,
        roles={"risk": "target"},
        sensitive=["sex", "age"],
    )
    asked = []
    monkeypatch.setattr(
        "audits.reporting.receivers.report_request_scheduled",
        lambda audit_run: asked.append(audit_run.pk) or audit_run,
    )
    AuditSchedule.objects.filter(pk=schedule.pk).update(next_due=timezone.now())
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_due_audits", stdout=out)
    run = AuditRun.objects.get()
    assert run.status == "succeeded", run.error_message
    assert asked == [run.pk]
    assert f"Audit run #{run.pk}" in out.getvalue()
    checks = CheckRun.objects.filter(audit_run=run)
    kinds = sorted(checks.values_list("kind", flat=True))
    assert kinds == ["data_quality", "drift", "explainability", "fairness", "performance"]
    assert set(checks.values_list("dataset_version", flat=True)) == {latest.pk}
    drift = checks.get(kind="drift")
    assert drift.reference_dataset_version_id == labelled.pk
    assert all(c.status == "succeeded" for c in checks), [c.error_message for c in checks]
    assert drift.passed is False
    codes = set(Finding.objects.filter(audit_run=run).values_list("code", flat=True))
    assert "documentation_missing:human_oversight" in codes
    assert "documentation_missing:post_market_plan" in codes
    assert Notification.objects.filter(event="finding_raised", target_type="registry.aisystem")
    assert Notification.objects.filter(event="drift_detected").exists()
    # The next audit does not pile up the same open findings again.
    AuditSchedule.objects.filter(pk=schedule.pk).update(next_due=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_due_audits", "--no-sync", stdout=StringIO())
    second = AuditRun.objects.exclude(pk=run.pk).get()
    assert not Finding.objects.filter(audit_run=second, code__startswith="documentation")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatchers_start_each_audit_exactly_once(
    officer, scientist, team, monkeypatch
):

    # Rows made directly: transactional tests flush the policies seeded by migrations.
    systems = [system_create(actor=scientist, team=team, name=f"S{i}") for i in range(6)]
    for system in systems:
        AuditSchedule.objects.create(
            system=system, interval_days=30, next_due=timezone.now() - timedelta(minutes=1)
        )
    real_advance = schedule_services._advance
    barrier = threading.Barrier(2)

    def slow_advance(*args):
        # Hold the row locks a moment so the two transactions overlap for certain.
        threading.Event().wait(0.05)
        return real_advance(*args)

    monkeypatch.setattr(schedule_services, "_advance", slow_advance)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def dispatcher():
        try:
            barrier.wait()
            results.append(dispatch_due_audits())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    started = results[0] + results[1]
    assert sorted(started) == sorted(AuditRun.objects.values_list("pk", flat=True))
    per_schedule = list(AuditRun.objects.values_list("schedule", flat=True))
    assert len(per_schedule) == len(systems) == len(set(per_schedule))
    assert not AuditSchedule.objects.filter(next_due__lte=timezone.now()).exists()
