"""In Chromium: the compliance officer's dashboard lists what waits for them, the review queue
is filtered to "waiting for me", the round is assigned to the accountable owner in place, and
the owner finds it assigned on their dashboard; the production flag shows a version running
without a valid approval. Screenshots at 1440 px and 820 px."""

from __future__ import annotations

import pytest
from django.utils import timezone

from governance.kernel.audit.models import AuditEvent
from governance.policy.deployments.models import Deployment
from governance.review.approvals.models import Review
from tests.e2e.conftest import login, shot
from tests.e2e.test_governance_flow import demo, submitted  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_officer_assigns_a_review_from_the_work_lists(page, live_server, submitted):  # noqa: F811
    mv = submitted
    people = {u.username: u for u in type(mv.created_by).objects.all()}
    # A version running in production with no approval: the flag the dashboard raises.
    Deployment.objects.create(
        model_version=mv,
        model=mv.model,
        environment="prod",
        deployed_by=people["scientist"],
        deployed_at=timezone.now(),
    )
    name = f"{mv.model.name} v{mv.version}"
    login(page, live_server, "compliance", "compliance-demo-2026")
    decide = page.locator("#decide-reviews")
    assert decide.get_by_role("link", name=name).is_visible()
    assert page.locator("#flag-unapproved-prod").get_by_role("link", name=name).is_visible()
    for width in (1440, 820):
        page.set_viewport_size({"width": width, "height": 900})
        assert _overflow(page) <= 0, width
        shot(page, f"dashboard-worklists-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})

    page.locator("section", has=page.locator("#h-decide")).get_by_role("link", name="all 1").click()
    page.wait_for_url("**/review-queue/?show=waiting")
    assert (
        page.get_by_role("navigation", name="Review queue filters")
        .get_by_role("link", name="Waiting for me")
        .get_attribute("aria-current")
        == "page"
    )
    row = page.locator(f"#queue-{mv.pk}")
    row.get_by_text("all met").wait_for()
    page.get_by_label(f"Assignee of {name}").select_option("owner")
    page.locator(f"#queue-{mv.pk} select option[value=owner][selected]").wait_for(state="attached")
    review = Review.objects.get(model_version=mv, status="open")
    assert review.assignee.username == "owner"
    assert AuditEvent.objects.filter(action="review.assigned").count() == 1
    for width in (1440, 820):
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"review-queue-assigned-{width}")
    assert not page.console_errors, page.console_errors

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/**")
    login(page, live_server, "owner", "owner-demo-2026")
    mine = page.locator("#decide-reviews li", has_text=name)
    assert "assigned to you" in mine.inner_text()
    page.goto(f"{live_server.url}/notifications/")
    note = page.get_by_role("link", name=f"compliance asks you to decide on {mv}")
    note.click()
    page.wait_for_url(f"**/model-versions/{mv.pk}/")
    assert not page.console_errors, page.console_errors
