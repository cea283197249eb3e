"""The browser workspace as a reviewer sees it: every main page at laptop (1366 px) and
tablet (820 px) width without sideways scrolling, the findings browser reached from the
dashboard, and the approval dialog closing on Escape and on its backdrop."""

import pytest

from audits.runs.models.findings import Finding
from registry.models import DatasetVersion
from tests.e2e.conftest import login, shot
from tests.e2e.test_governance_flow import demo, submitted  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}
PASSWORDS = {
    "admin": "admin-demo-2026",
    "compliance": "compliance-demo-2026",
    "scientist": "scientist-demo-2026",
    "auditor": "auditor-demo-2026",
}


def _overflow(page) -> int:
    """How far the page scrolls sideways (0 when it fits; wide tables scroll inside)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_main_pages_fit_a_laptop_and_a_tablet(page, live_server, demo):  # noqa: F811
    mv, system = demo["mv"], demo["system"]

    dv = DatasetVersion.objects.order_by("pk").first()
    pages = {
        "admin": [
            ("dashboard", "/"),
            ("inventory-versions", "/inventory/"),
            ("inventory-systems", "/inventory/?kind=systems"),
            ("inventory-datasets", "/inventory/?kind=datasets"),
            ("people", "/people/"),
            ("responsibilities", "/responsibilities/"),
            ("policies", "/policies/"),
            ("audit-trail", "/audit-trail/"),
        ],
        "compliance": [
            ("dashboard", "/"),
            ("review-queue", "/review-queue/"),
            ("model-version", f"/model-versions/{mv.pk}/"),
            ("dataset-version", f"/dataset-versions/{dv.pk}/"),
            ("classification", f"/systems/{system.pk}/classification/"),
            ("classify", f"/systems/{system.pk}/classification/new/"),
            ("findings", "/findings/"),
            ("audits", "/audits/"),
        ],
        "scientist": [("dashboard", "/"), ("notifications", "/notifications/")],
        "auditor": [("reports", "/reports/"), ("findings", "/findings/")],
    }
    problems = []
    for who, paths in pages.items():
        page.set_viewport_size(LAPTOP)
        login(page, live_server, who, PASSWORDS[who])
        for name, path in paths:
            for label, size in (("laptop", LAPTOP), ("tablet", TABLET)):
                page.set_viewport_size(size)
                response = page.goto(f"{live_server.url}{path}")
                page.wait_for_load_state("networkidle")
                if response.status != 200:
                    problems.append(f"{who} {path}: HTTP {response.status}")
                if _overflow(page) > 0:
                    problems.append(f"{who} {path} at {size['width']} px scrolls sideways")
                shot(page, f"ui-{who}-{name}-{label}")
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url("**/login/**")
    assert not problems, problems
    assert not page.console_errors, page.console_errors


def test_findings_browser_from_the_dashboard(page, live_server, demo):  # noqa: F811
    high = Finding.objects.filter(status="open", severity="high").count()
    assert high, "the demo's fairness check raises high-severity findings"
    login(page, live_server, "compliance", "compliance-demo-2026")
    # The counts are folded under "At a glance", below the work lists.
    page.locator("details.glance summary").click()
    panel = page.locator("section", has=page.get_by_role("heading", name="Open findings"))
    panel.get_by_role("link", name="High").click()
    page.wait_for_url("**/findings/?status=open&severity=high")
    rows = page.locator("#findings-table tbody tr")
    assert rows.count() == high
    assert (
        page.get_by_role("navigation", name="Severity")
        .get_by_role("link", name="High")
        .get_attribute("aria-current")
        == "page"
    )
    shot(page, "findings-high")

    finding = Finding.objects.filter(status="open", severity="high").order_by("pk").first()
    row = page.locator(f"#finding-{finding.pk}")
    row.get_by_label(f"Comment on finding {finding.pk}").fill("Reweighed and retrained.")
    row.get_by_role("button", name=f"Resolve finding {finding.pk}").click()
    page.locator(f"#finding-{finding.pk} .badge", has_text="resolved").wait_for()
    finding.refresh_from_db()
    assert finding.status == "resolved" and finding.resolution_comment.startswith("Reweighed")

    page.get_by_label("Status").select_option("resolved")
    page.locator(f"#finding-{finding.pk}").wait_for()
    page.set_viewport_size(TABLET)
    assert _overflow(page) == 0
    shot(page, "findings-resolved-tablet")
    assert not page.console_errors, page.console_errors


def test_escape_and_the_backdrop_close_the_approval_dialog(page, live_server, submitted):  # noqa: F811
    login(page, live_server, "compliance", "compliance-demo-2026")
    page.goto(f"{live_server.url}/model-versions/{submitted.pk}/")
    approve = page.get_by_role("link", name="Approve…")
    dialog = page.get_by_role("dialog")

    approve.click()
    dialog.wait_for()
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Approve…"

    # Keyboard only: Enter opens it, Tab stays inside it, Escape closes it.
    approve.focus()
    page.keyboard.press("Enter")
    dialog.wait_for()
    for _ in range(12):
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('dialog')")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")

    approve.click()
    dialog.wait_for()
    page.locator(".overlay").click(position={"x": 5, "y": 5})
    dialog.wait_for(state="detached")

    page.get_by_role("link", name="Reject…").click()
    dialog.wait_for()
    dialog.get_by_role("link", name="Cancel").click()
    dialog.wait_for(state="detached")
    assert not submitted.decisions.exists()
    assert not page.console_errors, page.console_errors
