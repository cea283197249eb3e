"""Reports through the API: a high-risk version's Annex IV PDF read back with pdftotext,
byte-identical regeneration, evidence pack manifest, access by role, downloads audited."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.reporting.documents import ANNEX_IV_FULL_SECTIONS, APPENDICES
from audits.reporting.models import Report
from audits.reporting.services import report_signature_valid
from governance.kernel import signing
from governance.kernel.audit.models import AuditEvent
from governance.policy.classification.services import risk_classification_record
from governance.policy.policies.models import Policy
from governance.policy.policies.services import policy_update
from governance.policy.raci.models import Raci
from governance.policy.raci.services import responsibility_assign
from governance.review.approvals.models import Decision
from governance.review.approvals.services import (
    decision_signature_valid,
    model_version_submit,
    review_decide,
)
from registry.services.datasets import ColumnSettings, column_update, dataset_version_register
from registry.services.lineage import lineage_edge_add
from registry.services.systems import system_update
from tests.factories import PASSWORD
from tests.governance.conftest import CREDIT_SCORING

pytestmark = pytest.mark.django_db
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
ROLES_ALLOWED = ["auditor", "compliance_officer", "admin"]
PACK_SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "verify_evidence_pack.py"


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def approved_high_risk(
    admin_user,
    officer,
    scientist,
    owner,
    system,
    model_version,
    dataset_version,
    api,
    django_capture_on_commit_callbacks,
):
    """A high-risk version with real fairness and explainability runs, approved by a
    compliance officer and the accountable owner."""

    risk_classification_record(actor=officer, system=system, answers=CREDIT_SCORING)
    responsibility_assign(actor=admin_user, user=owner, role=Raci.ACCOUNTABLE, target=system)

    column_update(actor=scientist, column=dataset_version.columns.get(name="risk"), role="target")
    client = api(scientist)
    for kind in ("fairness", "explainability"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/api/v1/model-versions/{model_version.pk}/checks/",
                {
                    "kind": kind,
                    "dataset_version": dataset_version.pk,
                    "sensitive_columns": ["sex", "age"],
                },
                format="json",
            )
        assert response.status_code == 202, response.content

    # Approving needs every required check to pass; the test keeps the two real runs as
    # evidence and relaxes the policy (an audited admin edit) so the approval can happen.
    policy_update(actor=admin_user, policy=Policy.objects.get(tier="high_risk"), required_checks=[])

    # Two human sections are written; the others stay empty and must print "not provided".
    system_update(
        actor=scientist,
        system=system,
        human_oversight="A credit officer reviews every declined application.",
        post_market_plan="Monthly drift and fairness runs on production decisions.",
    )
    model_version_submit(actor=scientist, model_version=model_version)
    review_decide(
        actor=officer,
        model_version=model_version,
        decision="approve",
        comment="Evidence reviewed.",
        password=PASSWORD,
    )
    review_decide(
        actor=owner,
        model_version=model_version,
        decision="approve",
        comment="Accountable owner sign-off.",
        password=PASSWORD,
    )
    model_version.refresh_from_db()
    assert model_version.status == "approved"
    return model_version


def generate(client, mv, kind, capture):
    with capture(execute=True):
        response = client.post(
            f"/api/v1/model-versions/{mv.pk}/reports/", {"kind": kind}, format="json"
        )
    assert response.status_code == 202, response.content
    report = Report.objects.get(pk=response.json()["id"])
    assert report.status == "succeeded", (report.error_code, report.error_message)
    return report


@needs_poppler
def test_annex_iv_of_a_high_risk_version(
    approved_high_risk, auditor, api, tmp_path, django_capture_on_commit_callbacks, officer, owner
):
    client = api(auditor)
    report = generate(client, approved_high_risk, "annex_iv", django_capture_on_commit_callbacks)
    download = client.get(f"/api/v1/reports/{report.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    pdf = download.content
    assert hashlib.sha256(pdf).hexdigest() == report.sha256 == download["X-Content-SHA256"]
    text = pdf_text(pdf, tmp_path)
    flat = text.replace("\n", " ")
    for _, heading in ANNEX_IV_FULL_SECTIONS + APPENDICES:
        assert heading in text, heading
    assert approved_high_risk.artefact.sha256 in text.replace(" ", "").replace("\n", "")
    assert "Per-group results: sex" in text and "female" in text and "male" in text
    assert "Mean |SHAP|" in text and "Global importance (mean |SHAP|)" in flat
    for person in (officer, owner):
        assert (person.get_full_name() or person.username) in text
    assert text.count("not provided") >= 5  # e.g. interactions, hardware, standards
    assert report.pages >= 10
    images = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True)
    if images.returncode == 0:
        assert images.stdout.count(b"\n") > 3
    assert AuditEvent.objects.filter(
        action="report.downloaded_pdf", target_id=str(report.pk), actor=auditor
    ).exists()


def test_regenerating_from_the_snapshot_gives_the_same_sha256(
    approved_high_risk, officer, api, django_capture_on_commit_callbacks
):
    client = api(officer)
    report = generate(client, approved_high_risk, "annex_iv", django_capture_on_commit_callbacks)
    verdict = client.post(f"/api/v1/reports/{report.pk}/verify/").json()
    assert verdict["identical"] is True and verdict["stored_file_intact"] is True
    assert verdict["regenerated_sha256"] == report.sha256
    report.snapshot["system"]["intended_purpose"] = "tampered"
    with pytest.raises(ValueError, match="immutable"):
        report.save()


def test_evidence_pack_manifest(
    approved_high_risk, auditor, api, django_capture_on_commit_callbacks
):
    client = api(auditor)
    report = generate(client, approved_high_risk, "model_card", django_capture_on_commit_callbacks)
    response = client.get(f"/api/v1/reports/{report.pk}/evidence-pack/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert names == {
        report.filename,
        "snapshot.json",
        "manifest.json",
        "signature.json",
        "public-keys.pem",
    }
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["files"][report.filename] == report.sha256
    assert hashlib.sha256(archive.read(report.filename)).hexdigest() == report.sha256
    assert (
        manifest["files"]["snapshot.json"]
        == hashlib.sha256(archive.read("snapshot.json")).hexdigest()
    )
    hashes = {item["sha256"] for item in manifest["inputs"]}
    assert approved_high_risk.artefact.sha256 in hashes
    for edge in approved_high_risk.upstream_edges.all():
        assert edge.upstream_dataset_version.blob.sha256 in hashes
    assert AuditEvent.objects.filter(action="report.downloaded_evidence_pack").exists()
    # The same report downloaded twice gives the same zip.
    again = client.get(f"/api/v1/reports/{report.pk}/evidence-pack/").content
    assert again == response.content


@pytest.mark.parametrize("who", ["data_scientist", "outsider"])
def test_refused_roles(
    users,
    who,
    model_version,
    api,
    admin_user,
    django_capture_on_commit_callbacks,
):
    report = generate(
        api(admin_user), model_version, "model_card", django_capture_on_commit_callbacks
    )
    client = api(users[who])
    assert (
        client.post(
            f"/api/v1/model-versions/{model_version.pk}/reports/",
            {"kind": "annex_iv"},
            format="json",
        ).status_code
        == 403
    )
    assert client.get(f"/api/v1/reports/{report.pk}/download/").status_code == 403
    assert client.get(f"/api/v1/reports/{report.pk}/evidence-pack/").status_code == 403
    assert client.get("/api/v1/reports/").status_code == 403


@pytest.mark.parametrize("who", ROLES_ALLOWED)
def test_allowed_roles_generate_and_download(
    users,
    who,
    model_version,
    api,
    django_capture_on_commit_callbacks,
):
    client = api(users[who])
    report = generate(client, model_version, "model_card", django_capture_on_commit_callbacks)
    assert client.get(f"/api/v1/reports/{report.pk}/download/").status_code == 200
    assert client.get("/api/v1/reports/").json()["count"] >= 1


def test_inventory_and_bad_input(
    auditor,
    api,
    model_version,
    django_capture_on_commit_callbacks,
    tmp_path,
):
    client = api(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/reports/", {"kind": "inventory"}, format="json")
    assert response.status_code == 202
    report = Report.objects.get(pk=response.json()["id"])
    assert report.status == "succeeded"
    if shutil.which("pdftotext"):
        text = pdf_text(client.get(f"/api/v1/reports/{report.pk}/download/").content, tmp_path)
        assert model_version.model.system.name in text
    assert client.post("/api/v1/reports/", {"kind": "poster"}, format="json").status_code == 400
    assert client.post("/api/v1/reports/", {"kind": "audit"}, format="json").status_code == 400
    assert (
        client.post(
            f"/api/v1/model-versions/{model_version.pk}/reports/",
            {"kind": "inventory"},
            format="json",
        ).status_code
        == 400
    )
    assert client.get("/api/v1/reports/999999/download/").status_code == 404


def test_the_report_names_the_evidence_run_its_data_and_reproductions(
    officer,
    scientist,
    auditor,
    system,
    model_version,
    dataset,
    dataset_version,
    german_csv_bytes,
    api,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    risk_classification_record(actor=officer, system=system, answers=CREDIT_SCORING)
    column_update(actor=scientist, column=dataset_version.columns.get(name="risk"), role="target")
    holdout = dataset_version_register(
        actor=scientist,
        dataset=dataset,
        version="holdout",
        data_file=SimpleUploadedFile("holdout.csv", german_csv_bytes, "text/csv"),
        column_settings=ColumnSettings(roles={"risk": "target"}, sensitive=["sex", "age"]),
    )
    lineage_edge_add(actor=scientist, kind="tested_on", upstream=holdout, downstream=model_version)
    url = f"/api/v1/model-versions/{model_version.pk}/checks/"
    with capture(execute=True):
        evidence = api(scientist).post(
            url, {"kind": "fairness", "dataset_version": holdout.pk}, format="json"
        )
        exploratory = api(scientist).post(
            url,
            {
                "kind": "fairness",
                "dataset_version": dataset_version.pk,
                "sensitive_columns": ["sex"],
                "exploratory": True,
            },
            format="json",
        )
    evidence_id, exploratory_id = evidence.json()["id"], exploratory.json()["id"]
    with capture(execute=True):
        reproduced = api(auditor).post(f"/api/v1/checks/{evidence_id}/reproduce/")
    report = generate(api(auditor), model_version, "model_card", capture)
    block = report.snapshot["evidence"]
    assert [u["text"] for u in block["used"]] == [
        f"fairness: run #{evidence_id} on German Credit holdout (tested_on)"
    ]
    assert {r["id"]: r["standing"] for r in block["not_evidence"]} == {
        exploratory_id: "exploratory"
    }
    (repro,) = block["reproductions"]
    assert repro["id"] == reproduced.json()["id"] and repro["outcome"] == "reproduced"
    rows = {c["id"]: c["evidence"] for c in report.snapshot["checks"]}
    assert rows[evidence_id] == "evidence" and rows[exploratory_id] == "exploratory"
    pack = api(auditor).get(f"/api/v1/reports/{report.pk}/evidence-pack/")
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(pack.content)).read("manifest.json"))
    assert manifest["reproductions"][0]["outcome"] == "reproduced"
    assert manifest["reproductions"][0]["reproduces"] == evidence_id
    assert any(f"reproduction of #{evidence_id}" in item["what"] for item in manifest["inputs"])


def _run_pack_script(pack: bytes, tmp_path, public_pem: str) -> subprocess.CompletedProcess:
    """The standalone verifier, in a process that must never import Django."""
    path, key = tmp_path / "pack.zip", tmp_path / "server.pub.pem"
    path.write_bytes(pack)
    key.write_text(public_pem)
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['verify', {str(path)!r}, '--public-key', {str(key)!r}]\n"
        "try:\n"
        f"    runpy.run_path({str(PACK_SCRIPT)!r}, run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    status = exit.code\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'imported Django'\n"
        "sys.exit(status)\n"
    )
    return subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=120
    )


def _rezip(pack: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(pack)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, replace.get(name, src.read(name)))
    return out.getvalue()


def test_reports_and_approvals_carry_server_signatures_checked_offline(
    approved_high_risk, auditor, api, django_capture_on_commit_callbacks, tmp_path
):
    client = api(auditor)
    report = generate(client, approved_high_risk, "annex_iv", django_capture_on_commit_callbacks)
    assert report.server_signature and report.signing_key_id
    assert report_signature_valid(report)
    verdict = client.post(f"/api/v1/reports/{report.pk}/verify/").json()
    assert verdict["signature_valid"] is True
    decisions = client.get(f"/api/v1/model-versions/{approved_high_risk.pk}/decisions/").json()
    rows = decisions["results"] if isinstance(decisions, dict) else decisions
    assert len(rows) == 2 and all(d["server_signature_valid"] for d in rows)

    pack = client.get(f"/api/v1/reports/{report.pk}/evidence-pack/").content
    public = signing.trusted_public_keys_pem()
    ok = _run_pack_script(pack, tmp_path, public)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    # An approval comment edited in the snapshot: the file hash and the approval's signature fail.
    snapshot = json.loads(zipfile.ZipFile(io.BytesIO(pack)).read("snapshot.json"))
    snapshot["approvals"][0]["server_signature"]["record"]["comment"] = "Looks fine."
    bad = _run_pack_script(
        _rezip(pack, {"snapshot.json": json.dumps(snapshot).encode()}), tmp_path, public
    )
    assert bad.returncode == 1
    assert "snapshot.json: SHA-256" in bad.stdout and "no valid server signature" in bad.stdout
    # A pack re-signed with another key does not verify with the server's public key.
    other = Ed25519PrivateKey.generate().public_key()
    pem = other.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    assert _run_pack_script(pack, tmp_path, pem).returncode == 1

    # A decision edited in the database no longer matches the server's signature.
    decision = Decision.objects.filter(model_version=approved_high_risk).first()
    Decision.objects.filter(pk=decision.pk).update(comment="Edited afterwards.")
    decision.refresh_from_db()
    assert not decision_signature_valid(decision)
