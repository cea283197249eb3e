"""Governance in the browser: a compliance officer and the accountable owner sign the approval
of a high-risk version from the review queue; an admin assigns an accountable owner; a data
scientist is refused the review pages."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command

from governance.kernel.accounts.models import User
from governance.policy.classification.models import RiskClassification
from governance.policy.policies.models import Policy
from governance.policy.raci.models import Raci, Responsibility
from governance.policy.raci.services import responsibility_assign
from governance.review.approvals.services import model_version_submit
from registry.models import AISystem, ModelVersion, VersionStatus
from registry.services.systems import system_update
from tests.e2e.conftest import login, shot
from tests.governance.conftest import CREDIT_SCORING, classify, resolve_pii, satisfy_required_checks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}


def _reseed_questionnaire_and_policies() -> None:
    """Transactional tests flush every table after each test, including the rows migration
    0004 seeded; its seed function is idempotent, so run it again."""

    import_module("governance.migrations.0004_seed_questionnaire_and_policies").seed(apps, None)


@pytest.fixture
def demo(db):
    _reseed_questionnaire_and_policies()
    call_command("seed_demo")

    people = {u.username: u for u in User.objects.all()}
    return {
        "people": people,
        "system": AISystem.objects.get(name="Consumer credit scoring"),
        "mv": ModelVersion.objects.get(model__name="credit-risk-xgb"),
    }


@pytest.fixture
def submitted(demo):
    """The demo version, classified high risk with its evidence complete, submitted."""

    people, system, mv = demo["people"], demo["system"], demo["mv"]
    # The demo may already have done some of this; each step runs only when still needed.
    current = RiskClassification.objects.filter(system=system).order_by("-id").first()
    if current is None or current.tier != "high_risk":
        classify(system, CREDIT_SCORING, people["compliance"])
    # Passing CheckRun rows when the audits app provides them; otherwise the high-risk policy's
    # required_checks is set to [] (an audited policy edit), see satisfy_required_checks.
    satisfy_required_checks(mv, "high_risk", people["admin"])
    system_update(
        actor=people["scientist"],
        system=system,
        human_oversight="A credit officer reviews every declined application.",
        post_market_plan="Monthly drift and fairness runs on production decisions.",
    )
    resolve_pii(mv, people["compliance"])
    if not Responsibility.objects.active().filter(
        user=people["owner"], role=Raci.ACCOUNTABLE, system=system
    ):
        responsibility_assign(
            actor=people["admin"], user=people["owner"], role=Raci.ACCOUNTABLE, target=system
        )
    mv.refresh_from_db()
    if mv.status == VersionStatus.DRAFT:
        model_version_submit(actor=people["scientist"], model_version=mv)
    mv.refresh_from_db()
    assert mv.status == VersionStatus.IN_REVIEW
    return mv


def _logout(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/**")


def _open_approval(page):
    page.get_by_role("link", name="Approve…").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    return dialog


def test_officer_and_accountable_owner_approve_a_high_risk_version(page, live_server, submitted):
    mv = submitted
    login(page, live_server, "compliance", "compliance-demo-2026")
    assert (
        page.locator("#decide-reviews")
        .get_by_role("link", name=f"{mv.model.name} v{mv.version}")
        .is_visible()
    )
    shot(page, "gov-dashboard")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    page.wait_for_url("**/review-queue/")
    row = page.get_by_role("row").filter(has_text="credit-risk-xgb")
    row.get_by_text("all met").wait_for()
    assert "High risk (Art. 6)" in row.inner_text() and "0 of 2" in row.inner_text()
    shot(page, "gov-review-queue")

    row.get_by_role("link", name="credit-risk-xgb").click()
    page.wait_for_url(f"**/model-versions/{mv.pk}/")
    page.get_by_role("tab", name="Reviews").click()
    assert page.get_by_role("heading", name="Review", exact=True).is_visible()
    shot(page, "gov-model-version-review")

    dialog = _open_approval(page)
    assert mv.artefact.sha256 in dialog.inner_text()
    shot(page, "gov-approval-dialog")
    dialog.get_by_label("Your password (signature)").fill("not-my-password")
    dialog.get_by_role("button", name="Sign and approve").click()
    page.get_by_role("alert").filter(has_text="password does not match").wait_for()
    assert not mv.decisions.exists()

    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Comment").fill("Evidence complete; fairness within thresholds.")
    dialog.get_by_label("Your password (signature)").fill("compliance-demo-2026")
    dialog.get_by_role("button", name="Sign and approve").click()
    page.get_by_text("was signed and recorded").wait_for()
    assert mv.decisions.count() == 1
    _logout(page)

    login(page, live_server, "owner", "owner-demo-2026")
    page.goto(f"{live_server.url}/model-versions/{mv.pk}/")
    dialog = _open_approval(page)
    dialog.get_by_label("Your password (signature)").fill("owner-demo-2026")
    dialog.get_by_role("button", name="Sign and approve").click()
    page.get_by_text("is now approved").wait_for()
    mv.refresh_from_db()
    assert mv.status == VersionStatus.APPROVED
    assert page.locator("h1 .badge", has_text="Approved").is_visible()

    page.set_viewport_size(TABLET)
    shot(page, "gov-model-version-approved-tablet")
    assert not page.console_errors, page.console_errors


def test_admin_assigns_an_accountable_owner_and_edits_policies(page, live_server, demo):
    system = demo["system"]
    login(page, live_server, "admin", "admin-demo-2026")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.wait_for_url("**/people/")
    assert page.get_by_text("owner", exact=True).first.is_visible()
    shot(page, "gov-people")

    page.get_by_role("link", name="Responsibilities (RACI)").click()
    page.get_by_label("Person").select_option(label="Otto Owner")
    page.get_by_label("RACI role").select_option(label="Accountable")
    model = demo["mv"].model
    page.get_by_label("On", exact=True).select_option(label=f"{model.name} — {system.name}")
    page.get_by_role("button", name="Assign").click()
    page.get_by_text(f"is now accountable for {model.name}").wait_for()
    assert Responsibility.objects.filter(
        user__username="owner", role=Raci.ACCOUNTABLE, model=model, ends_at__isnull=True
    ).exists()
    shot(page, "gov-responsibilities")

    page.get_by_role("link", name="Policies").first.click()
    page.wait_for_url("**/policies/")
    shot(page, "gov-policies")
    page.get_by_role("link", name="Edit High risk (Art. 6)").click()
    version = Policy.objects.get(tier="high_risk").version
    assert page.get_by_role("heading", name=f"High risk (Art. 6) policy v{version}").is_visible()
    shot(page, "gov-policy-edit")

    page.goto(f"{live_server.url}/systems/{system.pk}/classification/new/")
    assert page.get_by_role("group", name="Q4 Is it intended to be used").is_visible()
    shot(page, "gov-classification-form")
    page.set_viewport_size(TABLET)
    page.goto(f"{live_server.url}/people/")
    shot(page, "gov-people-tablet")
    assert not page.console_errors, page.console_errors


def test_data_scientist_is_refused_the_review_pages(page, live_server, submitted):
    login(page, live_server, "scientist", "scientist-demo-2026")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Review queue").count() == 0
    response = page.goto(f"{live_server.url}/review-queue/")
    assert response.status == 403
    assert page.get_by_role("heading", name="Not allowed").is_visible()
    response = page.goto(f"{live_server.url}/model-versions/{submitted.pk}/decide/")
    assert response.status == 403
    page.goto(f"{live_server.url}/model-versions/{submitted.pk}/")
    assert page.get_by_role("link", name="Approve…").count() == 0
