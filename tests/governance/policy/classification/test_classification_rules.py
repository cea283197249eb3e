"""The tier logic as a pure function, fed with the questionnaire exactly as migration 0004
seeds it (no database)."""

from __future__ import annotations

import importlib

import pytest

from governance.policy.classification.rules import Option, Question, classify
from tests.governance.conftest import BASE, CHATBOT, CREDIT_SCORING, SOCIAL_SCORING, SPAM_FILTER

SEED = importlib.import_module("governance.migrations.0004_seed_questionnaire_and_policies")
QUESTIONS = [
    Question(key, step, text, article, multiple, tuple(Option(*o) for o in options))
    for key, step, text, article, multiple, options in SEED.QUESTIONS
]


def run(answers):
    return classify(QUESTIONS, answers)


def test_credit_scoring_is_high_risk_under_annex_iii_5b():
    out = run(CREDIT_SCORING)
    assert out.valid, (out.missing, out.errors)
    assert out.tier == "high_risk"
    assert out.annex_iii_areas == ["5(b)"]
    steps = {r["question"]: r for r in out.rationale}
    assert steps["q4-annex-iii"]["articles"] == ["Annex III(5)(b)"]
    assert steps["q5-profiling"]["articles"] == ["Art. 6(3)"]
    assert "profiles natural persons" in out.rationale[-1]["text"]


def test_spam_filter_is_minimal_and_chatbot_limited_with_50_1():
    assert run(SPAM_FILTER).tier == "minimal"
    chat = run(CHATBOT)
    assert chat.tier == "limited" and chat.transparency_flags == ["50(1)"]


def test_social_scoring_is_prohibited_even_if_also_high_risk():
    out = run({**SOCIAL_SCORING, "q4-annex-iii": ["credit-scoring"], "q5-profiling": "yes"})
    assert out.tier == "prohibited"
    assert "5(1)(c)" in out.rationale[-1]["text"]


def test_derogation_needs_no_profiling_no_significant_risk_a_condition_and_documentation():
    answers = {
        **BASE,
        "q4-annex-iii": ["education"],
        "q5-profiling": "no",
        "q5-significant-risk": "no",
        "q5-derogation": ["narrow-procedural"],
        "q5-derogation-documented": "yes",
    }
    assert run(answers).tier == "not_high_risk_6_3"
    assert run({**answers, "q5-derogation-documented": "no"}).tier == "high_risk"
    assert run({**answers, "q5-significant-risk": "yes"}).tier == "high_risk"
    assert run({**answers, "q5-derogation": ["none"]}).tier == "high_risk"


def test_profiling_makes_derogation_questions_unnecessary():
    out = run(CREDIT_SCORING)
    assert "q5-derogation" not in out.missing and out.tier == "high_risk"
    out = run({**BASE, "q4-annex-iii": ["education"], "q5-profiling": "no"})
    assert set(out.missing) == {"q5-significant-risk", "q5-derogation", "q5-derogation-documented"}


def test_annex_i_is_high_risk():
    out = run({**BASE, "q3-annex-i": "yes"})
    assert out.tier == "high_risk" and out.annex_i


def test_hard_exclusion_ends_the_questionnaire():
    out = run({"q0-ai-system": "no"})
    assert out.valid and out.tier == "out_of_scope"
    out = run({**BASE, "q0-exclusions": ["defence"]})
    assert out.tier == "out_of_scope"


def test_open_source_is_excluded_only_without_art_5_6_or_50():
    assert run({**BASE, "q0-exclusions": ["open-source"]}).tier == "out_of_scope"
    assert run({**CHATBOT, "q0-exclusions": ["open-source"]}).tier == "limited"
    assert run({**CREDIT_SCORING, "q0-exclusions": ["open-source"]}).tier == "high_risk"


def test_gpai_flags_and_transparency_flags_add_to_any_tier():
    out = run({**CREDIT_SCORING, "q7-gpai": "gpai-systemic", "q6-transparency": ["deep-fake"]})
    assert out.tier == "high_risk" and out.gpai and out.gpai_systemic
    assert out.transparency_flags == ["50(4)"]
    out = run({**BASE, "q7-gpai": "gpai"})
    assert out.gpai and not out.gpai_systemic and out.tier == "minimal"


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({**BASE, "q3-annex-i": "maybe"}, "q3-annex-i: 'maybe' is not one of yes, no"),
        ({**BASE, "q1-role": ["provider", "deployer"]}, "q1-role: exactly one answer expected"),
        (
            {**BASE, "q6-transparency": ["none", "interacts"]},
            "q6-transparency: 'none' cannot be combined with other answers",
        ),
        ({**BASE, "q9-astrology": "yes"}, "q9-astrology: unknown question"),
    ],
)
def test_invalid_answers_are_named(answers, problem):
    out = run(answers)
    assert not out.valid and problem in out.errors


def test_missing_answers_are_listed_not_guessed():
    out = run({"q0-ai-system": "yes"})
    assert not out.valid
    assert "q2-prohibited-practices" in out.missing and "q4-annex-iii" in out.missing


def test_a_new_option_row_changes_the_outcome_without_code():
    # An amendment adding a practice to Art. 5 is a new option with an existing effect.
    amended = [
        Question(
            q.key,
            q.step,
            q.text,
            q.article,
            q.multiple,
            (*q.options, Option("new-practice", "New", "Art. 5(1)(i)", "prohibited", "5(1)(i)"))
            if q.key == "q2-prohibited-practices"
            else q.options,
        )
        for q in QUESTIONS
    ]
    out = classify(amended, {**BASE, "q2-prohibited-practices": ["new-practice"]})
    assert out.tier == "prohibited"
