"""An auditor generates the Annex IV documentation from the model version page, watches the
progress, and downloads the PDF; the inventory register from the reports page."""

import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command

from audits.reporting.models import Report
from registry.models import ModelVersion
from tests.e2e.conftest import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_auditor_generates_and_downloads_annex_iv(page, live_server):
    call_command("seed_demo")
    mv = ModelVersion.objects.get(version="1.0.0")
    login(page, live_server, "auditor", "auditor-demo-2026")
    page.goto(f"{live_server.url}/model-versions/{mv.pk}/#reports")
    page.get_by_role("button", name="Generate Annex IV documentation").click()
    link = page.locator("#report-rows").get_by_role("link", name="PDF").first
    link.wait_for(timeout=60_000)
    shot(page, "reports-on-model-version")
    with page.expect_download() as info:
        link.click()
    download = info.value
    pdf = Path(download.path()).read_bytes()
    report = Report.objects.get(kind="annex_iv", model_version=mv)
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == report.sha256
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("button", name="Generate the inventory register").click()
    page.locator("#report-rows tr", has_text="Inventory register").get_by_role(
        "link", name="PDF"
    ).wait_for(timeout=60_000)
    shot(page, "reports")
    assert not page.console_errors, page.console_errors


def test_data_scientist_is_refused_reports(page, live_server):
    call_command("seed_demo", "--users-only")
    login(page, live_server, "scientist", "scientist-demo-2026")
    response = page.goto(f"{live_server.url}/reports/")
    assert response.status == 403
    assert page.get_by_role("link", name="Reports").count() == 0
