"""Predictive performance, computed with scikit-learn, and a champion/challenger comparison.

Every metric is the scikit-learn function of the same name on the given arrays, so the
stored numbers can be reproduced exactly. Thresholds are optional floors/ceilings
(``min_<metric>`` / ``max_<metric>``) declared by the policy; the champion comparison flags
a challenger that is worse than the model it would replace by more than
``max_degradation`` (absolute, in the metric's own units).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from sklearn import metrics as skm

from .charts import figure_to_png, new_figure, styled
from .common import (
    CheckInputError,
    CheckOutcome,
    Finding,
    Progress,
    ProgressCallback,
    as_1d_array,
    check_same_length,
    library_versions,
    to_float,
)

Task = Literal["classification", "regression"]

HIGHER_IS_BETTER: dict[str, bool] = {
    "accuracy": True,
    "balanced_accuracy": True,
    "precision": True,
    "recall": True,
    "f1": True,
    "roc_auc": True,
    "log_loss": False,
    "brier": False,
    "mae": False,
    "rmse": False,
    "r2": True,
}

DEFAULT_MAX_DEGRADATION = 0.01
"""One point of accuracy/AUC: below the noise of most validation sets it is not a regression."""


def run_performance(
    *,
    task: Task,
    y_true: Any,
    y_pred: Any,
    y_score: Any = None,
    champion: Mapping[str, Any] | None = None,
    thresholds: Mapping[str, float] | None = None,
    pos_label: Any = None,
    progress: ProgressCallback | None = None,
) -> CheckOutcome:
    """Compute performance metrics and compare against a champion when one is given.

    Classification: accuracy, balanced accuracy, precision, recall, F1 (binary: for
    ``pos_label``; multiclass: macro average), and with ``y_score`` ROC AUC, log loss and
    Brier score (binary: ``y_score`` is the positive-class probability; multiclass: the
    probability matrix, and no Brier). Regression: MAE, RMSE, R2.

    ``champion`` = ``{"y_pred": ..., "y_score": ..., "label": "v3"}`` on the same rows.
    ``thresholds``: ``min_<metric>`` / ``max_<metric>``, ``max_degradation`` (default 0.01),
    ``primary_metric`` is chosen as ROC AUC (with scores) or F1 for classification and RMSE
    for regression; a degraded primary metric is a high finding, other metrics medium.
    """
    report = Progress(progress)
    if task not in ("classification", "regression"):
        raise CheckInputError(f"task must be classification or regression, got {task!r}")
    limits, max_degradation = _split_thresholds(thresholds)

    yt = as_1d_array(y_true, "y_true")
    yp = as_1d_array(y_pred, "y_pred")
    score = _score_array(y_score)
    n = check_same_length(y_true=yt, y_pred=yp, y_score=score)
    if n == 0:
        raise CheckInputError("no rows to assess")

    report(0.1, "computing metrics")
    values, info, primary = _metrics_for_task(task, yt, yp, score, pos_label=pos_label)
    findings = _threshold_findings(values, limits)

    comparison: dict[str, Any] | None = None
    if champion is not None:
        report(0.6, "comparing with champion")
        comparison = _compare(
            task=task,
            yt=yt,
            champion=champion,
            challenger=values,
            pos_label=pos_label,
            n=n,
            primary=primary,
            max_degradation=max_degradation,
            findings=findings,
        )

    charts: dict[str, bytes] = {}
    if task == "classification" and info.get("roc_curve") is not None:
        charts["roc_curve"] = _roc_chart(info["roc_curve"], values.get("roc_auc"))

    result: dict[str, Any] = {
        "task": task,
        "n_rows": n,
        "metrics": values,
        "primary_metric": primary,
        "thresholds": {**limits, "max_degradation": max_degradation},
        **{k: v for k, v in info.items() if k != "roc_curve"},
        "champion": comparison,
    }
    report(1.0, "done")
    return CheckOutcome(
        kind="performance",
        passed=not any(f.severity == "high" for f in findings),
        result=result,
        findings=findings,
        charts=charts,
        library_versions=library_versions("scikit-learn", "numpy"),
        seed=None,
    )


def _split_thresholds(thresholds: Mapping[str, float] | None) -> tuple[dict[str, float], float]:
    """``min_<metric>`` / ``max_<metric>`` limits (validated) and the allowed degradation."""
    limits = dict(thresholds or {})
    max_degradation = float(limits.pop("max_degradation", DEFAULT_MAX_DEGRADATION))
    for key in limits:
        metric = key.removeprefix("min_").removeprefix("max_")
        if not key.startswith(("min_", "max_")) or metric not in HIGHER_IS_BETTER:
            raise CheckInputError(f"unknown threshold {key!r}")
    return limits, max_degradation


def _metrics_for_task(
    task: Task, yt: np.ndarray, yp: np.ndarray, score: np.ndarray | None, *, pos_label: Any
) -> tuple[dict[str, float | None], dict[str, Any], str]:
    """The task's metrics, extra information (confusion matrix, ROC curve) and primary metric."""
    if task == "classification":
        values, info = _classification(yt, yp, score, pos_label)
        primary = "roc_auc" if values.get("roc_auc") is not None else "f1"
    else:
        values, info = _regression(yt, yp)
        primary = "rmse"
    return values, info, primary


