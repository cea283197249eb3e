"""PDFs of single AI Act records, read back with pdftotext and rendered with pdftoppm: the
serious incident report (Art. 73), the FRIA (Art. 27), the EU declaration of conformity
(Art. 47), the EU database registration data (Art. 49) and the Statement of Applicability;
who may download them, and the audit event each download writes."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from governance.kernel.audit.models import AuditEvent
from governance.obligations.conformity.services import declaration_draft, declaration_sign
from governance.obligations.crosswalks.models import Control
from governance.obligations.crosswalks.services import applicability_set
from governance.obligations.fria.services import fria_save
from governance.obligations.incidents.services import (
    incident_follow_up,
    incident_mark_reported,
    incident_open,
    incident_propose_from_finding,
)
from governance.policy.classification.models import RiskClassification

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing"),
]


def read_pdf(body: bytes, tmp_path, name: str) -> str:
    """The PDF's text; page 1 is also rendered to ``name``.png next to it."""
    assert body[:5] == b"%PDF-"
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(body)
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
    png = (tmp_path / f"{name}.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def late_incident(officer, admin_user, system):
    officer.first_name, officer.last_name, officer.email = "Olga", "Officer", "olga@example.org"
    officer.save()
    system.provider_name = "Example Bank AG"
    system.save()
    aware = timezone.now() - timedelta(days=20)
    incident = incident_open(
        actor=officer,
        system=system,
        title="Wrongful refusals of young applicants",
        description="Applicants under 25 were refused at three times the usual rate.",
        category="standard",
        owner=officer,
        aware_at=aware,
    )
    incident_mark_reported(
        actor=officer,
        incident=incident,
        authority="BaFin market surveillance",
        reported_at=aware + timedelta(days=16),
    )
    incident_follow_up(
        actor=admin_user, incident=incident, text="Threshold recalibrated; 212 cases reviewed."
    )
    return incident


def test_incident_report_pdf(users, api, late_incident, tmp_path):
    r = api(users["compliance_officer"]).get(f"/api/v1/incidents/{late_incident.pk}/report.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = read_pdf(r.content, tmp_path, "incident")
    for expected in (
        "Serious incident report: Wrongful refusals of young applicants",
        "Example Bank AG",  # who: the provider
        "Olga Officer <olga@example.org>",  # who: the owner
        "Credit scoring",  # what system
        "Applicants under 25 were refused",  # what happened
        "BaFin market surveillance",
        "15 days after becoming aware",
        "Missed: reported 24.0 hours after the deadline",
        "Threshold recalibrated; 212 cases reviewed.",  # corrective action
        "Corrective action and follow-up",
    ):
        assert expected in text, expected
    aware = late_incident.aware_at
    assert f"{aware:%Y-%m-%dT%H:%M}" in text and f"{late_incident.deadline:%Y-%m-%dT%H:%M}" in text
    event = AuditEvent.objects.get(action="record_pdf.incident")
    assert event.payload["sha256"] == r["X-Content-SHA256"]
    assert event.target_id == str(late_incident.pk) and event.actor_username == "officer1"


def test_incident_reported_in_time_and_open_ones(officer, system, api, tmp_path):
    aware = timezone.now() - timedelta(days=3)
    kwargs = {"actor": officer, "system": system, "description": "d", "owner": officer}
    on_time = incident_open(title="On time", category="standard", aware_at=aware, **kwargs)
    incident_mark_reported(
        actor=officer,
        incident=on_time,
        authority="AI office",
        reported_at=aware + timedelta(days=1),
    )
    overdue = incident_open(title="Overdue", category="widespread", aware_at=aware, **kwargs)
    client = api(officer)
    text = read_pdf(
        client.get(f"/api/v1/incidents/{on_time.pk}/report.pdf").content, tmp_path, "on-time"
    )
    assert "Met: reported 336.0 hours before the deadline" in text
    text = read_pdf(
        client.get(f"/api/v1/incidents/{overdue.pk}/report.pdf").content, tmp_path, "overdue"
    )
    assert "Missed: not reported and the deadline has passed" in text
    assert "no corrective action recorded" in text


def test_incident_from_a_finding_names_it(officer, scientist, model_version, api, tmp_path):
    run = CheckRun.objects.create(
        kind="fairness", model_version=model_version, requested_by=scientist
    )
    finding = Finding.objects.create(
        model_version=model_version,
        source="check",
        check_run=run,
        severity="high",
        code="disparate_impact",
        message="Disparate impact 0.61 for age < 25",
    )
    incident = incident_propose_from_finding(actor=officer, finding=finding)
    body = api(officer).get(f"/api/v1/incidents/{incident.pk}/report.pdf").content
    text = read_pdf(body, tmp_path, "from-finding")
    assert f"Detected by finding #{finding.pk}" in text and "Disparate impact 0.61" in text
    assert "risk-gbm v1.0.0" in text


def test_pdf_downloads_by_role_and_team(users, api, late_incident):
    path = f"/api/v1/incidents/{late_incident.pk}/report.pdf"
    for role in ("admin", "compliance_officer", "auditor"):
        assert api(users[role]).get(path).status_code == 200, role
    # The team's data scientist reads the incident but does not take documents away.
    assert api(users["data_scientist"]).get(path).status_code == 403
    assert api(users["outsider"]).get(path).status_code == 404
    assert api(users["admin"]).get("/api/v1/incidents/999999/report.pdf").status_code == 404
    assert AuditEvent.objects.filter(action="record_pdf.incident").count() == 3
    page = f"/incidents/{late_incident.pk}/report.pdf"
    assert browser(users["auditor"]).get(page).status_code == 200
    assert browser(users["data_scientist"]).get(page).status_code == 403
    assert browser(users["outsider"]).get(page).status_code == 404
    # The incident page offers the PDF only to those who may take it.
    link = f'href="{page}"'
    assert (
        link
        in browser(users["compliance_officer"])
        .get(f"/incidents/{late_incident.pk}/")
        .content.decode()
    )
    assert (
        link
        not in browser(users["data_scientist"])
        .get(f"/incidents/{late_incident.pk}/")
        .content.decode()
    )


def test_fria_pdf_with_revisions(officer, auditor, system, api, users, tmp_path):
    first = fria_save(
        actor=officer,
        system=system,
        elements={"deployer_processes": "Loan decisions by credit officers."},
        note="first draft",
    )
    fria_save(
        actor=officer,
        system=system,
        elements={
            "deployer_processes": "Loan decisions by credit officers.",
            "period_and_frequency": "Every application from 2026-01 on.",
            "affected_persons": "Consumer credit applicants.",
            "specific_risks": "Indirect discrimination by age.",
            "human_oversight": "Every refusal is reviewed.",
            "mitigation_measures": "Suspend automatic refusals.",
            "governance_complaints": "Ombudsman desk.",
        },
        rights_at_stake=["non_discrimination"],
        note="complete",
    )
    client = api(auditor)
    current = client.get(f"/api/v1/fria/{first.pk + 1}/pdf/")
    assert current.status_code == 200
    text = read_pdf(current.content, tmp_path, "fria")
    for expected in (
        "Fundamental rights impact assessment, revision 2",
        "2 (current)",
        "Every element of Art. 27(1) is written",
        "Categories of natural persons and groups likely to be affected",
        "Art. 27(1)(c)",
        "Indirect discrimination by age.",
        "Non-discrimination (art. 21)",
        "Internal governance and complaint mechanisms",
        "first draft",
    ):
        assert expected in text, expected
    old = read_pdf(client.get(f"/api/v1/fria/{first.pk}/pdf/").content, tmp_path, "fria-1")
    assert "superseded: the current revision is 2" in old
    assert "Incomplete: The deployer" not in old and "Incomplete: Period and frequency" in old
    assert api(users["data_scientist"]).get(f"/api/v1/fria/{first.pk}/pdf/").status_code == 403
    assert api(users["outsider"]).get(f"/api/v1/fria/{first.pk}/pdf/").status_code == 404
    assert browser(users["outsider"]).get(f"/fria/{first.pk}/pdf/").status_code == 404


def test_declaration_pdf_draft_then_signed(officer, system, api, users, tmp_path):
    RiskClassification.objects.create(
        system=system,
        tier="high_risk",
        role="provider",
        classified_by=officer,
        rationale=[],
        answers={},
    )
    declaration = declaration_draft(
        actor=officer,
        system=system,
        fields={
            "provider_name": "Example Bank AG",
            "provider_address": "Hauptstr. 1, 60311 Frankfurt",
            "system_reference": "Credit scoring, release 2026.1",
            "standards": "ISO/IEC 42001:2023",
            "processes_personal_data": True,
        },
    )
    client = api(officer)
    path = f"/api/v1/declarations/{declaration.pk}/pdf/"
    draft_text = read_pdf(client.get(path).content, tmp_path, "declaration-draft")
    assert "DRAFT — not signed" in draft_text and "not signed yet" in draft_text
    declaration_sign(
        actor=officer,
        declaration=declaration,
        signatory_name="Maria Keller",
        signatory_function="Chief Risk Officer",
        on_behalf_of="Example Bank AG",
        place_of_issue="Frankfurt am Main",
    )
    text = read_pdf(client.get(path).content, tmp_path, "declaration")
    today = timezone.now().date().isoformat()
    for expected in (
        "EU declaration of conformity No. 1",
        "Credit scoring, release 2026.1",
        "Hauptstr. 1, 60311 Frankfurt",
        "issued under the sole responsibility of the provider",
        "in conformity with Regulation (EU) 2024/1689",
        "Regulations (EU) 2016/679",
        "ISO/IEC 42001:2023",
        f"for and on behalf of Example Bank AG, at Frankfurt am Main on {today}",
        "Maria Keller",
        "Chief Risk Officer",
        "Signature recorded in the registry by",
    ):
        assert expected in text, expected
    assert "DRAFT" not in text
    assert api(users["data_scientist"]).get(path).status_code == 403
    assert api(users["outsider"]).get(path).status_code == 404


def test_registration_pdf_lists_the_gaps(officer, system, api, users, tmp_path):
    RiskClassification.objects.create(
        system=system,
        tier="high_risk",
        role="provider",
        classified_by=officer,
        rationale=[],
        answers={},
    )
    path = f"/api/v1/systems/{system.pk}/eu-database-registration.pdf"
    r = api(users["auditor"]).get(path)
    assert r.status_code == 200
    text = read_pdf(r.content, tmp_path, "registration")
    for expected in (
        "EU database registration data (Annex VIII)",
        "Annex VIII Section A: Providers of high-risk AI systems (Art. 49(1))",
        "Missing before registration",
        "A10 Member States where placed on the market or put into service: not recorded",
        "A11 EU declaration of conformity (Art. 47): no signed declaration of conformity",
        "Score consumer credit applications.",
        "Not yet placed on the market or put into service",
    ):
        assert expected in text, expected
    assert api(users["data_scientist"]).get(path).status_code == 403
    assert api(users["outsider"]).get(path).status_code == 404
    event = AuditEvent.objects.get(action="record_pdf.registration")
    assert event.target_id == str(system.pk)


def test_incident_report_in_french_and_german(users, api, late_incident, tmp_path):
    """``?language=`` over the API; in the browser, the language of the person's pages."""
    client = api(users["compliance_officer"])
    url = f"/api/v1/incidents/{late_incident.pk}/report.pdf"
    r = client.get(f"{url}?language=fr")
    assert r.status_code == 200
    text = read_pdf(r.content, tmp_path, "incident-fr").replace("\u00a0", " ")
    for expected in (
        "Signalement d'un incident grave : Wrongful refusals of young applicants",
        "Non respecté : signalé 24,0 heures après l'échéance",
        "Autorité de surveillance du marché",
        "5 Mesures correctives et suivi",
        "Threshold recalibrated; 212 cases reviewed.",  # written by a person: as written
    ):
        assert expected in text, expected
    assert f"{late_incident.aware_at:%d/%m/%Y %H:%M}" in text
    root = PdfReader(io.BytesIO(r.content)).trailer["/Root"]
    assert root["/Lang"] == "fr" and "/StructTreeRoot" in root
    event = AuditEvent.objects.get(action="record_pdf.incident")
    assert event.payload["language"] == "fr"
    refused = client.get(f"{url}?language=xx")
    assert refused.status_code == 400 and b"language" in refused.content

    officer = users["compliance_officer"]
    officer.language = "de"
    officer.save(update_fields=["language"])
    r = browser(officer).get(f"/incidents/{late_incident.pk}/report.pdf")
    assert r.status_code == 200
    text = read_pdf(r.content, tmp_path, "incident-de")
    assert "Meldung eines schwerwiegenden Vorfalls: Wrongful refusals" in text
    assert "Versäumt: 24,0 Stunden nach Fristablauf gemeldet" in text
    assert f"{late_incident.deadline:%d.%m.%Y %H:%M}" in text
    assert PdfReader(io.BytesIO(r.content)).trailer["/Root"]["/Lang"] == "de"


def test_statement_of_applicability_pdf(officer, system, model_version, api, users, tmp_path):
    fria_save(actor=officer, system=system, elements={"specific_risks": "Wrongful refusals"})
    applicability_set(
        actor=officer,
        system=system,
        control=Control.objects.get(framework="iso42001", ref="A.10.4"),
        applicable=False,
        justification="Scores are used in-house only; there are no customers.",
    )
    path = f"/api/v1/systems/{system.pk}/statement-of-applicability.pdf"
    r = api(users["auditor"]).get(path)
    assert r.status_code == 200
    read_pdf(r.content, tmp_path, "soa")
    # Content order (table cells whole): -layout interleaves the lines of wrapped cells.
    raw = subprocess.run(
        ["pdftotext", "-raw", str(tmp_path / "soa.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = " ".join(raw.split())
    for expected in (
        "Statement of Applicability (ISO/IEC 42001:2023 Annex A)",
        "A.2 AI policies",
        "A.10 Third parties and customers",
        "A.6.2.4 The system is verified and validated",
        "Excluded: Scores are used in-house only; there are no customers.",
        "not assessed (excluded)",
        # The FRIA is there but incomplete: A.5.3 partly covered, saying what is empty.
        "Fundamental rights impact assessment (partly): Revision 1",
        "partly covered",
        "not covered",
        "The registry keeps no record for this control; keep its evidence outside.",
        f"current version {model_version}",
    ):
        assert expected in text, expected
    assert "excluded 1" in text
    assert api(users["data_scientist"]).get(path).status_code == 403
    assert api(users["outsider"]).get(path).status_code == 404
    assert (
        browser(users["outsider"])
        .get(f"/systems/{system.pk}/statement-of-applicability.pdf")
        .status_code
        == 404
    )
    page = browser(users["compliance_officer"]).get(
        f"/systems/{system.pk}/statement-of-applicability.pdf"
    )
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    events = AuditEvent.objects.filter(action="record_pdf.soa")
    assert events.count() == 2 and events.first().target_id == str(system.pk)
