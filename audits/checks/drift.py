"""Data and prediction drift between a reference sample and a current sample.

Per feature: the Population Stability Index (PSI) and a two-sample test, the
Kolmogorov-Smirnov test for numeric columns and a chi-squared test of homogeneity on the
category counts for categorical ones. Prediction drift is the PSI (and test) of the
prediction column.

PSI conventions, stored with the result so the number can be recomputed:

* Numeric bins are cut at the reference quantiles (``bins`` equal-frequency bins; duplicate
  edges from ties are merged), with open outer bins so current values outside the reference
  range are counted, not dropped. Missing values form an extra bin.
* Categorical bins are the union of categories seen in either sample, plus missing.
* An empty bin would make ``ln(p/q)`` infinite, so proportions are floored at
  ``PSI_EPSILON = 1e-4`` (one in ten thousand) before the sum; the floored proportions are not
  renormalised. This is the usual industry convention; it caps one empty bin's contribution
  at about ``p * ln(p / 1e-4)``.

Status per column: ``drift`` when PSI >= ``psi`` (0.2), ``warning`` when PSI >= ``psi_warn``
(0.1) or the test's p-value < ``p_value`` (0.01), else ``stable``. The test alone never makes
``drift``: with tens of thousands of rows it rejects for shifts too small to matter, while
PSI measures their size. The check fails when any column or the prediction drifts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .charts import horizontal_bar_chart
from .common import (
    CheckInputError,
    CheckOutcome,
    Finding,
    Progress,
    ProgressCallback,
    library_versions,
    merge_thresholds,
    to_float,
)
from .vocabulary import default_thresholds

PSI_EPSILON = 1e-4
MISSING_BIN = "__missing__"

DEFAULT_THRESHOLDS: dict[str, Any] = default_thresholds("drift")


def is_numeric_column(values: pd.Series) -> bool:
    """Booleans and categoricals are compared as categories, everything numeric as numbers."""
    return bool(
        pd.api.types.is_numeric_dtype(values)
        and not pd.api.types.is_bool_dtype(values)
        and not isinstance(values.dtype, pd.CategoricalDtype)
    )


def quantile_bin_edges(reference: np.ndarray, bins: int) -> np.ndarray:
    """Interior edges at the reference quantiles; ties collapse into fewer bins."""
    finite = reference[np.isfinite(reference)]
    if finite.size == 0:
        return np.array([], dtype=np.float64)
    qs = np.quantile(finite, np.linspace(0.0, 1.0, bins + 1)[1:-1])
    return np.unique(qs)


def numeric_bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts in ``(-inf, e0), [e0, e1), ..., [ek, inf)`` plus a final missing bin."""
    missing = np.isnan(values)
    idx = np.searchsorted(edges, values[~missing], side="right")
    counts = np.bincount(idx, minlength=len(edges) + 1).astype(np.float64)
    return np.append(counts, float(missing.sum()))


def psi_from_counts(
    ref_counts: np.ndarray, cur_counts: np.ndarray, epsilon: float = PSI_EPSILON
) -> tuple[float, np.ndarray, np.ndarray]:
    """PSI = sum((q - p) * ln(q / p)) over bins, with proportions floored at ``epsilon``."""
    p = ref_counts / ref_counts.sum()
    q = cur_counts / cur_counts.sum()
    p_adj = np.maximum(p, epsilon)
    q_adj = np.maximum(q, epsilon)
    return float(np.sum((q_adj - p_adj) * np.log(q_adj / p_adj))), p, q


