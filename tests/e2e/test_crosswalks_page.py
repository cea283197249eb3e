"""A compliance officer opens a system's standards crosswalks, excludes an ISO/IEC 42001
control with a justification, switches to the NIST AI RMF and downloads the Statement of
Applicability; screenshots of both frameworks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from governance.kernel.accounts.models import Role
from governance.kernel.audit.models import AuditEvent
from governance.obligations.crosswalks.models import Applicability
from governance.policy.classification.models import RiskClassification
from registry.services.systems import system_create
from tests.e2e.conftest import login, shot
from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_states_applicability_and_downloads_the_soa(page, live_server, tmp_path):
    team = TeamFactory(name="Credit", slug="credit")
    officer = UserFactory(username="olga", role=Role.COMPLIANCE_OFFICER, teams=[team])
    scientist = UserFactory(username="sam", role=Role.DATA_SCIENTIST, teams=[team])
    system = system_create(
        actor=scientist,
        team=team,
        name="Credit scoring",
        intended_purpose="Score consumer credit applications.",
    )
    RiskClassification.objects.create(
        system=system, tier="high_risk", classified_by=officer, rationale=[], answers={}
    )
    login(page, live_server, "olga", PASSWORD)
    page.goto(f"{live_server.url}/systems/{system.pk}/conformity/")
    page.get_by_role("link", name="Standards crosswalks").click()
    page.wait_for_url(f"**/systems/{system.pk}/crosswalks/")
    row = page.locator('tr[data-ref="A.10.4"]')
    assert "not covered" in row.inner_text() or "partly covered" in row.inner_text()
    assert "covered" in page.locator('tr[data-ref="A.5.2"]').inner_text()
    row.get_by_text("Record applicability").click()
    row.get_by_label("Applicability").select_option("no")
    row.get_by_label("Justification").fill("Scores are used in-house; there are no customers.")
    row.get_by_role("button", name="Save").click()
    page.locator('tr[data-ref="A.10.4"]').get_by_text("excluded", exact=True).wait_for()
    assert "excluded: 1" in page.locator("#totals").inner_text()
    assert Applicability.objects.get().applicable is False
    assert AuditEvent.objects.filter(action="control_applicability.set").count() == 1
    assert not page.console_errors
    shot(page, "obligations-crosswalks-iso")

    page.get_by_role("link", name="NIST AI RMF 1.0").click()
    page.locator('tr[data-ref="MEASURE 2.11"]').wait_for()
    assert page.locator('tr[data-ref="A.10.4"]').count() == 0
    shot(page, "obligations-crosswalks-nist")

    with page.expect_download() as info:
        page.locator("#soa-pdf").click()
    body = Path(info.value.path()).read_bytes()
    assert body[:5] == b"%PDF-"
    if shutil.which("pdftotext"):
        path = tmp_path / "soa.pdf"
        path.write_bytes(body)
        text = subprocess.run(
            ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Excluded: Scores are used in-house; there are no customers." in " ".join(
            text.split()
        )
