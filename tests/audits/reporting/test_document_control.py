"""Document control on model version reports: a revision number per kind and version, DRAFT
(on every page) while the version is not approved, FINAL with the approvers' names and dates
once it is; a DRAFT report is never rewritten, the next revision is the FINAL one."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.test import Client

from audits.reporting.models import Report
from governance.policy.classification.models import RiskClassification
from governance.policy.policies.models import Policy
from governance.policy.policies.services import policy_update
from governance.review.approvals.services import model_version_submit, review_decide
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing"),
]


def pdf_text(pdf: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(path),
            str(tmp_path / name),
        ],
        check=True,
    )
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def raw_text(tmp_path, name: str) -> str:
    """Text in content order, diagonal text included (``-layout`` leaves it out)."""
    return subprocess.run(
        ["pdftotext", "-raw", str(tmp_path / f"{name}.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def generate(client, mv, capture) -> Report:
    with capture(execute=True):
        r = client.post(
            f"/api/v1/model-versions/{mv.pk}/reports/", {"kind": "model_card"}, format="json"
        )
    assert r.status_code == 202, r.content
    report = Report.objects.get(pk=r.json()["id"])
    assert report.status == "succeeded", (report.error_code, report.error_message)
    return report


def test_draft_until_approved_then_final(
    admin_user,
    officer,
    auditor,
    system,
    model_version,
    api,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    officer.first_name, officer.last_name = "Olga", "Officer"
    officer.save()
    client = api(auditor)
    draft = generate(client, model_version, django_capture_on_commit_callbacks)
    dc = draft.snapshot["document_control"]
    assert dc == {"revision": 1, "status": "DRAFT", "version_status": "draft", "approvers": []}
    text = pdf_text(client.get(f"/api/v1/reports/{draft.pk}/download/").content, tmp_path, "d")
    assert "DRAFT · revision 1 (the version was draft when this was generated)" in text
    # The watermark is on every page.
    assert raw_text(tmp_path, "d").count("DRAFT") == draft.pages + 1

    RiskClassification.objects.create(
        system=system, tier="minimal", classified_by=officer, rationale=[], answers={}
    )
    policy_update(actor=admin_user, policy=Policy.objects.get(tier="minimal"), required_checks=[])
    model_version_submit(actor=model_version.created_by, model_version=model_version)
    decision = review_decide(
        actor=officer,
        model_version=model_version,
        decision="approve",
        comment="Fine for a minimal-risk use.",
        password=PASSWORD,
    )
    model_version.refresh_from_db()
    assert model_version.status == "approved"

    final = generate(client, model_version, django_capture_on_commit_callbacks)
    dc = final.snapshot["document_control"]
    assert dc["revision"] == 2 and dc["status"] == "FINAL"
    assert dc["approvers"] == [
        {
            "name": "Olga Officer",
            "capacity": "compliance officer",
            "decided_at": decision.decided_at.isoformat(),
            "round": 1,
        }
    ]
    assert client.get(f"/api/v1/reports/{final.pk}/").json()["document_control"] == dc
    text = pdf_text(client.get(f"/api/v1/reports/{final.pk}/download/").content, tmp_path, "f")
    assert "FINAL · revision 2" in text and "DRAFT" not in raw_text(tmp_path, "f")
    assert f"Olga Officer (compliance officer), {decision.decided_at:%Y-%m-%d}" in text
    # The DRAFT stays what it was: regenerating it from its snapshot gives the same bytes.
    draft.refresh_from_db()
    assert draft.snapshot["document_control"]["status"] == "DRAFT"
    browser = Client()
    browser.force_login(auditor)
    page = browser.get("/reports/").content.decode()
    assert "DRAFT rev. 1" in page and "FINAL rev. 2" in page
    verify = client.post(f"/api/v1/reports/{draft.pk}/verify/").json()
    assert verify["identical"] and verify["stored_file_intact"]
