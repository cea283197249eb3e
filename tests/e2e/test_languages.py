"""A person whose language is French sees the pages in French, and the report they generate
from the reports page is French unless they pick another language."""

import pytest
from django.core.management import call_command

from audits.reporting.models import Report
from governance.kernel.accounts.models import User
from tests.e2e.conftest import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_french_pages_and_a_french_report(page, live_server):
    call_command("seed_demo", "--users-only")
    User.objects.filter(username="auditor").update(language="fr")
    login(page, live_server, "auditor", "auditor-demo-2026")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "fr"
    nav = page.get_by_role("navigation", name="Principale")
    for label in ("Tableau de bord", "Inventaire", "Piste d'audit", "Rapports"):
        assert nav.get_by_role("link", name=label).count() == 1, label
    page.get_by_role("heading", name="Ce que je dois décider").wait_for()
    shot(page, "dashboard-fr")
    nav.get_by_role("link", name="Inventaire").click()
    page.get_by_role("heading", name="Inventaire").wait_for()
    shot(page, "inventory-fr")

    nav.get_by_role("link", name="Rapports").click()
    assert page.get_by_label("Langue du rapport").input_value() == "fr"
    page.get_by_role("button", name="Générer le registre d'inventaire").click()
    page.locator("#report-rows tr", has_text="FR").get_by_role("link", name="PDF").wait_for(
        timeout=60_000
    )
    shot(page, "reports-fr")
    report = Report.objects.get(kind="inventory")
    assert report.language == "fr" and report.snapshot["language"] == "fr"
    assert not page.console_errors, page.console_errors
