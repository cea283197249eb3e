"""Scheduled audits of an LLM application: the generative evaluation is re-run on the newest
recorded answers, the tabular checks (which it cannot run) are not asked for."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from audits.programme.models import AuditRun, AuditSchedule
from audits.programme.services.schedules import schedules_sync
from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from registry.services.datasets import dataset_version_register
from tests.audits.conftest import classify
from tests.audits.runs.test_generative_checks import (
    GOOD,
    LEAKY,
    application,  # noqa: F401  (fixture)
    jsonl,
    records,
    upload,
)
from tests.conftest import wait_for


def _prepare(scientist, officer, system, dataset, application):  # noqa: F811
    """Limited tier, answers recorded for the release (linked as tested_on) and newer
    answers recorded since (a newer version of the same dataset, leaking an e-mail)."""
    classify(system, officer, "limited")
    schedules_sync()
    first = records(scientist, dataset, application, GOOD)
    newer = dataset_version_register(
        actor=scientist,
        dataset=dataset,
        version="rec-2",
        data_file=upload("rec-2.jsonl", jsonl(LEAKY)),
    )
    application.status = "in_review"
    application.save()
    AuditSchedule.objects.filter(system=system).update(next_due=timezone.now())
    return first, newer


def _assert_generative_rerun(run, newer):
    checks = CheckRun.objects.filter(audit_run=run)
    assert list(checks.values_list("kind", flat=True)) == ["generative"]
    check = checks.get()
    assert check.dataset_version_id == newer.pk
    assert check.status == "succeeded", check.error_message
    assert check.result["metrics"]["pii_leak_rate"] > 0 and check.passed is False
    codes = set(Finding.objects.filter(audit_run=run).values_list("code", flat=True))
    assert "audit_no_data" not in codes and "audit_no_outputs" not in codes
    assert run.summary["model_versions"][0]["required_checks"] == ["generative"]


@pytest.mark.django_db
def test_audit_reruns_the_generative_check_on_the_newest_answers(
    scientist,
    officer,
    system,
    dataset,
    application,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    _, newer = _prepare(scientist, officer, system, dataset, application)
    monkeypatch.setattr(
        "audits.reporting.receivers.report_request_scheduled", lambda audit_run: audit_run
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_due_audits", stdout=StringIO())
    run = AuditRun.objects.get()
    assert run.status == "succeeded", run.error_message
    _assert_generative_rerun(run, newer)
    # The failing re-run is a finding of the check, and it withdrew nothing: no approval yet.
    assert Finding.objects.filter(check_run__audit_run=run, code="generative_pii_leak_rate")


@pytest.mark.django_db
def test_an_application_without_recorded_answers_is_a_finding(
    scientist,
    officer,
    system,
    application,  # noqa: F811
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    classify(system, officer, "limited")
    schedules_sync()
    application.status = "in_review"
    application.save()
    AuditSchedule.objects.filter(system=system).update(next_due=timezone.now())
    monkeypatch.setattr(
        "audits.reporting.receivers.report_request_scheduled", lambda audit_run: audit_run
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_due_audits", stdout=StringIO())
    run = AuditRun.objects.get()
    assert not CheckRun.objects.filter(audit_run=run).exists()
    finding = Finding.objects.get(audit_run=run, code="audit_no_outputs")
    assert "no recorded answers" in finding.message and "tested_on" in finding.message
    codes = set(Finding.objects.filter(audit_run=run).values_list("code", flat=True))
    assert "audit_no_data" not in codes  # no training data is asked of an LLM application
    assert "check_missing:generative" in codes


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_reruns_the_generative_check(
    celery_worker_process,
    scientist,
    officer,
    system,
    dataset,
    application,  # noqa: F811
):
    """Second pass: the audit and its generative check run in the real worker process."""
    _, newer = _prepare(scientist, officer, system, dataset, application)
    call_command("run_due_audits", "--no-sync", stdout=StringIO())
    run = wait_for(lambda: AuditRun.objects.filter(status="succeeded").first(), timeout=90)
    wait_for(
        lambda: CheckRun.objects.filter(audit_run=run, status__in=["succeeded", "failed"]).first(),
        timeout=90,
    )
    _assert_generative_rerun(run, newer)
