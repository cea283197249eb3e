"""In Chromium: the model version page's sections (overview, evidence, lineage, reviews,
deployments, reports, history) are tabs, chosen by mouse or arrow keys and opened by address
(#evidence); without JavaScript the bar of links stays at the top and each link lands on its
section. Check charts open full size in a new tab; the lineage graph zooms. Screenshots at
1440 px and 820 px."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, shot
from tests.e2e.test_governance_flow import demo  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECTIONS = ["Overview", "Evidence", "Lineage", "Reviews", "Deployments", "Reports", "History"]


def test_the_sections_are_tabs(page, live_server, demo):  # noqa: F811
    mv = demo["mv"]
    login(page, live_server, "compliance", "compliance-demo-2026")
    url = f"{live_server.url}/model-versions/{mv.pk}/"
    page.goto(url)
    tablist = page.get_by_role("tablist", name="Sections of this page")
    tabs = tablist.get_by_role("tab")
    assert [t.inner_text() for t in tabs.all()] == SECTIONS
    for width in (1440, 820):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        shot(page, f"model-version-tabs-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})

    def shown() -> str:
        (selected,) = [t for t in tabs.all() if t.get_attribute("aria-selected") == "true"]
        panel = page.locator(f"#{selected.get_attribute('aria-controls')}")
        assert panel.get_attribute("role") == "tabpanel" and panel.is_visible()
        assert panel.get_attribute("aria-labelledby") == selected.get_attribute("id")
        assert page.locator("[role=tabpanel]:visible").count() == 1
        return selected.inner_text()

    assert shown() == "Overview" and page.locator("#overview").is_visible()
    for name in SECTIONS:
        tablist.get_by_role("tab", name=name).click()
        assert shown() == name
        # The address names the section, so it can be shared and reopened.
        target = page.evaluate("location.hash").lstrip("#")
        assert page.locator(f"#{target}").is_visible(), name
    # Keyboard: arrows move between tabs (wrapping), Home and End go to the ends; only the
    # chosen tab is in the tab order.
    tablist.get_by_role("tab", name="Overview").click()
    page.keyboard.press("ArrowRight")
    assert shown() == "Evidence"
    assert page.evaluate("document.activeElement.textContent") == "Evidence"
    page.keyboard.press("End")
    assert shown() == "History"
    page.keyboard.press("ArrowRight")
    assert shown() == "Overview"
    page.keyboard.press("ArrowLeft")
    assert shown() == "History"
    page.keyboard.press("Home")
    assert shown() == "Overview"
    assert tablist.locator("[tabindex='0']").count() == 1

    # Deep links open the tab holding the section, also for a section inside a tab.
    for anchor, name in (
        ("evidence", "Evidence"),
        ("personal-data", "Lineage"),
        ("deployments", "Deployments"),
        ("history", "History"),
    ):
        page.goto(f"{url}#{anchor}")
        page.reload()
        assert shown() == name, anchor
        assert page.locator(f"#{anchor}").is_visible(), anchor
    page.goto(f"{url}#evidence")
    page.reload()
    shot(page, "model-version-evidence-1440")
    chart = page.locator("#evidence .charts a").first
    assert chart.get_attribute("target") == "_blank"
    with page.context.expect_page() as opened:
        chart.click()
    full = opened.value
    full.wait_for_load_state()
    assert full.url.endswith(".png")
    full.close()

    # The lineage graph zooms and fits.
    tablist.get_by_role("tab", name="Lineage").click()
    graph = page.locator("#lineage svg")
    width = float(graph.get_attribute("width"))
    zoom = page.get_by_role("group", name="Zoom the lineage graph")
    zoom.get_by_role("button", name="Zoom in").click()
    assert float(graph.get_attribute("width")) == pytest.approx(width * 1.25, abs=1)
    assert zoom.locator("output").inner_text() == "125%"
    zoom.get_by_role("button", name="Zoom out").click()
    zoom.get_by_role("button", name="Zoom out").click()
    assert zoom.locator("output").inner_text() == "80%"
    zoom.get_by_role("button", name="Actual size").click()
    assert float(graph.get_attribute("width")) == pytest.approx(width, abs=1)
    for w in (1440, 820):
        page.set_viewport_size({"width": w, "height": 900})
        zoom.get_by_role("button", name="Fit to width").click()
        frame = page.locator("#lineage [data-zoom-frame]").bounding_box()
        assert float(graph.get_attribute("width")) <= frame["width"]
        shot(page, f"model-version-lineage-{w}")
    assert not page.console_errors, page.console_errors


def test_without_javascript_the_sections_are_anchored(browser, live_server, demo):  # noqa: F811
    mv = demo["mv"]
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    login(page, live_server, "compliance", "compliance-demo-2026")
    page.goto(f"{live_server.url}/model-versions/{mv.pk}/")
    assert page.get_by_role("tablist").count() == 0
    bar = page.get_by_role("navigation", name="Sections of this page")
    assert [a.inner_text() for a in bar.get_by_role("link").all()] == SECTIONS
    shot(page, "model-version-sections-nojs-1440")
    for name in SECTIONS:
        bar.get_by_role("link", name=name).click()
        target = page.evaluate("location.hash").lstrip("#")
        section = page.locator(f"#{target}")
        assert section.count() == 1 and section.is_visible(), name
        # The section is on screen, not hidden under the bar; once the page has scrolled,
        # the bar sits at the top.
        box, bar_box = section.bounding_box(), bar.bounding_box()
        assert box["y"] < 900 and box["y"] >= bar_box["y"] + bar_box["height"] - 2, name
        if name != "Overview":
            assert page.evaluate("window.scrollY") > 0 and bar_box["y"] <= 1, name
    assert page.get_by_role("group", name="Zoom the lineage graph").count() == 0
    context.close()