def _threshold_findings(
    values: Mapping[str, float | None], limits: Mapping[str, float]
) -> list[Finding]:
    """A finding per declared threshold that is not met or whose metric is unavailable."""
    findings: list[Finding] = []
    for key, threshold in limits.items():
        metric = key[4:]
        value = values.get(metric)
        if value is None:
            findings.append(
                Finding(
                    severity="medium",
                    code="metric_unavailable",
                    message=f"{metric} has a declared threshold but could not be computed",
                    metric=metric,
                    threshold=float(threshold),
                )
            )
            continue
        below = key.startswith("min_") and value < threshold
        above = key.startswith("max_") and value > threshold
        if below or above:
            findings.append(
                Finding(
                    severity="high",
                    code="threshold_not_met",
                    message=(
                        f"{metric} is {value:.4f}, {'below' if below else 'above'} the "
                        f"declared {'minimum' if below else 'maximum'} {threshold}"
                    ),
                    metric=metric,
                    value=value,
                    threshold=float(threshold),
                )
            )
    return findings


def _score_array(y_score: Any) -> np.ndarray | None:
    if y_score is None:
        return None
    arr = np.asarray(y_score, dtype=np.float64)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim not in (1, 2):
        raise CheckInputError(f"y_score must be 1-D or 2-D, got shape {arr.shape}")
    return arr


def _classification(
    yt: np.ndarray, yp: np.ndarray, score: np.ndarray | None, pos_label: Any
) -> tuple[dict[str, float | None], dict[str, Any]]:
    labels = np.unique(np.concatenate([yt, yp]))
    binary = len(labels) <= 2 and (score is None or score.ndim == 1)
    if binary:
        if pos_label is None:
            pos_label = 1 if set(labels.tolist()) <= {0, 1, -1} else labels.max()
        avg: dict[str, Any] = {"average": "binary", "pos_label": pos_label}
    else:
        avg = {"average": "macro"}
    values: dict[str, float | None] = {
        "accuracy": to_float(skm.accuracy_score(yt, yp)),
        "balanced_accuracy": to_float(skm.balanced_accuracy_score(yt, yp)),
        "precision": to_float(skm.precision_score(yt, yp, zero_division=0, **avg)),
        "recall": to_float(skm.recall_score(yt, yp, zero_division=0, **avg)),
        "f1": to_float(skm.f1_score(yt, yp, zero_division=0, **avg)),
        "roc_auc": None,
        "log_loss": None,
        "brier": None,
    }
    info: dict[str, Any] = {
        "average": avg["average"],
        "pos_label": pos_label if binary else None,
        "labels": labels.tolist(),
        "confusion_matrix": skm.confusion_matrix(yt, yp, labels=labels).tolist(),
        "support": {str(k): int((yt == k).sum()) for k in labels},
        "roc_curve": None,
    }
    if score is not None:
        n_classes_true = len(np.unique(yt))
        if binary:
            y_bin = (yt == pos_label).astype(int)
            if n_classes_true == 2:
                values["roc_auc"] = to_float(skm.roc_auc_score(y_bin, score))
                fpr, tpr, _ = skm.roc_curve(y_bin, score)
                info["roc_curve"] = (fpr, tpr)
            values["log_loss"] = to_float(skm.log_loss(y_bin, score, labels=[0, 1]))
            values["brier"] = to_float(skm.brier_score_loss(y_bin, score))
        elif score.ndim == 2:
            classes = sorted(labels.tolist())
            values["roc_auc"] = to_float(
                skm.roc_auc_score(yt, score, multi_class="ovr", labels=classes)
            )
            values["log_loss"] = to_float(skm.log_loss(yt, score, labels=classes))
    return values, info