def _column_drift(
    name: str,
    ref: pd.Series,
    cur: pd.Series,
    *,
    bins: int,
    limits: Mapping[str, float],
) -> dict[str, Any]:
    numeric = is_numeric_column(ref) and is_numeric_column(cur)
    out: dict[str, Any] = {
        "type": "numeric" if numeric else "categorical",
        "n_reference": len(ref),
        "n_current": len(cur),
        "missing_reference": to_float(ref.isna().mean()) if len(ref) else None,
        "missing_current": to_float(cur.isna().mean()) if len(cur) else None,
    }
    if numeric:
        r = ref.to_numpy(dtype=np.float64)
        c = cur.to_numpy(dtype=np.float64)
        edges = quantile_bin_edges(r, bins)
        rc, cc = numeric_bin_counts(r, edges), numeric_bin_counts(c, edges)
        psi, p, q = psi_from_counts(rc, cc)
        bin_labels = [*_numeric_labels(edges), "missing"]
        r_ok, c_ok = r[~np.isnan(r)], c[~np.isnan(c)]
        if len(r_ok) and len(c_ok):
            ks = stats.ks_2samp(r_ok, c_ok)
            out["test"] = {
                "name": "ks_2samp",
                "statistic": to_float(ks.statistic),
                "p_value": to_float(ks.pvalue),
            }
        else:
            out["test"] = {"name": "ks_2samp", "statistic": None, "p_value": None}
        out["edges"] = edges.tolist()
        out["reference_mean"] = to_float(np.nanmean(r)) if len(r_ok) else None
        out["current_mean"] = to_float(np.nanmean(c)) if len(c_ok) else None
    else:
        r_txt = _as_categories(ref)
        c_txt = _as_categories(cur)
        categories = sorted(set(r_txt) | set(c_txt), key=lambda v: (v == MISSING_BIN, v))
        r_counts = r_txt.value_counts()
        c_counts = c_txt.value_counts()
        rc = np.array([float(r_counts.get(k, 0)) for k in categories])
        cc = np.array([float(c_counts.get(k, 0)) for k in categories])
        psi, p, q = psi_from_counts(rc, cc)
        bin_labels = ["missing" if k == MISSING_BIN else k for k in categories]
        table = np.vstack([rc, cc])
        table = table[:, table.sum(axis=0) > 0]
        if table.shape[1] >= 2:
            chi2, pval, dof, _ = stats.chi2_contingency(table)
            out["test"] = {
                "name": "chi2_contingency",
                "statistic": to_float(chi2),
                "p_value": to_float(pval),
                "dof": int(dof),
            }
        else:  # one category in both samples: nothing can have shifted
            out["test"] = {"name": "chi2_contingency", "statistic": 0.0, "p_value": 1.0, "dof": 0}
        out["categories"] = bin_labels
    out["psi"] = psi
    out["bins"] = [
        {"bin": label, "reference": to_float(pi), "current": to_float(qi)}
        for label, pi, qi in zip(bin_labels, p, q, strict=True)
        if pi > 0 or qi > 0
    ]
    p_value = out["test"]["p_value"]
    if psi >= limits["psi"]:
        status = "drift"
    elif psi >= limits["psi_warn"] or (p_value is not None and p_value < limits["p_value"]):
        status = "warning"
    else:
        status = "stable"
    out["status"] = status
    return out


def _as_categories(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), MISSING_BIN).map(str)


def _numeric_labels(edges: np.ndarray) -> list[str]:
    if len(edges) == 0:
        return ["all"]
    labels = [f"< {edges[0]:.6g}"]
    labels += [f"[{lo:.6g}, {hi:.6g})" for lo, hi in pairwise(edges)]
    labels.append(f">= {edges[-1]:.6g}")
    return labels


