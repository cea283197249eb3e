"""In Chromium: an admin edits the high-risk policy's thresholds one metric at a time; a bad
value is refused in place, a good one saved as a new policy version. Screenshots at 1440 px
and 820 px."""

from __future__ import annotations

import pytest

from governance.policy.policies.models import Policy
from tests.e2e.conftest import login, shot
from tests.e2e.test_governance_flow import demo  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_edits_thresholds_per_metric(page, live_server, demo):  # noqa: F811
    before = Policy.objects.get(tier="high_risk")
    login(page, live_server, "admin", "admin-demo-2026")
    page.goto(f"{live_server.url}/policies/high_risk/")
    fairness = page.locator("#thresholds-fairness")
    for width in (1440, 820):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        shot(page, f"policy-thresholds-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})
    fairness.get_by_label("demographic parity difference (at most)").fill("lots")
    page.get_by_role("button", name="Save policy").click()
    assert page.get_by_text("enter a number").first.is_visible()
    assert Policy.objects.get(tier="high_risk").version == before.version
    fairness = page.locator("#thresholds-fairness")
    fairness.get_by_label("demographic parity difference (at most)").fill("0.05")
    page.locator("#thresholds-drift").get_by_label("psi (at most)", exact=True).fill("0.15")
    page.get_by_role("button", name="Save policy").click()
    page.wait_for_url("**/policies/")
    after = Policy.objects.get(tier="high_risk")
    assert after.version == before.version + 1
    assert after.thresholds["fairness"]["demographic_parity_difference_max"] == 0.05
    assert after.thresholds["drift"]["psi"] == 0.15
    # The refused save answered 400 on purpose (a plain form post gets the real status).
    errors = [e for e in page.console_errors if "status of 400" not in e]
    assert not errors, errors
