"""A prompt change withdraws an approval as an artefact change does."""

from __future__ import annotations

import pytest

from governance.review.approvals.services import model_version_submit, review_decide
from governance.review.evaluation import evaluate
from registry.services.prompts import (
    model_version_prompt_set,
    prompt_template_create,
    prompt_version_add,
)
from tests.factories import PASSWORD
from tests.governance.review.approvals.test_invalidation import assert_invalidated

pytestmark = pytest.mark.django_db


@pytest.fixture
def prompted(high_risk_version, scientist):
    first = prompt_template_create(
        actor=scientist,
        model=high_risk_version.model,
        name="system",
        role="system",
        text="You are a careful assistant.\nAnswer from the documents only.\n",
    )
    model_version_prompt_set(actor=scientist, model_version=high_risk_version, prompt_version=first)
    return high_risk_version, first


def _approve(mv, scientist, officer, owner):
    model_version_submit(actor=scientist, model_version=mv)
    review_decide(actor=officer, model_version=mv, decision="approve", password=PASSWORD)
    review_decide(actor=owner, model_version=mv, decision="approve", password=PASSWORD)
    mv.refresh_from_db()
    assert mv.status == "approved" and evaluate(mv).valid_approval is not None


def test_prompts_are_bound_evidence(prompted, scientist, officer, owner):
    mv, first = prompted
    _approve(mv, scientist, officer, owner)
    assert evaluate(mv).evidence["prompts"] == [
        {"prompt": "system", "version": 1, "sha256": first.sha256}
    ]
    approval = evaluate(mv).approvals[-1]
    assert approval.evidence["prompts"][0]["sha256"] == first.sha256


def test_a_new_prompt_version_bound_invalidates(prompted, scientist, officer, owner):
    mv, first = prompted
    _approve(mv, scientist, officer, owner)
    second = prompt_version_add(
        actor=scientist, template=first.template, text="You are a helpful assistant.\n"
    )
    # Adding a version alone changes nothing the version runs with.
    mv.refresh_from_db()
    assert mv.status == "approved"
    model_version_prompt_set(actor=scientist, model_version=mv, prompt_version=second)
    review = assert_invalidated(mv, "prompt_changed")
    assert "from version 1 to version 2" in review.invalidation_reason


def test_binding_a_first_prompt_after_approval_invalidates(
    high_risk_version, scientist, officer, owner
):
    _approve(high_risk_version, scientist, officer, owner)
    first = prompt_template_create(
        actor=scientist, model=high_risk_version.model, name="qa", role="template", text="Q: {q}"
    )
    model_version_prompt_set(actor=scientist, model_version=high_risk_version, prompt_version=first)
    assert_invalidated(high_risk_version, "prompt_changed")


def test_rebinding_the_same_version_changes_nothing(prompted, scientist, officer, owner):
    mv, first = prompted
    _approve(mv, scientist, officer, owner)
    model_version_prompt_set(actor=scientist, model_version=mv, prompt_version=first)
    mv.refresh_from_db()
    assert mv.status == "approved"
