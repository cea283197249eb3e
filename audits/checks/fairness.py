"""Group fairness of a binary classifier's decisions, computed with fairlearn.

Definitions are fairlearn's (AI_ACT.md section 3), and fairlearn's ``MetricFrame`` does the
per-group computation, so every number here can be reproduced by calling fairlearn directly.

Choices that a reviewer should know about:

* Groups with fewer than ``min_group_size`` rows are reported (with their metrics) and flagged
  ``small_group``, but excluded from the gaps that decide pass/fail: with 10 people a single
  decision moves a rate by 0.1, the whole tolerance. The gap over *all* groups, exactly as
  fairlearn computes it, is stored next to the gated one as ``value_all_groups``.
* A rate that is undefined for a group (TPR/FNR with no actual positives, FPR with no actual
  negatives, precision with no predicted positives) is excluded from that metric's gap, since
  fairlearn/scikit-learn would report it as 0 and invent a disparity.
* Continuous sensitive attributes are binned (see ``common.prepare_sensitive``): age uses
  <25, 25-40, 40-60, 60+ unless ``bins`` says otherwise.
* Each attribute is assessed alone and, with two or more attributes, their full intersection;
  both count towards pass/fail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, precision_score, roc_auc_score

from .charts import grouped_bar_chart
from .common import (
    CheckInputError,
    CheckOutcome,
    Finding,
    Progress,
    ProgressCallback,
    as_1d_array,
    check_same_length,
    feature_set_name,
    group_label,
    iter_feature_sets,
    library_versions,
    merge_thresholds,
    prepare_sensitive,
    to_float,
)
from .vocabulary import default_thresholds

DEFAULT_THRESHOLDS: dict[str, Any] = default_thresholds("fairness")

# metric name -> (direction, how it is computed); "max" means value must be <= threshold.
METRIC_DIRECTIONS: dict[str, str] = {
    "demographic_parity_difference": "max",
    "disparate_impact_ratio": "min",
    "equal_opportunity_difference": "max",
    "equalized_odds_difference": "max",
    "predictive_parity_difference": "max",
}

GAP_METRICS: dict[str, tuple[str, ...]] = {
    "demographic_parity_difference": ("selection_rate",),
    "disparate_impact_ratio": ("selection_rate",),
    "equal_opportunity_difference": ("tpr",),
    "equalized_odds_difference": ("tpr", "fpr"),
    "predictive_parity_difference": ("precision",),
}
"""Each gap metric and the per-group rate(s) it compares."""


GROUP_METRICS = (
    "count",
    "selection_rate",
    "tpr",
    "fpr",
    "fnr",
    "precision",
    "accuracy",
)


def _metric_functions() -> dict[str, Any]:
    fns: dict[str, Any] = {
        "count": count,
        "selection_rate": selection_rate,
        "tpr": true_positive_rate,
        "fpr": false_positive_rate,
        "fnr": false_negative_rate,
        # NaN rather than scikit-learn's default 0 when a group has no predicted positives.
        "precision": partial(precision_score, zero_division=np.nan),
        "accuracy": accuracy_score,
    }
    return fns


def _roc_auc_or_nan(y_true: np.ndarray, y_score: np.ndarray) -> float:
    if len(np.unique(y_true)) < 2:
        return float("nan")
    return float(roc_auc_score(y_true, y_score))


def _auc_by_group(
    yt: np.ndarray, y_score: np.ndarray, groups: pd.DataFrame, index: pd.Index
) -> list[float]:
    """Per-group ROC AUC (scikit-learn's), outside MetricFrame: it is informative, not a
    fairness metric, and each extra MetricFrame metric costs a pass over every group."""
    keys = [groups[c] for c in groups.columns]
    indices = pd.Series(np.arange(len(yt))).groupby(keys, observed=True).indices
    positions = {k if isinstance(k, tuple) else (k,): v for k, v in indices.items()}
    out = []
    for key in index:
        rows = positions.get(key if isinstance(key, tuple) else (key,))
        out.append(float("nan") if rows is None else _roc_auc_or_nan(yt[rows], y_score[rows]))
    return out


def _binarise(values: np.ndarray, pos_label: Any, name: str) -> np.ndarray:
    labels = set(pd.unique(pd.Series(values)).tolist())
    if len(labels) > 2:
        raise CheckInputError(f"{name} must be binary, found {len(labels)} distinct values")
    if pos_label is None:
        if labels <= {0, 1} or labels <= {-1, 1} or labels <= {False, True}:
            pos_label = 1
        else:
            raise CheckInputError(f"{name} is not 0/1; pass pos_label")
    return (values == pos_label).astype(np.int64)


def run_fairness(
    *,
    y_true: Any,
    y_pred: Any,
    sensitive: pd.DataFrame,
    y_score: Any = None,
    thresholds: Mapping[str, float | None] | None = None,
    min_group_size: int = 30,
    bins: Mapping[str, Sequence[float]] | None = None,
    pos_label: Any = None,
    intersections: bool = True,
    make_charts: bool = True,
    progress: ProgressCallback | None = None,
) -> CheckOutcome:
    """Per-group rates and fairness gaps for binary decisions, with pass/fail per threshold.

    Works from predictions alone: ``y_pred`` are the decisions, ``y_score`` (optional) the
    positive-class scores used only for per-group ROC AUC. Labels are mapped to 0/1 with
    ``pos_label`` (default: 1 for 0/1, -1/1 or boolean labels). ``bins`` declares interior
    edges for continuous attributes; ``make_charts=False`` skips the PNGs.
    """
    report = Progress(progress)
    if not isinstance(sensitive, pd.DataFrame) or sensitive.shape[1] == 0:
        raise CheckInputError("sensitive must be a DataFrame with at least one column")
    limits = merge_thresholds(DEFAULT_THRESHOLDS, thresholds)
    labels = _binary_labels(
        y_true=y_true, y_pred=y_pred, y_score=y_score, sensitive=sensitive, pos_label=pos_label
    )
    groups_df, binning = prepare_sensitive(sensitive.reset_index(drop=True), bins=bins)
    fns = _metric_functions()
    feature_sets = iter_feature_sets(groups_df.columns, intersections=intersections)

    report(0.05, "computing overall metrics")
    overall = _overall_metrics(labels.yt, labels.yp, labels.y_score, fns)

    features: dict[str, Any] = {}
    findings: list[Finding] = []
    charts: dict[str, bytes] = {}
    verdicts: list[bool] = []
    for i, columns in enumerate(feature_sets):
        name = feature_set_name(columns)
        report(0.1 + 0.8 * i / len(feature_sets), f"metrics by {name}")
        section, section_findings, section_verdicts = _assess_feature_set(
            columns=columns,
            by_group=_metrics_by_group(labels, groups_df[list(columns)], fns),
            counts=_positives_negatives(labels.yt, labels.yp, groups_df[list(columns)]),
            limits=limits,
            min_group_size=min_group_size,
        )
        features[name] = section
        findings.extend(section_findings)
        verdicts.extend(section_verdicts)
        if make_charts:
            charts[f"group_rates_{_slug(name)}"] = _chart(name, section["groups"])

    report(0.95, "summarising")
    if not verdicts:
        findings.append(_not_assessable_finding(min_group_size))
    result = {
        "n_rows": labels.n,
        "pos_label": pos_label if pos_label is not None else 1,
        "thresholds": limits,
        "min_group_size": min_group_size,
        "binning": binning,
        "sensitive_columns": [str(c) for c in sensitive.columns],
        "feature_sets": [feature_set_name(c) for c in feature_sets],
        "overall": overall,
        "features": features,
        "summary": _summary(features),
    }
    report(1.0, "done")
    return CheckOutcome(
        kind="fairness",
        passed=bool(verdicts) and all(verdicts),
        result=result,
        findings=findings,
        charts=charts,
        library_versions=library_versions("fairlearn", "scikit-learn", "numpy", "pandas"),
        seed=None,
    )


@dataclass(frozen=True)
class _BinaryLabels:
    """Outcomes and decisions mapped to 0/1, the optional scores, and the row count."""

    yt: np.ndarray
    yp: np.ndarray
    y_score: np.ndarray | None
    n: int


def _binary_labels(
    *, y_true: Any, y_pred: Any, y_score: Any, sensitive: pd.DataFrame, pos_label: Any
) -> _BinaryLabels:
    """Validate lengths and map labels to 0/1 with ``pos_label``."""
    y_true_arr = as_1d_array(y_true, "y_true")
    y_pred_arr = as_1d_array(y_pred, "y_pred")
    y_score_arr = (
        as_1d_array(y_score, "y_score").astype(np.float64) if y_score is not None else None
    )
    n = check_same_length(
        y_true=y_true_arr, y_pred=y_pred_arr, y_score=y_score_arr, sensitive=sensitive
    )
    if n == 0:
        raise CheckInputError("no rows to assess")
    return _BinaryLabels(
        yt=_binarise(y_true_arr, pos_label, "y_true"),
        yp=_binarise(y_pred_arr, pos_label, "y_pred"),
        y_score=y_score_arr,
        n=n,
    )


def _metrics_by_group(
    labels: _BinaryLabels, groups: pd.DataFrame, fns: Mapping[str, Any]
) -> pd.DataFrame:
    """fairlearn's MetricFrame by group, in bin order, with per-group ROC AUC when scored."""
    frame = MetricFrame(
        metrics=fns,
        y_true=labels.yt,
        y_pred=labels.yp,
        sensitive_features=groups,
    )
    by_group = _in_category_order(frame.by_group, groups)
    if labels.y_score is not None:
        by_group = by_group.assign(
            roc_auc=_auc_by_group(labels.yt, labels.y_score, groups, by_group.index)
        )
    return by_group


def _not_assessable_finding(min_group_size: int) -> Finding:
    return Finding(
        severity="high",
        code="not_assessable",
        message=(
            f"no sensitive attribute has two groups of at least {min_group_size} rows "
            "with defined rates; fairness cannot be demonstrated"
        ),
        metric=None,
        value=None,
        threshold=float(min_group_size),
    )


def _in_category_order(by_group: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """fairlearn sorts group labels as text ("25-40" before "<25"); restore the bin order."""
    orders = [{cat: i for i, cat in enumerate(groups[c].cat.categories)} for c in groups.columns]

    def position(key: Any) -> tuple[int, ...]:
        key_t = key if isinstance(key, tuple) else (key,)
        return tuple(order.get(v, len(order)) for order, v in zip(orders, key_t, strict=True))

    return by_group.loc[sorted(by_group.index, key=position)]


def _overall_metrics(
    yt: np.ndarray, yp: np.ndarray, y_score: np.ndarray | None, fns: Mapping[str, Any]
) -> dict[str, Any]:
    overall: dict[str, Any] = {key: _plain_number(fn(yt, yp)) for key, fn in fns.items()}
    overall["roc_auc"] = to_float(_roc_auc_or_nan(yt, y_score)) if y_score is not None else None
    overall["positives"] = int(yt.sum())
    overall["negatives"] = int(len(yt) - yt.sum())
    return overall


def _positives_negatives(yt: np.ndarray, yp: np.ndarray, groups: pd.DataFrame) -> pd.DataFrame:
    """Actual positives/negatives and predicted positives per group, to know which rates exist."""
    frame = pd.DataFrame({"pos": yt, "pred_pos": yp}, index=groups.index)
    frame["neg"] = 1 - frame["pos"]
    keys = [groups[c] for c in groups.columns]
    return frame.groupby(keys, observed=True)[["pos", "neg", "pred_pos"]].sum()


def _assess_feature_set(
    *,
    columns: Sequence[str],
    by_group: pd.DataFrame,
    counts: pd.DataFrame,
    limits: Mapping[str, float | None],
    min_group_size: int,
) -> tuple[dict[str, Any], list[Finding], list[bool]]:
    """One feature set: its group rows, then each gap metric against its threshold."""
    name = feature_set_name(columns)
    rows, eligible_keys = _group_rows(
        columns=columns, by_group=by_group, counts=counts, min_group_size=min_group_size
    )
    small = [r["group"] for r in rows if r["small_group"]]
    findings = [
        _small_group_finding(name, r["group"], r["count"], min_group_size)
        for r in rows
        if r["small_group"]
    ]
    eligible = by_group.loc[eligible_keys] if eligible_keys else by_group.iloc[0:0]
    eligible_rows = [r for r in rows if not r["small_group"]]

    def gated_series(metric: str) -> pd.Series:
        keep = [r[metric] is not None for r in eligible_rows]
        return eligible[metric][keep] if len(eligible) else eligible[metric]

    metrics: dict[str, Any] = {}
    verdicts: list[bool] = []
    for metric, bases in GAP_METRICS.items():
        is_ratio = metric == "disparate_impact_ratio"
        gaps = [_gap(gated_series(b), ratio=is_ratio) for b in bases]
        gaps_all = [_gap(by_group[b], ratio=is_ratio) for b in bases]
        entry, worst = _gap_metric_entry(metric, bases, gaps, gaps_all, limits.get(metric))
        metrics[metric] = entry
        if entry["passed"] is not None:
            verdicts.append(entry["passed"])
        finding = _gap_metric_finding(
            metric, entry, worst, columns=columns, name=name, min_group_size=min_group_size
        )
        if finding is not None:
            findings.append(finding)

    section = {
        "columns": [str(c) for c in columns],
        "groups": rows,
        "small_groups": small,
        "metrics": metrics,
        "passed": (all(verdicts) if verdicts else None),
    }
    return section, findings, verdicts


def _group_rows(
    *,
    columns: Sequence[str],
    by_group: pd.DataFrame,
    counts: pd.DataFrame,
    min_group_size: int,
) -> tuple[list[dict[str, Any]], list[Any]]:
    """One row per observed group, and the keys of the groups large enough to gate on."""
    rows: list[dict[str, Any]] = []
    eligible_keys: list[Any] = []
    for key, row in by_group.iterrows():
        if pd.isna(row["count"]) or row["count"] == 0:
            continue  # an unobserved combination of categories, not a group of people
        entry = _group_entry(
            columns=columns,
            key=key,
            row=row,
            metrics=by_group.columns,
            pn=counts.loc[key] if key in counts.index else None,
            min_group_size=min_group_size,
        )
        rows.append(entry)
        if not entry["small_group"]:
            eligible_keys.append(key)
    return rows, eligible_keys


def _group_entry(
    *,
    columns: Sequence[str],
    key: Any,
    row: pd.Series,
    metrics: pd.Index,
    pn: pd.Series | None,
    min_group_size: int,
) -> dict[str, Any]:
    """A group's size, positives/negatives and rates; undefined rates are ``None``."""
    key_t = key if isinstance(key, tuple) else (key,)
    n_group = int(row["count"])
    positives = int(pn["pos"]) if pn is not None else 0
    negatives = int(pn["neg"]) if pn is not None else 0
    predicted = int(pn["pred_pos"]) if pn is not None else 0
    entry: dict[str, Any] = {
        "group": group_label(columns, key_t),
        "values": {str(c): str(v) for c, v in zip(columns, key_t, strict=True)},
        "count": n_group,
        "positives": positives,
        "negatives": negatives,
        "predicted_positives": predicted,
        "small_group": n_group < min_group_size,
    }
    for metric in metrics:
        if metric != "count":
            entry[metric] = _plain_number(row[metric])
    # Rates with an empty denominator are undefined, not zero.
    if positives == 0:
        entry["tpr"] = entry["fnr"] = None
    if negatives == 0:
        entry["fpr"] = None
    if predicted == 0:
        entry["precision"] = None
    return entry


def _small_group_finding(name: str, label: str, n_group: int, min_group_size: int) -> Finding:
    return Finding(
        severity="low",
        code="small_group",
        message=(
            f"group {label} of {name} has {n_group} rows (< {min_group_size}); "
            "reported but excluded from pass/fail gaps"
        ),
        metric="count",
        value=float(n_group),
        threshold=float(min_group_size),
        group=label,
    )


def _gap_metric_entry(
    metric: str,
    bases: tuple[str, ...],
    gaps: list[dict[str, Any] | None],
    gaps_all: list[dict[str, Any] | None],
    threshold: float | None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The metric's gated and ungated values and its verdict, with the worst gap behind it."""
    is_ratio = metric == "disparate_impact_ratio"
    value, worst = _worst(gaps, ratio=is_ratio)
    value_all, _ = _worst(gaps_all, ratio=is_ratio)
    direction = METRIC_DIRECTIONS[metric]
    passed: bool | None
    if value is None or threshold is None:
        passed = None
    else:
        passed = value >= threshold if direction == "min" else value <= threshold
    entry = {
        "value": value,
        "value_all_groups": value_all,
        "threshold": threshold,
        "direction": direction,
        "passed": passed,
        "based_on": list(bases),
        "groups_compared": worst["n_groups"] if worst else 0,
        "min_group": worst["min_group"] if worst else None,
        "max_group": worst["max_group"] if worst else None,
        "worst_rate": worst["base"] if worst else None,
    }
    return entry, worst


def _gap_metric_finding(
    metric: str,
    entry: Mapping[str, Any],
    worst: Mapping[str, Any] | None,
    *,
    columns: Sequence[str],
    name: str,
    min_group_size: int,
) -> Finding | None:
    """High when the gap fails its threshold; info when it has a threshold but no value."""
    value, threshold = entry["value"], entry["threshold"]
    if entry["passed"] is False:
        assert worst is not None and value is not None and threshold is not None
        comparison = "below" if entry["direction"] == "min" else "above"
        min_label = group_label(columns, worst["min_group"])
        max_label = group_label(columns, worst["max_group"])
        return Finding(
            severity="high",
            code=f"{metric}_exceeded",
            message=(
                f"{metric.replace('_', ' ')} for {name} is {value:.4f}, {comparison} "
                f"the threshold {threshold} ({worst['base']}: {min_label} lowest, "
                f"{max_label} highest)"
            ),
            metric=metric,
            value=value,
            threshold=float(threshold),
            group=f"{min_label} vs {max_label}",
        )
    if value is None and threshold is not None:
        return Finding(
            severity="info",
            code="metric_not_assessable",
            message=(
                f"{metric.replace('_', ' ')} for {name} needs two groups of at least "
                f"{min_group_size} rows with defined {'/'.join(entry['based_on'])}"
            ),
            metric=metric,
            threshold=float(threshold),
        )
    return None


def _gap(series: pd.Series, *, ratio: bool) -> dict[str, Any] | None:
    """Max minus min (or min over max) across groups, as fairlearn's ``between_groups``."""
    values = series.astype(float).dropna()
    if len(values) < 2:
        return None
    hi, lo = values.max(), values.min()
    # Same arithmetic as fairlearn: group_max - group_min, group_min / group_max.
    value = (float(lo / hi) if hi > 0 else None) if ratio else float(hi - lo)
    return {
        "value": value,
        "min_group": values.idxmin(),
        "max_group": values.idxmax(),
        "base": str(series.name),
        "n_groups": len(values),
    }


def _worst(gaps: list[dict[str, Any] | None], *, ratio: bool) -> tuple[float | None, Any]:
    """Worst of several gaps (equalized odds is the worse of the TPR and FPR gaps)."""
    present = [g for g in gaps if g is not None and g["value"] is not None]
    if not present or len(present) < len(gaps):
        return None, (present[0] if present else None)
    pick = (
        min(present, key=lambda g: g["value"]) if ratio else max(present, key=lambda g: g["value"])
    )
    return pick["value"], pick


def _plain_number(value: Any) -> float | int | None:
    if isinstance(value, int | np.integer):
        return int(value)
    return to_float(value)


def _summary(features: Mapping[str, Any]) -> dict[str, Any]:
    """Worst value of each metric across all feature sets, for dashboards and the gate."""
    summary: dict[str, Any] = {}
    for metric, direction in METRIC_DIRECTIONS.items():
        candidates = [
            (sec["metrics"][metric]["value"], fname)
            for fname, sec in features.items()
            if sec["metrics"][metric]["value"] is not None
        ]
        if not candidates:
            summary[metric] = {"value": None, "feature_set": None}
            continue
        value, fname = min(candidates) if direction == "min" else max(candidates)
        summary[metric] = {"value": value, "feature_set": fname}
    return summary


def _slug(name: str) -> str:
    parts = "".join(ch if ch.isalnum() else " " for ch in name.lower()).split()
    return "_".join(parts)


def _chart(name: str, groups: Sequence[Mapping[str, Any]]) -> bytes:
    labels = [g["group"] for g in groups]
    series = {
        "selection rate": [g["selection_rate"] for g in groups],
        "TPR": [g["tpr"] for g in groups],
        "FPR": [g["fpr"] for g in groups],
    }
    notes = [f"n={g['count']}" + (" (small)" if g["small_group"] else "") for g in groups]
    return grouped_bar_chart(
        labels,
        series,
        title=f"Selection rate, TPR and FPR by {name}",
        ylabel="rate",
        annotations=notes,
    )
