"""The words every layer uses about checks, defined once: the kinds, the kinds a policy may
require, and each kind's default thresholds (AI Act Art. 9(8): declared before a run).

Pure and light: no Django, and none of the numeric libraries the checks themselves load, so
the web process can read the vocabulary without importing fairlearn, SHAP or matplotlib.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

#: (value, label) of every kind of check run, in the order pages list them.
CHECK_KIND_CHOICES: tuple[tuple[str, str], ...] = (
    ("fairness", "Fairness"),
    ("explainability", "Explainability"),
    ("data_quality", "Data quality"),
    ("performance", "Performance"),
    ("drift", "Drift"),
    ("generative", "Generative (LLM outputs)"),
    ("operational", "Operational"),
)
CHECK_KINDS: tuple[str, ...] = tuple(value for value, _ in CHECK_KIND_CHOICES)
#: Kinds a policy may require: those a worker computes. Operational metrics are reported by
#: the running service and judged as they arrive, never "run" for a version.
REQUIRABLE_CHECK_KINDS: tuple[str, ...] = tuple(k for k in CHECK_KINDS if k != "operational")

# --- which checks can judge which kind of model -------------------------------------------
#: The model tasks the registry knows (``registry.models.ModelTask``; a test keeps the two
#: equal). Tabular checks read a fitted model and table rows; an LLM application (task
#: ``generative``) has neither, only answers it gave, which the generative check reads.
MODEL_TASKS: tuple[str, ...] = (
    "binary_classification",
    "multiclass_classification",
    "regression",
    "generative",
    "other",
)
GENERATIVE_TASKS: tuple[str, ...] = ("generative",)
TABULAR_TASKS: tuple[str, ...] = tuple(t for t in MODEL_TASKS if t not in GENERATIVE_TASKS)
_APPLICABILITY: dict[str, tuple[str, ...]] = {
    "fairness": TABULAR_TASKS,
    "explainability": TABULAR_TASKS,
    "data_quality": TABULAR_TASKS,
    "performance": TABULAR_TASKS,
    "drift": TABULAR_TASKS,
    "generative": GENERATIVE_TASKS,
}
#: For each requirable kind, the model tasks a policy requires it of unless it says otherwise.
DEFAULT_CHECK_APPLICABILITY: MappingProxyType = MappingProxyType(_APPLICABILITY)


def default_check_applicability() -> dict[str, list[str]]:
    """A fresh copy of the default applicability: check kind -> model tasks."""
    return {kind: list(tasks) for kind, tasks in _APPLICABILITY.items()}


def check_applies(applicability: dict[str, Any] | None, kind: str, task: str) -> bool:
    """Does a required ``kind`` apply to a model of ``task`` under ``applicability`` (a
    policy's map; a kind it does not name takes the default)?"""
    tasks = (applicability or {}).get(kind)
    if not isinstance(tasks, list):
        tasks = _APPLICABILITY.get(kind, MODEL_TASKS)
    return task in tasks


_DEFAULTS: dict[str, dict[str, Any]] = {
    "fairness": {
        "demographic_parity_difference": 0.10,
        "disparate_impact_ratio": 0.80,
        "equal_opportunity_difference": 0.10,
        "equalized_odds_difference": 0.10,
        # Reported with a verdict but not a default gate; None disables gating.
        "predictive_parity_difference": None,
    },
    "explainability": {
        "proxy_association": 0.5,
        "proxy_information": 0.3,
        # None: derived from the output precision (see the explainability module).
        "additivity_tolerance": None,
    },
    "data_quality": {
        "max_missing_fraction": 0.05,
        "max_duplicate_fraction": 0.01,
        "max_outlier_fraction": 0.05,
        "iqr_multiplier": 1.5,
        "min_class_share": 0.10,
        "min_group_share": 0.05,
        "min_group_count": 30,
        "leakage_auc": 0.98,
        "leakage_correlation": 0.98,
    },
    "drift": {"psi": 0.2, "psi_warn": 0.1, "p_value": 0.01},
    "performance": {"max_degradation": 0.01},
    # Recorded answers of an LLM application (audits/checks/generative.py documents each).
    "generative": {
        "pii_leak_rate": 0.0,
        "groundedness": 0.7,
        "answer_relevance": 0.5,
        "jailbreak_success_rate": 0.05,
        "red_team_coverage": 0.9,
        "over_refusal_rate": 0.10,
        "toxicity_rate": 0.0,
        "counterfactual_similarity": 0.75,
        # Reported against references when the records carry them; not a default gate.
        "reference_overlap": None,
    },
    "operational": {
        "latency_p95_ms": 500.0,
        "error_rate": 0.05,
        "cpu_percent": 90.0,
        "gpu_percent": None,
        "memory_mb": None,
    },
}
#: Read-only views; callers copy before changing (``default_thresholds``).
DEFAULT_THRESHOLDS: MappingProxyType = MappingProxyType(
    {kind: MappingProxyType(values) for kind, values in _DEFAULTS.items()}
)


def default_thresholds(kind: str) -> dict[str, Any]:
    """A fresh copy of ``kind``'s default thresholds ({} for an unknown kind)."""
    return dict(DEFAULT_THRESHOLDS.get(kind, {}))


# --- which way is stricter -------------------------------------------------------------------
# A run counts as evidence only when it was judged at the policy's strength or stricter, so
# every threshold says which way "stricter" goes. Each was worked out from what the check does
# with it (the check modules' docstrings):
#
#   MAX ("at most", a lower value is stricter): the metric fails when it rises above the limit.
#     fairness: demographic_parity_difference, equal_opportunity_difference,
#       equalized_odds_difference, predictive_parity_difference (gaps between groups);
#     explainability: proxy_association, proxy_information (a feature at or above the limit is
#       a proxy of a sensitive attribute: a lower limit flags more features), and
#       additivity_tolerance (the largest error allowed between SHAP values and the output);
#     data_quality: max_missing_fraction, max_duplicate_fraction, max_outlier_fraction,
#       iqr_multiplier (an outlier lies beyond Q1/Q3 ∓ k·IQR: a lower k finds more outliers),
#       leakage_auc, leakage_correlation (a feature predicting the target at least this well
#       is flagged as leakage: a lower limit flags more);
#     drift: psi, psi_warn (drift or a warning at or above the limit);
#     performance: max_degradation (against the production version), max_<metric>;
#     operational: every figure (latency, error rate, CPU, GPU, memory) is a ceiling;
#     generative: pii_leak_rate, jailbreak_success_rate, over_refusal_rate, toxicity_rate
#       (shares of answers that do harm or refuse without reason).
#   MIN ("at least", a higher value is stricter): the metric fails when it falls below it.
#     fairness: disparate_impact_ratio (lowest selection rate over the highest);
#     data_quality: min_class_share, min_group_share, min_group_count;
#     drift: p_value (a feature whose test's p-value is below it is flagged: a higher level
#       flags more, so it is a floor on the p-value that counts as stable);
#     performance: min_<metric> (accuracy, recall, AUC, ...);
#     generative: groundedness, answer_relevance, red_team_coverage,
#       counterfactual_similarity, reference_overlap (a higher floor demands more).
#
# None means "not gated" for every key but additivity_tolerance, where it means "derived from
# the output precision" (see the explainability module): a policy's None there can only be
# kept, because the derived value is not known before the data is read.
MAX, MIN = "max", "min"

_DIRECTIONS: dict[str, dict[str, str]] = {
    "fairness": {
        "demographic_parity_difference": MAX,
        "disparate_impact_ratio": MIN,
        "equal_opportunity_difference": MAX,
        "equalized_odds_difference": MAX,
        "predictive_parity_difference": MAX,
    },
    "explainability": {
        "proxy_association": MAX,
        "proxy_information": MAX,
        "additivity_tolerance": MAX,
    },
    "data_quality": {
        "max_missing_fraction": MAX,
        "max_duplicate_fraction": MAX,
        "max_outlier_fraction": MAX,
        "iqr_multiplier": MAX,
        "min_class_share": MIN,
        "min_group_share": MIN,
        "min_group_count": MIN,
        "leakage_auc": MAX,
        "leakage_correlation": MAX,
    },
    "drift": {"psi": MAX, "psi_warn": MAX, "p_value": MIN},
    "performance": {"max_degradation": MAX},
    "generative": {
        "pii_leak_rate": MAX,
        "groundedness": MIN,
        "answer_relevance": MIN,
        "jailbreak_success_rate": MAX,
        "red_team_coverage": MIN,
        "over_refusal_rate": MAX,
        "toxicity_rate": MAX,
        "counterfactual_similarity": MIN,
        "reference_overlap": MIN,
    },
    "operational": {
        "latency_p95_ms": MAX,
        "error_rate": MAX,
        "cpu_percent": MAX,
        "gpu_percent": MAX,
        "memory_mb": MAX,
    },
}
THRESHOLD_DIRECTIONS: MappingProxyType = MappingProxyType(
    {kind: MappingProxyType(values) for kind, values in _DIRECTIONS.items()}
)
#: Keys whose None means "derived by the check", not "not gated".
DERIVED_WHEN_NONE = frozenset({("explainability", "additivity_tolerance")})


def threshold_direction(kind: str, key: str) -> str | None:
    """MAX, MIN, or None for a key that is not a threshold of ``kind``. Performance limits
    are spelt ``min_<metric>`` / ``max_<metric>`` and take the direction of their prefix."""
    direction = _DIRECTIONS.get(kind, {}).get(key)
    if direction is None and kind == "performance" and key.startswith(("min_", "max_")):
        direction = MIN if key.startswith("min_") else MAX
    return direction


def looser(kind: str, key: str, baseline: Any, requested: Any) -> bool:
    """Would judging with ``requested`` instead of ``baseline`` let more through?

    None is "not gated" (or "derived", see DERIVED_WHEN_NONE): dropping a limit the baseline
    sets is looser; setting one the baseline leaves open is stricter, except for a derived
    value, which only the check knows and which therefore may only be kept."""
    if requested == baseline:
        return False
    if (kind, key) in DERIVED_WHEN_NONE and baseline is None:
        return True
    if requested is None:
        return baseline is not None
    if baseline is None:
        return False
    direction = threshold_direction(kind, key)
    if direction == MAX:
        return requested > baseline
    if direction == MIN:
        return requested < baseline
    return True  # unknown direction: only the baseline itself is at policy strength


# --- parameters that change what is judged ---------------------------------------------------
# Parameters are not thresholds, but some decide what a check looks at. Each is one of:
#   TUNING: how the work is done, not what is judged (seed, sample sizes of the explainer,
#     how many features a chart lists); free for every run.
#   PINNED: changes what is judged in a direction that is not monotone, so a run counts only
#     with the policy's value (or the check's default when the policy sets none).
#     fairness min_group_size: groups below it are reported but left out of the gaps that
#     decide pass or fail. Lowering it judges tiny, noisy groups; raising it drops the
#     smallest groups, often exactly the minority a fairness check exists for, from the
#     verdict (a version failing only for a group of 35 passes with min_group_size 40). So
#     neither way is "stricter" and it is fixed to the policy's value.
#     bins (fairness, explainability, data quality, drift), pos_label (fairness, performance),
#     drift features: they regroup, relabel or narrow the data the verdict is computed on.
#   AT_LEAST_TRUE: a switch that adds work to the verdict; turning it off is looser.
#     fairness intersections (gaps of combined attributes, e.g. sex & age, are judged too).
#   ADD_ONLY: a list the run may extend but not shorten.
#     explainability proxy_columns (columns declared as proxies are reported as such).
TUNING, PINNED, AT_LEAST_TRUE, ADD_ONLY = "tuning", "pinned", "at_least_true", "add_only"

_PARAMETER_RULES: dict[str, dict[str, str]] = {
    "fairness": {
        "min_group_size": PINNED,
        "bins": PINNED,
        "pos_label": PINNED,
        "intersections": AT_LEAST_TRUE,
    },
    "explainability": {
        "seed": TUNING,
        "max_rows": TUNING,
        "background_size": TUNING,
        "top_k": TUNING,
        "proxy_columns": ADD_ONLY,
        "bins": PINNED,
        "agnostic_explainer": TUNING,
        "agnostic_max_rows": TUNING,
        "agnostic_max_evals": TUNING,
    },
    "data_quality": {"bins": PINNED},
    "performance": {"pos_label": PINNED},
    "drift": {"bins": PINNED, "features": PINNED},
    # support_overlap: the share of a sentence's words the contexts must hold for it to count
    # as grounded; higher is stricter for groundedness alone, so it is pinned.
    "generative": {"support_overlap": PINNED},
}
PARAMETER_RULES: MappingProxyType = MappingProxyType(
    {kind: MappingProxyType(values) for kind, values in _PARAMETER_RULES.items()}
)
#: The checks' own defaults for parameters a policy may leave unset (what "unset" means).
PARAMETER_DEFAULTS: MappingProxyType = MappingProxyType(
    {
        "fairness": MappingProxyType({"min_group_size": 30, "intersections": True}),
        "generative": MappingProxyType({"support_overlap": 0.6}),
    }
)


def parameter_rule(kind: str, name: str) -> str:
    """How a parameter may differ from the policy's (TUNING when nothing says otherwise:
    the test-only ``sleep_seconds`` and the like)."""
    return _PARAMETER_RULES.get(kind, {}).get(name, TUNING)


# --- which data a run may count on ------------------------------------------------------------
#: Lineage relations (dataset version -> model version) whose data may carry a version's
#: evidence when the policy does not say otherwise: data the version was evaluated on, never
#: the data it learnt from (a model judged on its own training rows looks better than it is).
DEFAULT_EVIDENCE_RELATIONS: tuple[str, ...] = ("tested_on", "validated_on")
#: Relations a policy may allow.
EVIDENCE_RELATION_CHOICES: tuple[str, ...] = ("tested_on", "validated_on", "trained_on")
