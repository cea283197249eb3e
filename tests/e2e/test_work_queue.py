"""In Chromium: a double click on "Generate model card" makes one report and the empty row
goes; a finding is worked from the findings page (an empty comment is refused in place, then
resolved); screenshots at 1440 px and 820 px."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from audits.checks import Finding as OutcomeFinding
from audits.reporting.models import Report
from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from audits.runs.services.findings import findings_create
from governance.kernel.accounts.models import User
from registry.models import ModelVersion
from tests.e2e.conftest import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_double_click_makes_one_model_card(page, live_server):
    call_command("seed_demo")
    mv = ModelVersion.objects.get(version="1.0.0")
    before = Report.objects.filter(kind="model_card", model_version=mv).count()
    login(page, live_server, "auditor", "auditor-demo-2026")
    page.goto(f"{live_server.url}/model-versions/{mv.pk}/#reports")
    page.get_by_role("button", name="Generate model card").dblclick()
    row = page.locator("#report-rows tr", has_text="Model card")
    row.get_by_role("link", name="PDF").first.wait_for(timeout=60_000)
    assert Report.objects.filter(kind="model_card", model_version=mv).count() == before + 1
    assert row.count() == before + 1
    # The list's "No reports yet." row is gone (or hidden) once a report is in it.
    assert not page.get_by_text("No reports yet.").is_visible()
    assert page.get_by_role("button", name="Generate model card").is_enabled()
    assert not page.console_errors, page.console_errors


def _problem(code: str) -> OutcomeFinding:
    return OutcomeFinding(
        severity="high",
        code=code,
        message=f"{code}: the selection rate of one group is far below the others",
        metric="demographic_parity_difference",
        value=0.31,
        threshold=0.1,
        group="sex=female",
    )


def test_working_a_finding_in_the_browser(page, live_server):
    call_command("seed_demo")
    mv = ModelVersion.objects.get(version="1.0.0")
    scientist = User.objects.get(username="scientist")
    for _ in range(3):
        run = CheckRun.objects.create(kind="fairness", model_version=mv, requested_by=scientist)
        findings_create(run=run, findings=[_problem("parity_gap")])
    finding = Finding.objects.get(code="parity_gap", status="open")
    assert finding.occurrences == 3
    login(page, live_server, "compliance", "compliance-demo-2026")
    for width in (1440, 820):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/findings/?q=parity_gap")
        shot(page, f"findings-{width}")
    row = page.locator(f"#finding-{finding.pk}")
    assert "seen 3 times" in row.inner_text()
    assert not page.console_errors, page.console_errors
    row.get_by_role("button", name=f"Resolve finding {finding.pk}").click()
    page.locator(f"#finding-{finding.pk} [role=alert]").wait_for()
    assert "cannot be empty" in page.locator(f"#finding-{finding.pk} [role=alert]").inner_text()
    assert Finding.objects.get(pk=finding.pk).status == "open"
    page.get_by_label(f"Comment on finding {finding.pk}").fill("threshold moved after review")
    page.locator(f"#finding-{finding.pk}").get_by_role(
        "button", name=f"Resolve finding {finding.pk}"
    ).click()
    page.locator(f"#finding-{finding.pk} .badge-ok").wait_for()
    assert Finding.objects.get(pk=finding.pk).status == "resolved"
