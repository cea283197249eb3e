"""A scheduled audit ends in an ``audit`` report, written by the report worker from the
finished checks, findings and responsibilities, and read back from the PDF."""

from __future__ import annotations

import shutil
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from audits.programme.models import AuditRun, AuditSchedule
from audits.programme.services.schedules import schedules_sync
from audits.reporting.models import Report
from governance.policy.classification.models import RiskClassification

pytestmark = pytest.mark.django_db


def test_scheduled_audit_writes_an_audit_report(
    system,
    officer,
    labelled,
    model_version,
    auditor,
    api,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    RiskClassification.objects.create(
        system=system, tier="high_risk", classified_by=officer, rationale=[], answers={}
    )
    schedules_sync()
    model_version.status = "in_review"
    model_version.save()
    AuditSchedule.objects.filter(system=system).update(next_due=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_due_audits", stdout=StringIO())
    run = AuditRun.objects.get()
    report = Report.objects.get(audit_run=run)
    assert report.kind == "audit" and report.requested_by is None
    assert report.status == "succeeded", report.error_message
    snapshot = report.snapshot
    assert {c["kind"] for c in snapshot["checks"]} >= {"fairness", "explainability"}
    assert all(c["status"] in ("succeeded", "failed") for c in snapshot["checks"])
    assert snapshot["findings"], "the audit raised findings (missing documentation at least)"
    response = api(auditor).get(f"/api/v1/reports/{report.pk}/download/")
    assert response.status_code == 200
    if shutil.which("pdftotext"):
        path = tmp_path / "audit.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        for heading in (
            "1 Scope of the audit",
            "2 What was checked",
            "3 Results",
            "4 Findings",
            "5 Who is responsible",
            "6 Hash manifest",
        ):
            assert heading in text
        assert f"Audit #{run.pk}" in text
        # Document control: FINAL when every check of the finished audit was computed.
        dc = snapshot["document_control"]
        failed = sum(1 for c in snapshot["checks"] if c["status"] == "failed")
        assert dc["revision"] == 1
        assert dc["status"] == ("DRAFT" if failed else "FINAL")
        assert f"{dc['status']} · revision 1" in text
        assert "human oversight" in text.lower()
