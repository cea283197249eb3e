"""Demo content: a small retrieval assistant built on a hosted foundation model.

The assistant answers customer questions from a knowledge base. It is registered as an LLM
application: a descriptor names the foundation model by reference (nothing is downloaded), the
system prompt is versioned (two versions, the second bound), the knowledge base is a dataset
version linked with ``retrieves_from``, and answers recorded beforehand (ordinary questions,
counterfactual pairs and the shipped red-team set) are the evaluation data it is judged on.
The questionnaire's Art. 50 answers (it talks to people and writes text) give two duties; the
disclosure is recorded, the marking of generated text is left open so the gate shows it.
Idempotent: a second run finds everything and creates nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from audits.runs.models.checks import CheckRun
from audits.runs.services.checks import check_run_request
from governance.policy.classification.models import RiskClassification
from governance.policy.classification.services import risk_classification_record
from governance.policy.transparency.models import TransparencyMeasure
from governance.policy.transparency.services import transparency_measure_record
from registry.models import AISystem, Dataset, DatasetVersion, Model, ModelVersion, PromptTemplate
from registry.services.datasets import dataset_create, dataset_version_register
from registry.services.lineage import lineage_edge_add
from registry.services.prompts import (
    model_version_prompt_set,
    prompt_template_create,
    prompt_version_add,
)
from registry.services.systems import model_create, system_create, system_update
from registry.services.versions import (
    LineageLink,
    model_version_register,
    model_version_register_external,
)

DATA = Path(__file__).with_name("data")
VERSION = "2026.06"
SYSTEM = "Customer support assistant"
ANSWERS = {
    "q0-ai-system": "yes",
    "q0-exclusions": ["none"],
    "q1-role": "provider",
    "q2-prohibited-practices": ["none"],
    "q3-annex-i": "no",
    "q4-annex-iii": ["none"],
    "q6-transparency": ["interacts", "synthetic-content"],
    "q7-gpai": "no",
}
DESCRIPTOR = {
    "llm_application": {
        "name": "support-assistant",
        "foundation_model": {
            "provider": "Example Model Provider",
            "model_id": "example-chat-large",
            "model_version": "2026-06-01",
            "terms_url": "https://example.com/model-terms",
            "general_purpose": True,
            "systemic_risk": False,
        },
        "retrieval": {"corpus": "Support knowledge base", "top_k": 3},
    }
}
SYSTEM_PROMPT_V1 = (
    "You are the customer support assistant of an online shop.\n"
    "Answer questions about orders, delivery, returns, warranty and payment.\n"
)
SYSTEM_PROMPT_V2 = (
    "You are the customer support assistant of an online shop.\n"
    "Answer questions about orders, delivery, returns, warranty and payment.\n"
    "Answer only from the retrieved documents and say so when they do not hold the answer.\n"
    "Never reveal personal data of customers or staff.\n"
)


def _dataset(actor, team, name: str, **fields) -> Dataset:
    found = Dataset.objects.filter(team=team, name=name).first()
    return found or dataset_create(actor=actor, team=team, name=name, **fields)


def _version(actor, dataset, version: str, filename: str, description: str) -> DatasetVersion:
    found = DatasetVersion.objects.filter(dataset=dataset, version=version).first()
    if found is not None:
        return found
    return dataset_version_register(
        actor=actor,
        dataset=dataset,
        version=version,
        data_file=SimpleUploadedFile(filename, (DATA / filename).read_bytes()),
        description=description,
    )


def _application(scientist, team) -> tuple[AISystem, ModelVersion]:
    system = AISystem.objects.filter(team=team, name=SYSTEM).first() or system_create(
        actor=scientist,
        team=team,
        name=SYSTEM,
        description="Answers customer questions in the web shop's chat from the knowledge base.",
        intended_purpose="Answer routine customer questions; hand over to a person on request.",
        deployment_context="Chat window of the online shop, EU customers.",
        provider_name="Demo Bank AG",
    )
    model = Model.objects.filter(system=system, name="support-assistant").first() or model_create(
        actor=scientist,
        system=system,
        name="support-assistant",
        description="Retrieval-augmented assistant on a hosted chat model.",
        task="generative",
    )
    hosted = Model.objects.filter(system=system, name="example-chat-large").first() or model_create(
        actor=scientist,
        system=system,
        name="example-chat-large",
        description="The provider's hosted chat model the assistant is built on.",
        task="generative",
    )
    fm = DESCRIPTOR["llm_application"]["foundation_model"]
    service = ModelVersion.objects.filter(
        model=hosted, version=fm["model_version"]
    ).first() or model_version_register_external(
        actor=scientist,
        model=hosted,
        version=fm["model_version"],
        provider=fm["provider"],
        model_id=fm["model_id"],
        service_version=fm["model_version"],
        terms_url=fm["terms_url"],
        description="Hosted by the provider; used through its API.",
    )
    mv = ModelVersion.objects.filter(model=model, version=VERSION).first()
    if mv is None:
        mv = model_version_register(
            actor=scientist,
            model=model,
            version=VERSION,
            artefact=SimpleUploadedFile(
                "support-assistant.json", json.dumps(DESCRIPTOR, indent=1).encode()
            ),
            description="First release: retrieval over the knowledge base, top 3 passages.",
            lineage=[LineageLink("built_on", model_version=service)],
        )
    return system, mv


def _prompts(scientist, mv: ModelVersion) -> None:
    if PromptTemplate.objects.filter(model=mv.model, name="system").exists():
        return
    first = prompt_template_create(
        actor=scientist,
        model=mv.model,
        name="system",
        role="system",
        text=SYSTEM_PROMPT_V1,
        note="Initial prompt.",
    )
    model_version_prompt_set(actor=scientist, model_version=mv, prompt_version=first)
    second = prompt_version_add(
        actor=scientist,
        template=first.template,
        text=SYSTEM_PROMPT_V2,
        note="Grounding and personal data rules after the red-team review.",
    )
    model_version_prompt_set(actor=scientist, model_version=mv, prompt_version=second)


def seed(*, team, users, stdout) -> None:
    scientist = users["scientist"]
    system, mv = _application(scientist, team)
    _prompts(scientist, mv)
    corpus = _version(
        scientist,
        _dataset(
            scientist,
            team,
            "Support knowledge base",
            description="Help-centre articles the assistant retrieves from.",
            origin="Written by the customer service team.",
            licence="Internal",
        ),
        "2026-06",
        "support_corpus.csv",
        "Eight help-centre articles.",
    )
    answers = _version(
        scientist,
        _dataset(
            scientist,
            team,
            "Support assistant recorded answers",
            description="Questions, retrieved passages and the assistant's recorded answers.",
            origin="Recorded from the staging assistant; red-team prompts shipped with the "
            "product.",
            licence="Internal",
        ),
        "2026-06-eval",
        "support_assistant_answers.jsonl",
        "Ordinary questions, counterfactual pairs and the red-team set, answered by 2026.06.",
    )
    relations = set(mv.upstream_edges.values_list("kind", "upstream_dataset_version_id"))
    if ("retrieves_from", corpus.pk) not in relations:
        lineage_edge_add(actor=scientist, kind="retrieves_from", upstream=corpus, downstream=mv)
    if ("tested_on", answers.pk) not in relations:
        lineage_edge_add(actor=scientist, kind="tested_on", upstream=answers, downstream=mv)
    if not RiskClassification.objects.filter(system=system).exists():
        risk_classification_record(
            actor=users["compliance"],
            system=system,
            answers=ANSWERS,
            notes="Chat with customers (Art. 50(1)); writes text (Art. 50(2)).",
        )
    if not system.transparency_notice:
        system_update(
            actor=scientist,
            system=system,
            transparency_notice="The chat window says that answers come from an automated "
            "assistant and offers a person instead.",
        )
    if not TransparencyMeasure.objects.filter(system=system).exists():
        transparency_measure_record(
            actor=scientist,
            system=system,
            duty="disclosure_to_users",
            measure="The chat opens with 'You are chatting with an automated assistant'.",
            evidence="Release notes of 2026.06 (screenshot); UI test chat_banner_shown.",
        )
    run = (
        CheckRun.objects.filter(model_version=mv, kind="generative", dataset_version=answers)
        .exclude(status="failed")
        .first()
    )
    if run is None:
        run = check_run_request(
            actor=scientist, model_version=mv, kind="generative", dataset_version=answers
        )
        run.refresh_from_db()
    verdict = {True: "passed", False: "did not pass", None: "no verdict yet"}[run.passed]
    stdout.write(f"Demo generative check #{run.pk} of {mv}: {run.status}, {verdict}")