def _regression(yt: np.ndarray, yp: np.ndarray) -> tuple[dict[str, float | None], dict[str, Any]]:
    yt = yt.astype(np.float64)
    yp = yp.astype(np.float64)
    values: dict[str, float | None] = {
        "mae": to_float(skm.mean_absolute_error(yt, yp)),
        "rmse": to_float(skm.root_mean_squared_error(yt, yp)),
        "r2": to_float(skm.r2_score(yt, yp)) if len(yt) > 1 else None,
    }
    residuals = yp - yt
    info = {
        "residuals": {
            "mean": to_float(residuals.mean()),
            "std": to_float(residuals.std(ddof=1)) if len(yt) > 1 else None,
            "max_abs": to_float(np.abs(residuals).max()),
        }
    }
    return values, info


def _compare(
    *,
    task: Task,
    yt: np.ndarray,
    champion: Mapping[str, Any],
    challenger: Mapping[str, float | None],
    pos_label: Any,
    n: int,
    primary: str,
    max_degradation: float,
    findings: list[Finding],
) -> dict[str, Any]:
    if "y_pred" not in champion:
        raise CheckInputError("champion needs y_pred")
    cp = as_1d_array(champion["y_pred"], "champion.y_pred")
    cs = _score_array(champion.get("y_score"))
    check_same_length(y_true=yt, champion_y_pred=cp, champion_y_score=cs)
    label = str(champion.get("label", "champion"))
    if task == "classification":
        champ_values, _ = _classification(yt, cp, cs, pos_label)
    else:
        champ_values, _ = _regression(yt, cp)
    deltas: dict[str, float | None] = {}
    worse: list[str] = []
    for metric, value in challenger.items():
        base = champ_values.get(metric)
        if value is None or base is None:
            deltas[metric] = None
            continue
        delta = value - base
        deltas[metric] = delta
        degradation = -delta if HIGHER_IS_BETTER[metric] else delta
        if degradation > max_degradation:
            worse.append(metric)
            findings.append(
                Finding(
                    severity="high" if metric == primary else "medium",
                    code="worse_than_champion",
                    message=(
                        f"{metric} is {value:.4f} against {base:.4f} for {label} "
                        f"({'lower' if HIGHER_IS_BETTER[metric] else 'higher'} by "
                        f"{abs(delta):.4f}, tolerance {max_degradation})"
                    ),
                    metric=metric,
                    value=value,
                    threshold=max_degradation,
                    group=label,
                )
            )
    return {
        "label": label,
        "metrics": champ_values,
        "deltas": deltas,
        "worse_metrics": worse,
        "max_degradation": max_degradation,
        "n_rows": n,
    }


@styled
def _roc_chart(curve: tuple[np.ndarray, np.ndarray], auc: float | None) -> bytes:
    fpr, tpr = curve
    fig = new_figure((5.0, 5.0))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(fpr, tpr, color="#1f77b4", label=f"ROC (AUC = {auc:.3f})" if auc is not None else "ROC")
    ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=1)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title("ROC curve")
    ax.legend(loc="lower right")
    fig.tight_layout()
    return figure_to_png(fig)
