"""EU AI Act risk tier from questionnaire answers: a pure function, no Django.

The questions, their options and the articles they cite are data (rows an admin can amend);
what the code knows is only the *effect* each option has in the decision procedure of
AI_ACT.md section 1 (Art. 2, 5, 6, 50, 51). Adding a new Art. 5 practice or Annex III point
is therefore a new option row with an existing effect, not a code change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Effects an option can carry. Kept as plain strings so the data layer can store them.
OUT_OF_SCOPE = "out_of_scope"  # hard exclusion (Art. 3(1) not met, Art. 2(3), 2(6), ...)
OPEN_SOURCE = "open_source_exclusion"  # Art. 2(12): excluded unless Art. 5, 6 or 50 applies
ROLE = "role"  # Art. 3(3), 3(4), 25(1): recorded, no tier effect
PROHIBITED = "prohibited"  # Art. 5(1)
ANNEX_I = "annex_i"  # Art. 6(1)
ANNEX_III = "annex_iii"  # Art. 6(2); effect_value is the Annex III point, e.g. "5(b)"
PROFILING = "profiling"  # Art. 6(3) last subparagraph: always high risk
SIGNIFICANT_RISK = "significant_risk"  # Art. 6(3) first subparagraph: no derogation
DEROGATION = "derogation"  # Art. 6(3)(a)-(d)
DEROGATION_DOCUMENTED = "derogation_documented"  # Art. 6(4) and 49(2)
TRANSPARENCY = "transparency"  # Art. 50; effect_value is the paragraph, e.g. "50(1)"
GPAI = "gpai"  # Art. 3(63), 53
GPAI_SYSTEMIC = "gpai_systemic"  # Art. 51
NONE = ""  # "no" / "none of these"

EFFECTS = (
    OUT_OF_SCOPE,
    OPEN_SOURCE,
    ROLE,
    PROHIBITED,
    ANNEX_I,
    ANNEX_III,
    PROFILING,
    SIGNIFICANT_RISK,
    DEROGATION,
    DEROGATION_DOCUMENTED,
    TRANSPARENCY,
    GPAI,
    GPAI_SYSTEMIC,
    NONE,
)

# Steps whose questions are only asked when an Annex III area applies (Art. 6(3)).
ANNEX_III_FOLLOW_UP = {SIGNIFICANT_RISK, DEROGATION, DEROGATION_DOCUMENTED}

TIERS = ("prohibited", "high_risk", "limited", "minimal", "not_high_risk_6_3", "out_of_scope")


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    article: str = ""
    effect: str = NONE
    effect_value: str = ""


@dataclass(frozen=True)
class Question:
    key: str
    step: str
    text: str
    article: str = ""
    multiple: bool = False
    options: tuple[Option, ...] = ()

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    @property
    def effects(self) -> set[str]:
        return {o.effect for o in self.options if o.effect}


@dataclass
class Outcome:
    tier: str = "minimal"
    role: str = ""
    annex_i: bool = False
    annex_iii_areas: list[str] = field(default_factory=list)
    transparency_flags: list[str] = field(default_factory=list)
    gpai: bool = False
    gpai_systemic: bool = False
    rationale: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.missing and not self.errors


def _chosen(question: Question, raw: Any, outcome: Outcome) -> list[Option] | None:
    values = raw if isinstance(raw, list) else [raw]
    if not question.multiple and len(values) != 1:
        outcome.errors.append(f"{question.key}: exactly one answer expected")
        return None
    chosen = []
    for value in values:
        option = question.option(str(value)) if isinstance(value, (str, int, bool)) else None
        if option is None:
            allowed = ", ".join(o.value for o in question.options)
            outcome.errors.append(f"{question.key}: {value!r} is not one of {allowed}")
            return None
        chosen.append(option)
    if question.multiple and len(chosen) > 1 and any(not o.effect for o in chosen):
        # "none of these" next to a real answer is a contradiction, not a shortcut.
        outcome.errors.append(f"{question.key}: 'none' cannot be combined with other answers")
        return None
    return chosen


def _needed(question: Question, effects_so_far: set[str]) -> bool:
    if OUT_OF_SCOPE in effects_so_far:
        return False  # a hard exclusion ends the questionnaire
    q_effects = question.effects
    if q_effects & ANNEX_III_FOLLOW_UP or PROFILING in q_effects:
        if ANNEX_III not in effects_so_far:
            return False
        if q_effects & ANNEX_III_FOLLOW_UP and PROFILING in effects_so_far:
            return False  # profiling: high risk whatever the derogation answers say
    return True


def classify(questions: Sequence[Question], answers: Mapping[str, Any]) -> Outcome:
    """Walk the questions in order and derive the tier, flags and a per-step rationale.

    ``answers`` maps question keys to an option value (or a list of them for multiple-choice
    questions). Questions that the path makes irrelevant are not required (after an Art. 5
    practice nothing else matters for the tier, but flags are still recorded).
    """
    outcome = Outcome()
    known = {q.key for q in questions}
    for key in answers:
        if key not in known:
            outcome.errors.append(f"{key}: unknown question")
    effects: set[str] = set()
    values: dict[str, list[str]] = {}
    for question in questions:
        if not _needed(question, effects):
            continue
        if question.key not in answers or answers[question.key] in (None, "", []):
            outcome.missing.append(question.key)
            continue
        chosen = _chosen(question, answers[question.key], outcome)
        if chosen is None:
            continue
        for option in chosen:
            if option.effect:
                effects.add(option.effect)
                values.setdefault(option.effect, []).append(option.effect_value or option.value)
        outcome.rationale.append(
            {
                "step": question.step,
                "question": question.key,
                "text": question.text,
                "article": question.article,
                "answer": [o.value for o in chosen],
                "answer_labels": [o.label for o in chosen],
                "articles": sorted({o.article for o in chosen if o.article}),
            }
        )
    if not outcome.valid:
        return outcome
    _resolve(outcome, effects, values)
    return outcome


def _resolve(outcome: Outcome, effects: set[str], values: dict[str, list[str]]) -> None:
    outcome.role = (values.get(ROLE) or [""])[0]
    outcome.transparency_flags = sorted(set(values.get(TRANSPARENCY, [])))
    outcome.gpai = bool(effects & {GPAI, GPAI_SYSTEMIC})
    outcome.gpai_systemic = GPAI_SYSTEMIC in effects
    outcome.annex_i = ANNEX_I in effects
    outcome.annex_iii_areas = sorted(set(values.get(ANNEX_III, [])))
    conclusion: str
    if OUT_OF_SCOPE in effects:
        outcome.tier, conclusion = "out_of_scope", "An exclusion of Art. 2 or 3(1) applies."
    elif PROHIBITED in effects:
        practices = ", ".join(values[PROHIBITED])
        outcome.tier, conclusion = (
            "prohibited",
            f"Prohibited practice under Art. 5(1): {practices}.",
        )
    elif outcome.annex_i:
        outcome.tier, conclusion = "high_risk", "High risk under Art. 6(1) (Annex I product)."
    elif outcome.annex_iii_areas:
        areas = ", ".join(outcome.annex_iii_areas)
        derogation = (
            PROFILING not in effects
            and SIGNIFICANT_RISK not in effects
            and DEROGATION in effects
            and DEROGATION_DOCUMENTED in effects
        )
        if derogation:
            outcome.tier = "not_high_risk_6_3"
            conclusion = (
                f"Annex III point {areas}, but the Art. 6(3) derogation applies "
                f"({', '.join(values[DEROGATION])}), documented under Art. 6(4)."
            )
        else:
            outcome.tier = "high_risk"
            why = (
                "it profiles natural persons (Art. 6(3))"
                if PROFILING in effects
                else "no documented Art. 6(3) derogation applies"
            )
            conclusion = f"High risk under Art. 6(2), Annex III point {areas}: {why}."
    elif outcome.transparency_flags:
        flags = ", ".join(outcome.transparency_flags)
        outcome.tier, conclusion = "limited", f"Transparency obligations of Art. {flags}."
    else:
        outcome.tier, conclusion = "minimal", "No prohibited, high-risk or Art. 50 use."
    if OPEN_SOURCE in effects and outcome.tier == "minimal" and not outcome.transparency_flags:
        # Art. 2(12) only excludes open-source systems that are neither prohibited, high
        # risk, nor subject to Art. 50.
        outcome.tier = "out_of_scope"
        conclusion = "Free and open-source licence, Art. 2(12), and no Art. 5, 6 or 50 use."
    outcome.rationale.append(
        {"step": "result", "question": "tier", "text": conclusion, "answer": [outcome.tier]}
    )
