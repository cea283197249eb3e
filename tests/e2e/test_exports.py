"""In Chromium: an auditor filters the inventory and the findings, downloads each as CSV and
as Excel, and reads the files back; screenshots at 1440 px and 820 px."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from audits.checks import Finding as OutcomeFinding
from audits.runs.models.checks import CheckRun
from audits.runs.services.findings import findings_create
from governance.kernel.accounts.models import User
from registry.models import ModelVersion
from tests.e2e.conftest import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _download(page, link_name: str, scope: str) -> tuple[Path, str]:
    with page.expect_download() as info:
        page.locator(scope).get_by_role("link", name=link_name).click()
    download = info.value
    assert download.failure() is None
    return Path(download.path()), download.suggested_filename


def _csv_rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def _xlsx_rows(path: Path) -> list[dict]:
    # A file object: openpyxl judges a path by its extension, and downloads have none.
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_auditor_downloads_the_inventory_and_the_findings(page, live_server):
    call_command("seed_demo")
    mv = ModelVersion.objects.get(version="1.0.0")
    run = CheckRun.objects.create(
        kind="fairness", model_version=mv, requested_by=User.objects.get(username="scientist")
    )
    findings_create(
        run=run,
        findings=[
            OutcomeFinding(
                severity="high",
                code="export_gap",
                message="selection rate of one group far below the others",
                metric="demographic_parity_difference",
                value=0.31,
                threshold=0.1,
                group="sex=female",
            )
        ],
    )
    login(page, live_server, "auditor", "auditor-demo-2026")

    page.goto(f"{live_server.url}/inventory/?kind=versions")
    for width in (1440, 820):
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"inventory-exports-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})
    # Filtering through HTMX updates the download links too.
    page.get_by_label("Search").fill(mv.model.name)
    page.wait_for_url(f"**q={mv.model.name}**")
    page.locator("#inventory-exports a[href*='q=']").first.wait_for()
    path, name = _download(page, "CSV", "#inventory-exports")
    assert name.startswith("inventory-versions-") and name.endswith(".csv")
    rows = _csv_rows(path)
    visible = ModelVersion.objects.filter(model__name__icontains=mv.model.name).count()
    assert len(rows) == visible >= 1
    assert {r["Model"] for r in rows} == {mv.model.name}
    path, name = _download(page, "Excel (.xlsx)", "#inventory-exports")
    assert name.endswith(".xlsx")
    assert [r["Version"] for r in _xlsx_rows(path)] == [r["Version"] for r in rows]

    page.goto(f"{live_server.url}/findings/?status=all&q=export_gap")
    for width in (1440, 820):
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"findings-exports-{width}")
    path, name = _download(page, "CSV", "#findings-exports")
    assert name.startswith("findings-") and name.endswith(".csv")
    (row,) = _csv_rows(path)
    assert row["Code"] == "export_gap" and row["Severity"] == "High"
    assert row["Group"] == "sex=female"
    path, _ = _download(page, "Excel (.xlsx)", "#findings-exports")
    (cells,) = _xlsx_rows(path)
    assert cells["Code"] == "export_gap"
    assert cells["Value"] == pytest.approx(0.31)
    assert not page.console_errors, page.console_errors
