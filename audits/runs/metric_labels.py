"""The names of the fairness and performance metrics, for the pages and the reports.

A check's result and the API name each metric by its key (``demographic_parity_difference``);
pages and reports have always printed the key in words (``demographic parity difference``).
That English wording is the message id, so an English page or report reads as before (stored
reports re-render to the same bytes) and French and German ones name the metric in their
language. The keys are never translated.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

METRIC_LABELS = {
    # Fairness: the gaps between groups (audits.checks.fairness.GAP_METRICS) ...
    "demographic_parity_difference": gettext_noop("demographic parity difference"),
    "disparate_impact_ratio": gettext_noop("disparate impact ratio"),
    "equal_opportunity_difference": gettext_noop("equal opportunity difference"),
    "equalized_odds_difference": gettext_noop("equalized odds difference"),
    "predictive_parity_difference": gettext_noop("predictive parity difference"),
    # ... and the per-group rates they compare (GROUP_METRICS).
    "count": gettext_noop("count"),
    "selection_rate": gettext_noop("selection rate"),
    "tpr": gettext_noop("tpr"),
    "fpr": gettext_noop("fpr"),
    "fnr": gettext_noop("fnr"),
    # Performance (audits.checks.performance): classification ...
    "accuracy": gettext_noop("accuracy"),
    "balanced_accuracy": gettext_noop("balanced accuracy"),
    "precision": gettext_noop("precision"),
    "recall": gettext_noop("recall"),
    "f1": gettext_noop("f1"),
    "roc_auc": gettext_noop("roc auc"),
    "log_loss": gettext_noop("log loss"),
    "brier": gettext_noop("brier"),
    # ... and regression.
    "mae": gettext_noop("mae"),
    "rmse": gettext_noop("rmse"),
    "r2": gettext_noop("r2"),
}
