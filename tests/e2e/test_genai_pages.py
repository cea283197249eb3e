"""The demo's retrieval assistant in the browser: its version page and its generative check."""

import pytest
from django.core.management import call_command

from audits.runs.models.checks import CheckRun
from registry.models import ModelVersion
from tests.e2e.conftest import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_assistant_version_and_generative_check(page, live_server):
    call_command("seed_demo")
    mv = ModelVersion.objects.get(model__name="support-assistant")
    run = CheckRun.objects.get(model_version=mv, kind="generative")
    login(page, live_server, "compliance", "compliance-demo-2026")
    page.goto(f"{live_server.url}/model-versions/{mv.pk}/")
    assert "llm_application" in page.content()
    assert "Art. 50(2)" in page.content()
    page.get_by_role("tab", name="Lineage").click()
    assert page.get_by_role("heading", name="Prompts").is_visible()
    assert "example-chat-large" in page.content()
    page.get_by_text("Changes from version 1").is_visible()
    assert "+Never reveal personal data of customers or staff." in page.content()
    shot(page, "llm-application-version")
    page.goto(f"{live_server.url}/checks/{run.pk}/")
    assert page.get_by_role("heading", name="Recorded answers").is_visible()
    assert page.get_by_text("Jailbreak success rate").is_visible()
    shot(page, "generative-check")
    assert not page.console_errors
