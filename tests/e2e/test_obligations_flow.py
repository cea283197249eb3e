"""A compliance officer writes a fundamental rights impact assessment through the guided form,
drafts and signs the EU declaration of conformity, records an Art. 6(3) assessment, and
downloads the PDFs of the declaration and of a serious incident report."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from governance.kernel.accounts.models import Role
from governance.obligations.conformity.models import Declaration
from governance.obligations.fria.models import FriaRevision
from governance.obligations.incidents.services import incident_open
from governance.policy.classification.models import RiskClassification
from registry.services.systems import system_create
from tests.e2e.conftest import login, shot
from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting():
    team = TeamFactory(name="Credit", slug="credit")
    officer = UserFactory(
        username="olga", role=Role.COMPLIANCE_OFFICER, teams=[team], first_name="Olga"
    )
    scientist = UserFactory(username="sam", role=Role.DATA_SCIENTIST, teams=[team])
    system = system_create(
        actor=scientist,
        team=team,
        name="Credit scoring",
        intended_purpose="Score consumer credit applications.",
    )
    RiskClassification.objects.create(
        system=system,
        tier="high_risk",
        role="provider",
        classified_by=officer,
        rationale=[],
        answers={},
    )
    return {"officer": officer, "scientist": scientist, "system": system}


def download(page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()


def test_officer_writes_fria_signs_declaration_and_downloads_pdfs(page, live_server, setting):
    system = setting["system"]
    login(page, live_server, "olga", PASSWORD)
    page.goto(f"{live_server.url}/systems/{system.pk}/fria/")
    page.get_by_label("Specific risks of harm to those persons or groups (Art. 27(1)(d))").fill(
        "Wrongful refusals of young applicants."
    )
    page.get_by_label("Non-discrimination (art. 21)").check()
    page.get_by_label("Human oversight measures (Art. 27(1)(e))").fill(
        "A credit officer reviews every refusal."
    )
    page.get_by_role("button", name="Save as a new revision").click()
    page.locator("#fria-revision").get_by_text("1").wait_for()
    assert "Missing:" in page.locator("#fria-missing").inner_text()
    shot(page, "obligations-fria")
    revision = FriaRevision.objects.get(system=system)
    assert revision.rights_at_stake == ["non_discrimination"]
    pdf = download(page, page.get_by_role("link", name="Download revision 1 as PDF"))
    assert pdf.startswith(b"%PDF")

    page.get_by_role("link", name="Conformity and registration").click()
    page.get_by_text("Draft a new declaration").click()
    page.get_by_label("Provider or authorised representative: address (Annex V 1)").fill(
        "Hauptstr. 1, 60311 Frankfurt"
    )
    page.get_by_label("Provider: name and type (Annex V 1)").fill("Example Bank AG")
    page.get_by_role("button", name="Draft the declaration").click()
    page.get_by_label("Name of the person signing").fill("Maria Keller")
    page.get_by_label("Function").fill("Chief Risk Officer")
    page.get_by_label("For and on behalf of").fill("Example Bank AG")
    page.get_by_label("Place of issue").fill("Frankfurt am Main")
    page.get_by_role("button", name="Record the signature").click()
    page.locator("#declarations").get_by_text("signed", exact=True).wait_for()
    declaration = Declaration.objects.get(system=system)
    assert declaration.status == "signed" and declaration.signatory_name == "Maria Keller"
    page.get_by_text("Record an assessment").click()
    page.get_by_label("Annex III area").fill("5(b) creditworthiness")
    page.get_by_label("(a) performs a narrow procedural task").check()
    page.get_by_label("Reasoning").fill(
        "Only sorts applications into queues; every decision is taken by a credit officer."
    )
    page.get_by_role("button", name="Record the assessment").click()
    page.get_by_text("derogation applies").first.wait_for()
    shot(page, "obligations-conformity")
    pdf = download(page, page.get_by_role("link", name="declaration 1"))
    assert pdf.startswith(b"%PDF")

    incident = incident_open(
        actor=setting["officer"],
        system=system,
        title="Wrongful refusals",
        description="Refusal rate tripled for applicants under 25.",
        category="standard",
        owner=setting["officer"],
        aware_at=timezone.now() - timedelta(days=2),
    )
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    shot(page, "obligations-incident")
    pdf = download(page, page.get_by_role("link", name="Report to the authority (PDF)"))
    assert pdf.startswith(b"%PDF")
    assert not page.console_errors, page.console_errors


def test_data_scientist_reads_but_gets_no_forms_or_pdfs(page, live_server, setting):
    system = setting["system"]
    login(page, live_server, "sam", PASSWORD)
    page.goto(f"{live_server.url}/systems/{system.pk}/conformity/")
    assert page.get_by_role("button", name="Record the signature").count() == 0
    assert page.get_by_text("Member States").count() >= 1
    response = page.goto(f"{live_server.url}/systems/{system.pk}/eu-database-registration.pdf")
    assert response.status == 403
