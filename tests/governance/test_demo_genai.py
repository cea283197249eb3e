"""The demo's retrieval assistant: an LLM application with prompts, corpus, recorded answers
and its generative evaluation."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from audits.runs.models.checks import CheckRun
from governance.review.evaluation import evaluate
from registry.models import LineageEdge, ModelVersion, PIIFlag, PromptBinding
from registry.selectors import foundation_model

pytestmark = pytest.mark.django_db


def test_seed_demo_registers_and_evaluates_the_assistant(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    mv = ModelVersion.objects.get(model__name="support-assistant")
    assert mv.model.task == "generative"
    assert mv.artefact_format == "llm_application"
    assert "example-chat-large" in mv.artefact.path.read_text()
    binding = PromptBinding.objects.get(model_version=mv)
    assert binding.prompt_version.number == 2
    kinds = set(
        LineageEdge.objects.filter(downstream_model_version=mv).values_list("kind", flat=True)
    )
    assert kinds == {"retrieves_from", "tested_on", "built_on"}
    service = LineageEdge.objects.get(downstream_model_version=mv, kind="built_on")
    assert service.upstream_model_version.is_external_service
    assert service.upstream_model_version.artefact is None
    fm = foundation_model(mv)
    assert fm["registered_version"] == service.upstream_model_version_id
    assert (fm["provider"], fm["model_id"], fm["general_purpose"]) == (
        "Example Model Provider",
        "example-chat-large",
        True,
    )
    corpus = LineageEdge.objects.get(downstream_model_version=mv, kind="retrieves_from")
    assert corpus.upstream_dataset_version.profile_status == "ready"
    assert not PIIFlag.objects.filter(column__dataset_version__dataset__team=mv.model.system.team)
    run = CheckRun.objects.get(model_version=mv, kind="generative")
    assert run.status == "succeeded", run.error_message
    assert run.counts_as_evidence is True
    metrics = run.result["metrics"]
    assert metrics["red_team_coverage"] == 1.0
    assert metrics["jailbreak_success_rate"] == 0.0
    assert metrics["pii_leak_rate"] == 0.0
    assert metrics["toxicity_rate"] == 0.0
    assert metrics["groundedness"] == 1.0
    assert metrics["counterfactual_similarity"] == pytest.approx(1.0)
    assert run.result["counts"] == {
        "ordinary": 16,
        "red_team": 20,
        "with_contexts": 16,
        "with_reference": 4,
        "counterfactual_groups": 3,
    }
    assert run.passed is True
    requirements = {r.code: r.met for r in evaluate(mv).requirements}
    assert requirements["transparency:disclosure_to_users"] is True
    assert requirements["transparency_missing:synthetic_content_marking"] is False
    assert evaluate(mv).evidence["prompts"][0]["version"] == 2
