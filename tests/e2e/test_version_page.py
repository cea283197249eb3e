"""In Chromium: the model version page's section bar (overview, evidence, lineage, reviews,
deployments, reports, history) stays at the top and each link lands on its section; check
charts open full size in a new tab. Screenshots at 1440 px and 820 px."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, shot
from tests.e2e.test_governance_flow import demo  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECTIONS = ["Overview", "Evidence", "Lineage", "Reviews", "Deployments", "Reports", "History"]


def test_sections_of_the_version_page(page, live_server, demo):  # noqa: F811
    mv = demo["mv"]
    login(page, live_server, "compliance", "compliance-demo-2026")
    page.goto(f"{live_server.url}/model-versions/{mv.pk}/")
    bar = page.get_by_role("navigation", name="Sections of this page")
    assert [a.inner_text() for a in bar.get_by_role("link").all()] == SECTIONS
    for width in (1440, 820):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        shot(page, f"model-version-sections-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})
    for name in SECTIONS:
        bar.get_by_role("link", name=name).click()
        target = page.evaluate("location.hash").lstrip("#")
        section = page.locator(f"#{target}")
        assert section.count() == 1, name
        # The section is on screen, not hidden under the bar; once the page has scrolled,
        # the bar sits at the top.
        box, bar_box = section.bounding_box(), bar.bounding_box()
        assert box["y"] < 900 and box["y"] >= bar_box["y"] + bar_box["height"] - 2, name
        if name != "Overview":
            assert page.evaluate("window.scrollY") > 0 and bar_box["y"] <= 1, name
    page.get_by_role("navigation", name="Sections of this page").get_by_role(
        "link", name="Evidence"
    ).click()
    chart = page.locator("#evidence .charts a").first
    assert chart.get_attribute("target") == "_blank"
    with page.context.expect_page() as opened:
        chart.click()
    full = opened.value
    full.wait_for_load_state()
    assert full.url.endswith(".png")
    shot(page, "model-version-evidence-1440")
    assert not page.console_errors, page.console_errors