def run_drift(
    *,
    reference: pd.DataFrame,
    current: pd.DataFrame,
    features: Sequence[str],
    prediction_column: str | None = None,
    thresholds: Mapping[str, float] | None = None,
    bins: int = 10,
    progress: ProgressCallback | None = None,
) -> CheckOutcome:
    """Compare ``current`` against ``reference`` column by column; see the module docstring."""
    report = Progress(progress)
    limits = merge_thresholds(DEFAULT_THRESHOLDS, thresholds)
    if bins < 2:
        raise CheckInputError("bins must be at least 2")
    columns = list(features) + ([prediction_column] if prediction_column else [])
    for frame_name, frame in (("reference", reference), ("current", current)):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise CheckInputError(f"{frame_name} lacks column(s): {', '.join(missing)}")
        if len(frame) == 0:
            raise CheckInputError(f"{frame_name} has no rows")

    findings: list[Finding] = []
    per_feature: dict[str, Any] = {}
    for i, name in enumerate(features):
        report(0.9 * i / max(1, len(features)), f"comparing {name}")
        per_feature[name] = _column_drift(
            name, reference[name], current[name], bins=bins, limits=limits
        )
        findings.extend(_findings_for(name, per_feature[name], limits, prediction=False))

    prediction: dict[str, Any] | None = None
    if prediction_column:
        report(0.92, "comparing predictions")
        prediction = _column_drift(
            prediction_column,
            reference[prediction_column],
            current[prediction_column],
            bins=bins,
            limits=limits,
        )
        prediction["column"] = prediction_column
        findings.extend(_findings_for(prediction_column, prediction, limits, prediction=True))

    drifted = [name for name, r in per_feature.items() if r["status"] == "drift"]
    warned = [name for name, r in per_feature.items() if r["status"] == "warning"]
    result = {
        "n_reference": len(reference),
        "n_current": len(current),
        "bins": bins,
        "psi_epsilon": PSI_EPSILON,
        "binning": "reference quantiles; open outer bins; missing as its own bin",
        "thresholds": limits,
        "features": per_feature,
        "prediction": prediction,
        "drifted_features": drifted,
        "warning_features": warned,
        "share_drifted": len(drifted) / len(per_feature) if per_feature else 0.0,
        "prediction_drift": bool(prediction and prediction["status"] == "drift"),
    }
    charts: dict[str, bytes] = {}
    psi_values = {name: r["psi"] for name, r in per_feature.items()}
    if prediction is not None:
        psi_values[f"{prediction_column} (prediction)"] = prediction["psi"]
    if psi_values:
        charts["psi"] = horizontal_bar_chart(
            psi_values,
            title="Population stability index",
            xlabel="PSI",
            threshold=limits["psi"],
        )
    report(1.0, "done")
    return CheckOutcome(
        kind="drift",
        passed=not drifted and not result["prediction_drift"],
        result=result,
        findings=findings,
        charts=charts,
        library_versions=library_versions("scipy", "numpy", "pandas"),
        seed=None,
    )


def _findings_for(
    name: str, r: Mapping[str, Any], limits: Mapping[str, float], *, prediction: bool
) -> list[Finding]:
    what = "prediction" if prediction else "feature"
    if r["status"] == "drift":
        return [
            Finding(
                severity="high",
                code="prediction_drift" if prediction else "feature_drift",
                message=f"{what} {name} drifted: PSI {r['psi']:.4f} >= {limits['psi']}",
                metric="psi",
                value=r["psi"],
                threshold=limits["psi"],
                group=name,
            )
        ]
    if r["status"] == "warning":
        p_value = r["test"]["p_value"]
        if r["psi"] >= limits["psi_warn"]:
            return [
                Finding(
                    severity="medium",
                    code="psi_warning",
                    message=(
                        f"{what} {name} is shifting: PSI {r['psi']:.4f} >= {limits['psi_warn']}"
                    ),
                    metric="psi",
                    value=r["psi"],
                    threshold=limits["psi_warn"],
                    group=name,
                )
            ]
        return [
            Finding(
                severity="low",
                code="distribution_test_significant",
                message=(
                    f"{what} {name}: {r['test']['name']} p-value {p_value:.3g} < "
                    f"{limits['p_value']} (PSI {r['psi']:.4f} is below the warning level)"
                ),
                metric="p_value",
                value=p_value,
                threshold=limits["p_value"],
                group=name,
            )
        ]
    return []
