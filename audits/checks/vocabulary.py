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
    ("operational", "Operational"),
)
CHECK_KINDS: tuple[str, ...] = tuple(value for value, _ in CHECK_KIND_CHOICES)
#: Kinds a policy may require: those a worker computes. Operational metrics are reported by
#: the running service and judged as they arrive, never "run" for a version.
REQUIRABLE_CHECK_KINDS: tuple[str, ...] = tuple(k for k in CHECK_KINDS if k != "operational")

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
