"""In Chromium: a data scientist uploads a new dataset version and registers a new model
version trained and tested on data from the browser; while a file is on its way the button is
disabled and the progress shows. Screenshots at 1440 px and 820 px."""

from __future__ import annotations

import json
import time

import pytest

from registry.models import DatasetVersion, LineageEdge, ModelVersion
from tests.e2e.conftest import login, shot
from tests.e2e.test_governance_flow import demo  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


# Kept in the tab's session storage, which outlives the navigation the post ends with.
RECORD_WHILE_UPLOADING = """() => document.addEventListener("submit", () => setTimeout(() => {
  const button = document.querySelector("form[data-busy] button[type=submit]");
  const progress = document.querySelector("[data-upload-progress]");
  sessionStorage.setItem("seen", JSON.stringify(
    {disabled: button.disabled, label: button.textContent, progress: !progress.hidden}));
}, 20))"""


# The percentage the upload shows as its bytes go out (the last text it showed).
RECORD_PERCENT = """() => new MutationObserver(() => {
  const text = document.querySelector("[data-upload-percent]").textContent;
  if (text) sessionStorage.setItem("percent", text);
}).observe(document.querySelector("[data-upload-percent]"), {childList: true, subtree: true})"""


def _slow_uploads(page, pattern: str) -> None:
    """Hold each upload a moment, as a large file would take, before it reaches the server."""

    def hold(route):
        if route.request.method == "POST":
            time.sleep(0.5)
        route.continue_()

    page.route(pattern, hold)


def test_data_scientist_uploads_data_and_a_model_version(page, live_server, demo):  # noqa: F811
    mv = demo["mv"]
    dv = DatasetVersion.objects.filter(dataset__name__icontains="german").order_by("pk").first()
    login(page, live_server, "scientist", "scientist-demo-2026")

    page.goto(f"{live_server.url}/dataset-versions/{dv.pk}/")
    page.get_by_role("link", name=f"Upload a new version of {dv.dataset.name}").click()
    page.wait_for_url(f"**/datasets/{dv.dataset_id}/versions/new/")
    for width in (1440, 820):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        shot(page, f"dataset-upload-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.get_by_role("textbox", name="Version", exact=True).fill("2026-12")
    page.get_by_label("Data file").set_input_files(
        {"name": "german.csv", "mimeType": "text/csv", "buffer": dv.blob.path.read_bytes()}
    )
    _slow_uploads(page, "**/versions/new/")
    page.evaluate(RECORD_WHILE_UPLOADING)
    page.evaluate(RECORD_PERCENT)
    page.get_by_role("button", name="Upload and register").click()
    page.wait_for_url("**/dataset-versions/*/")
    seen = json.loads(page.evaluate("() => sessionStorage.getItem('seen')"))
    assert seen == {"disabled": True, "label": "Uploading…", "progress": True}
    # The upload went by XMLHttpRequest and counted its bytes up to the whole file.
    assert page.evaluate("() => sessionStorage.getItem('percent')") == "Sent; checking the file…"
    new = DatasetVersion.objects.get(dataset=dv.dataset, version="2026-12")
    assert page.url.endswith(f"/dataset-versions/{new.pk}/")
    assert new.created_by.username == "scientist"

    # A refusal (the label is taken: 409) replaces the form in place, with its reason.
    page.go_back()
    page.wait_for_url(f"**/datasets/{dv.dataset_id}/versions/new/")
    page.get_by_role("textbox", name="Version", exact=True).fill("2026-12")
    page.get_by_label("Data file").set_input_files(
        {"name": "german.csv", "mimeType": "text/csv", "buffer": dv.blob.path.read_bytes()}
    )
    page.get_by_role("button", name="Upload and register").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "2026-12" in alert.inner_text()
    assert page.url.endswith(f"/datasets/{dv.dataset_id}/versions/new/")
    assert page.get_by_role("button", name="Upload and register").is_enabled()
    shot(page, "dataset-upload-refused-1440")
    assert DatasetVersion.objects.filter(dataset=dv.dataset, version="2026-12").count() == 1

    page.goto(f"{live_server.url}/model-versions/{mv.pk}/")
    page.get_by_role("link", name=f"Register a new version of {mv.model.name}").click()
    page.wait_for_url(f"**/models/{mv.model_id}/versions/new/")
    for width in (1440, 820):
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"model-upload-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.get_by_role("textbox", name="Version", exact=True).fill("1.1.0")
    page.get_by_label("Model artefact").set_input_files(
        {
            "name": "model.json",
            "mimeType": "application/json",
            "buffer": mv.artefact.path.read_bytes(),
        }
    )
    page.get_by_label("Trained on (dataset versions)").select_option(str(new.pk))
    page.get_by_label("Tested on (dataset versions)").select_option(str(dv.pk))
    page.get_by_role("button", name="Upload and register").click()
    page.wait_for_url("**/model-versions/*/")
    created = ModelVersion.objects.get(model=mv.model, version="1.1.0")
    assert page.url.endswith(f"/model-versions/{created.pk}/")
    edges = dict(
        LineageEdge.objects.filter(downstream_model_version=created).values_list(
            "kind", "upstream_dataset_version_id"
        )
    )
    assert edges == {"trained_on": new.pk, "tested_on": dv.pk}
    page.get_by_role("tab", name="Lineage").click()
    assert page.get_by_role("heading", name="Lineage").is_visible()
    # Chromium logs the refused request of the second upload (409) as a console error.
    errors = [e for e in page.console_errors if "409 (Conflict)" not in e]
    assert len(errors) == len(page.console_errors) - 1 and not errors, page.console_errors
