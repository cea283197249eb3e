"""The LLM application's governance in the browser: a new prompt version with its diff shown
before saving, bound to the model version; the Art. 50 measure recorded with its evidence;
the requirements saying which checks apply; the policy form's applicability boxes."""

from io import StringIO

import pytest
from django.core.management import call_command

from governance.demo import genai as demo_genai
from governance.kernel.accounts.models import User
from registry.models import ModelVersion, PromptBinding
from tests.e2e.conftest import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADDED = "Offer a person when the customer asks for one."


def test_prompt_and_transparency_forms(page, live_server):
    call_command("seed_demo", "--users-only", stdout=StringIO())
    users = {u.username: u for u in User.objects.all()}
    demo_genai.seed(team=users["scientist"].teams.get(), users=users, stdout=StringIO())
    mv = ModelVersion.objects.get(model__name="support-assistant")

    login(page, live_server, "scientist", "scientist-demo-2026")
    page.goto(f"{live_server.url}/model-versions/{mv.pk}/")
    page.get_by_role("tab", name="Lineage").click()  # the prompts section sits beside lineage
    page.get_by_role(
        "link", name="Prompts of support-assistant: versions, changes, bindings"
    ).click()
    page.get_by_role("link", name="system", exact=True).click()
    text = page.get_by_label("Text of the new version")
    text.fill(text.input_value() + ADDED + "\n")
    page.get_by_label("What changed and why (note)").fill("Hand-over rule")
    page.get_by_role("button", name="Show changes").click()
    preview = page.locator("#diff-preview")
    assert f"+{ADDED}" in preview.inner_text()
    shot(page, "prompt-new-version-diff")
    page.get_by_role("button", name="Save version").click()
    assert page.get_by_text("Version 3 of “system” saved").is_visible()
    assert f"+{ADDED}" in page.locator("#version-3").inner_text()
    page.get_by_label("Model version", exact=True).select_option(label="2026.06 (Draft)")
    page.get_by_label("Runs with prompt version").select_option(label="version 3")
    page.get_by_role("button", name="Bind").click()
    assert page.get_by_text("now runs “system” version 3").is_visible()
    assert PromptBinding.objects.get(model_version=mv).prompt_version.number == 3
    shot(page, "prompt-versions")

    page.goto(f"{live_server.url}/model-versions/{mv.pk}/")
    page.get_by_role("tab", name="Lineage").click()
    page.get_by_role(
        "link", name="Transparency measures (Art. 50) of Customer support assistant"
    ).click()
    page.get_by_label("Duty", exact=True).select_option("synthetic_content_marking")
    page.get_by_label("What is done", exact=True).fill(
        "Every answer carries the header X-Generated-By."
    )
    page.get_by_label("Evidence", exact=True).fill("Contract test answer_header_present.")
    page.get_by_role("button", name="Record measure").click()
    assert page.get_by_text("recorded", exact=False).first.is_visible()
    assert page.locator("#duties").get_by_text("no measure").count() == 0
    shot(page, "transparency-measures")

    page.goto(f"{live_server.url}/model-versions/{mv.pk}/")
    panel = page.locator("section[aria-labelledby=h-governance]")
    assert panel.get_by_text("not applicable").count() == 2
    assert "Does not apply: the limited policy" in panel.inner_text()
    shot(page, "llm-requirements")
    assert not page.console_errors

    page.context.clear_cookies()
    login(page, live_server, "admin", "admin-demo-2026")
    page.goto(f"{live_server.url}/policies/")
    assert page.get_by_text("LLM applications").first.is_visible()
    shot(page, "policies-applicability")
    page.goto(f"{live_server.url}/policies/limited/")
    assert page.get_by_role("heading", name="Which versions each check binds").is_visible()
    page.locator("#applicability").scroll_into_view_if_needed()
    shot(page, "policy-applicability-form")
    assert not page.console_errors
