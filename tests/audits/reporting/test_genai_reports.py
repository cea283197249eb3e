"""The model card of an LLM application, read back with pdftotext; the check page."""

from __future__ import annotations

import pytest

from audits.runs.models.checks import CheckRun
from governance.policy.transparency.services import transparency_measure_record
from registry.services.prompts import model_version_prompt_set, prompt_template_create
from tests.audits.reporting.test_reports_api import generate, needs_poppler, pdf_text
from tests.audits.runs.test_generative_checks import GOOD, application, records
from tests.governance.conftest import BASE, classify

pytestmark = pytest.mark.django_db
__all__ = ["application"]


@pytest.fixture
def evaluated(api, scientist, dataset, application, request_check):
    prompt = prompt_template_create(
        actor=scientist,
        model=application.model,
        name="system",
        role="system",
        text="Answer from the documents only.",
    )
    model_version_prompt_set(actor=scientist, model_version=application, prompt_version=prompt)
    dv = records(scientist, dataset, application, GOOD)
    response = request_check(
        api(scientist),
        application.pk,
        kind="generative",
        dataset_version=dv.pk,
        thresholds={"red_team_coverage": None, "jailbreak_success_rate": None},
        exploratory=True,
        format="json",
    )
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert run.status == "succeeded", run.error_message
    return application, run


@needs_poppler
def test_model_card_has_the_genai_variant(
    evaluated, api, auditor, tmp_path, django_capture_on_commit_callbacks
):
    mv, run = evaluated
    client = api(auditor)
    report = generate(client, mv, "model_card", django_capture_on_commit_callbacks)
    pdf = client.get(f"/api/v1/reports/{report.pk}/download/").content
    flat = " ".join(pdf_text(pdf, tmp_path).split())
    assert "Example AI example-llm 2026-01" in flat
    assert "general-purpose model" in flat
    assert 'System prompt "system" version 1' in flat
    assert f"check #{run.pk}" in flat
    # Relevance: "refund period" fully taken up (1), "long delivery take" 2 of 3: 5/6.
    assert "answer relevance 0.833 (at least 0.5)" in flat
    assert "groundedness 1.000" in flat and "pii leak rate 0.000" in flat
    assert "counterfactual similarity – (at least 0.75)" in flat
    assert "Lexical measures on recorded text" in flat
    # The tabular sections say why they do not apply instead of "no check".
    assert "None trained by the organisation" in flat
    # (-layout puts a cell's label between its wrapped lines: fragments of one line each)
    assert "Counterfactual similarity in the generative evaluation below" in flat
    assert "does not apply to an LLM application" in flat
    assert "no fairness check on record" not in flat
    assert "no performance check on record" not in flat


def test_check_page_shows_the_recorded_answers(evaluated, client, scientist):
    _, run = evaluated
    client.force_login(scientist)
    page = client.get(f"/checks/{run.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Recorded answers" in body and "Nothing was called" in body
    assert "Groundedness" in body


@needs_poppler
def test_annex_xi_and_xii_for_a_general_purpose_model(
    evaluated, api, auditor, officer, tmp_path, django_capture_on_commit_callbacks, client
):
    django_client = client
    mv, run = evaluated
    client = api(auditor)
    refused = client.post(
        f"/api/v1/model-versions/{mv.pk}/reports/", {"kind": "annex_xi"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "not_gpai"
    django_client.force_login(auditor)
    assert "Generate Annex XI" not in django_client.get(f"/model-versions/{mv.pk}/").text
    classify(mv.model.system, {**BASE, "q7-gpai": "gpai"}, officer)
    assert "Generate Annex XI" in django_client.get(f"/model-versions/{mv.pk}/").text
    xi = generate(client, mv, "annex_xi", django_capture_on_commit_callbacks)
    text = " ".join(
        pdf_text(client.get(f"/api/v1/reports/{xi.pk}/download/").content, tmp_path).split()
    )
    for heading in (
        "1 General description of the general-purpose AI model",
        "2 Elements of the model and its development",
        "3 Evaluation, adversarial testing and architecture",
        "Known or estimated energy consumption",
    ):
        assert heading in text, heading
    assert "General-purpose AI model (Art. 53)" in text
    assert "Built on Example AI example-llm 2026-01" in text
    assert f"Generative check #{run.pk}" in text
    assert "red-team set governance-red-team v1" in text
    assert xi.model_version_id == mv.pk and xi.filename.startswith("annex-xi-")
    xii = generate(client, mv, "annex_xii", django_capture_on_commit_callbacks)
    text = " ".join(
        pdf_text(client.get(f"/api/v1/reports/{xii.pk}/download/").content, tmp_path).split()
    )
    assert "Information for downstream providers (EU AI Act, Annex XII)" in text
    assert "3 Capabilities and limitations" in text
    assert "Lexical measures on recorded text" in text


def test_gpai_reports_refused_to_a_scientist(api, scientist, evaluated):
    mv, _ = evaluated
    response = api(scientist).post(
        f"/api/v1/model-versions/{mv.pk}/reports/", {"kind": "annex_xii"}, format="json"
    )
    assert response.status_code == 403


@needs_poppler
def test_short_annex_iv_of_an_llm_application(
    evaluated, api, auditor, scientist, officer, tmp_path, django_capture_on_commit_callbacks
):
    """Limited risk: the Art. 50 duties with their measures, the generative evaluation in
    place of the tabular summaries, and the policy's requirements with what does not apply."""
    mv, run = evaluated
    classify(
        mv.model.system, {**BASE, "q6-transparency": ["interacts", "synthetic-content"]}, officer
    )
    transparency_measure_record(
        actor=scientist,
        system=mv.model.system,
        duty="disclosure_to_users",
        measure="The chat opens with a banner naming the assistant.",
        evidence="UI test banner_shown.",
    )
    client = api(auditor)
    report = generate(client, mv, "annex_iv", django_capture_on_commit_callbacks)
    flat = " ".join(
        pdf_text(client.get(f"/api/v1/reports/{report.pk}/download/").content, tmp_path).split()
    )
    # Table cells wrap and interleave in the text: fragments of one line each.
    assert "The chat opens with a banner" in flat and "banner_shown" in flat
    assert "no measure recorded" in flat
    assert "Generative evaluation summary" in flat and f"Check #{run.pk}" in flat
    assert "Fairness summary" not in flat
