"""The governance and audit pages in French and German in a real browser: the review queue and
the decision dialog in French, the questionnaire, the policies and the audits in German. The
screenshots show whether the longer texts fit."""

import pytest

from governance.kernel.accounts.models import User
from tests.e2e.conftest import login, shot
from tests.e2e.test_governance_flow import demo, submitted  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fits(page) -> None:
    """Nothing is wider than the window: no text pushes the page sideways."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_review_and_decision_in_french(page, live_server, submitted):  # noqa: F811
    User.objects.filter(username="compliance").update(language="fr")
    login(page, live_server, "compliance", "compliance-demo-2026")
    page.goto(f"{live_server.url}/review-queue/")
    page.get_by_role("heading", name="File d'examen").wait_for()
    assert page.get_by_role("link", name="Tout ce qui est en examen").count() == 1
    fits(page)
    shot(page, "review-queue-fr")
    page.goto(f"{live_server.url}/model-versions/{submitted.pk}/")
    page.get_by_role("link", name="Approuver…").click()
    page.get_by_role("heading", name="Éléments de preuve que vous signez").wait_for()
    page.get_by_role("button", name="Signer et approuver").wait_for()
    shot(page, "decision-fr")
    assert not page.console_errors, page.console_errors


def test_questionnaire_policies_and_audits_in_german(page, live_server, demo):  # noqa: F811
    User.objects.filter(username__in=["admin", "compliance"]).update(language="de")
    login(page, live_server, "compliance", "compliance-demo-2026")
    page.goto(f"{live_server.url}/systems/{demo['system'].pk}/classification/new/")
    page.get_by_text("Handelt es sich um ein KI-System").first.wait_for()
    page.get_by_role("button", name="Einstufung erfassen").wait_for()
    fits(page)
    shot(page, "questionnaire-de")
    page.goto(f"{live_server.url}/audits/")
    page.get_by_role("heading", name="Auditläufe").wait_for()
    fits(page)
    shot(page, "audits-de")
    page.context.clear_cookies()
    login(page, live_server, "admin", "admin-demo-2026")
    page.goto(f"{live_server.url}/policies/")
    page.get_by_role("heading", name="Richtlinien", exact=True).wait_for()
    shot(page, "policies-de")
    assert not page.console_errors, page.console_errors
