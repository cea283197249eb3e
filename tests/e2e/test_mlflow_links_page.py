"""In Chromium: a data scientist opens the followed-MLflow-models page from the navigation,
follows a registered model, and stops following one. Screenshots at 1440 px and 820 px."""

from __future__ import annotations

import pytest

from registry.mlflow.services import mlflow_link_create
from registry.models import MlflowLink
from registry.services.systems import model_create, system_create
from tests.e2e.conftest import login, shot
from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_data_scientist_manages_followed_models(page, live_server, settings):
    settings.MLFLOW_TRACKING_URI = "http://mlflow.internal:5000"
    team = TeamFactory(name="Credit", slug="credit")
    scientist = UserFactory(role="data_scientist", teams=[team], username="sci")
    system = system_create(
        actor=scientist, team=team, name="Credit scoring", intended_purpose="Score loans."
    )
    model = model_create(actor=scientist, system=system, name="risk-gbm")
    model_create(actor=scientist, system=system, name="churn-lr")
    link = mlflow_link_create(actor=scientist, model=model, registered_model="credit-gbm")
    MlflowLink.objects.filter(pk=link.pk).update(
        last_error="version 4: The model directory has no supported artefact."
    )

    login(page, live_server, "sci", PASSWORD)
    page.get_by_role("link", name="MLflow").click()
    page.wait_for_url("**/mlflow/")
    assert page.get_by_role("heading", name="Followed MLflow models").is_visible()
    page.get_by_label("Registry model").select_option(label="Credit scoring › churn-lr")
    page.get_by_label("MLflow registered model name").fill("churn-classifier")
    page.get_by_role("button", name="Follow", exact=True).click()
    page.wait_for_url("**/mlflow/")
    assert page.get_by_text("churn-lr now follows 'churn-classifier' in MLflow.").is_visible()
    row = page.locator(f"#link-{link.pk}")
    assert "no supported artefact" in row.inner_text()
    for width in (1440, 820):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        shot(page, f"mlflow-links-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.get_by_role("button", name="Stop following credit-gbm").click()
    page.wait_for_url("**/mlflow/")
    assert not MlflowLink.objects.filter(pk=link.pk).exists()
    assert MlflowLink.objects.filter(registered_model="churn-classifier").exists()
    assert page.console_errors == []
