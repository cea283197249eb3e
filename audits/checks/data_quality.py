"""Data-quality checks on a training/validation table (AI Act Art. 10(2)-(3)).

Each check produces numbers in the result and, past a declared threshold, a finding. The
severities encode what blocks approval: a ``high`` finding (too many missing values in a
feature or the target, a feature that leaks the label) fails the check; duplicates, mixed
types, class imbalance and thinly represented sensitive groups are ``medium`` (a reviewer
must look at them but they can be justified); outliers are ``low`` (informative, often real).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from .common import (
    CheckInputError,
    CheckOutcome,
    Finding,
    Progress,
    ProgressCallback,
    library_versions,
    merge_thresholds,
    prepare_sensitive,
    to_float,
)
from .vocabulary import default_thresholds

DEFAULT_THRESHOLDS: dict[str, Any] = default_thresholds("data_quality")

MAX_CLASSES = 20
"""A target with more distinct values than this (and numeric) is treated as regression."""

MAX_LEAKAGE_CATEGORIES = 50
"""In-sample target encoding of a high-cardinality column always looks predictive (an ID
column memorises the label); such columns get an "identifier-like" note instead of an AUC."""


def run_data_quality(
    *,
    df: pd.DataFrame,
    target: str | None,
    sensitive_columns: Sequence[str],
    feature_columns: Sequence[str],
    thresholds: Mapping[str, float] | None = None,
    bins: Mapping[str, Sequence[float]] | None = None,
    progress: ProgressCallback | None = None,
) -> CheckOutcome:
    """Completeness, duplicates, type consistency, outliers, balance, leakage hints."""
    report = Progress(progress)
    limits = merge_thresholds(DEFAULT_THRESHOLDS, thresholds)
    wanted = list(
        dict.fromkeys([*feature_columns, *sensitive_columns, *([target] if target else [])])
    )
    missing_cols = [c for c in wanted if c not in df.columns]
    if missing_cols:
        raise CheckInputError(f"data lacks column(s): {', '.join(map(str, missing_cols))}")
    n = len(df)
    if n == 0:
        raise CheckInputError("no rows to assess")
    findings: list[Finding] = []

    report(0.05, "completeness")
    completeness = _completeness(df[wanted], limits, findings, target)
    report(0.2, "duplicates")
    duplicates = _duplicates(df[wanted], limits, findings)
    report(0.3, "types")
    types = _type_consistency(df[wanted], findings)
    report(0.45, "outliers")
    outliers = _outliers(df[list(feature_columns)], limits, findings)
    report(0.6, "class balance")
    target_info = _target_balance(df[target], limits, findings) if target else None
    report(0.7, "sensitive groups")
    groups = _sensitive_groups(df[list(sensitive_columns)], bins, limits, findings)
    report(0.8, "leakage")
    leakage = (
        _leakage(df, target, list(feature_columns), target_info, limits, findings)
        if target
        else None
    )

    result = {
        "n_rows": n,
        "n_columns": len(wanted),
        "thresholds": limits,
        "completeness": completeness,
        "duplicates": duplicates,
        "types": types,
        "outliers": outliers,
        "target": target_info,
        "sensitive_groups": groups,
        "leakage": leakage,
    }
    report(1.0, "done")
    return CheckOutcome(
        kind="data_quality",
        passed=not any(f.severity == "high" for f in findings),
        result=result,
        findings=findings,
        charts={},
        library_versions=library_versions("pandas", "numpy", "scikit-learn"),
        seed=None,
    )


def _completeness(
    df: pd.DataFrame, limits: Mapping[str, float], findings: list[Finding], target: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in df.columns:
        missing = int(df[column].isna().sum())
        fraction = missing / len(df)
        out[str(column)] = {
            "missing": missing,
            "missing_fraction": fraction,
            "complete": 1 - fraction,
        }
        limit = 0.0 if column == target else limits["max_missing_fraction"]
        if fraction > limit:
            findings.append(
                Finding(
                    severity="high",
                    code="missing_values",
                    message=(
                        f"{column} is missing in {fraction:.2%} of rows (limit {limit:.2%}"
                        f"{', the target must be complete' if column == target else ''})"
                    ),
                    metric="missing_fraction",
                    value=fraction,
                    threshold=limit,
                    group=str(column),
                )
            )
    return out


def _duplicates(
    df: pd.DataFrame, limits: Mapping[str, float], findings: list[Finding]
) -> dict[str, Any]:
    duplicated = int(df.duplicated(keep="first").sum())
    fraction = duplicated / len(df)
    if fraction > limits["max_duplicate_fraction"]:
        findings.append(
            Finding(
                severity="medium",
                code="duplicate_rows",
                message=(
                    f"{duplicated} rows ({fraction:.2%}) repeat an earlier row; duplicates "
                    "inflate validation scores when they straddle a train/test split"
                ),
                metric="duplicate_fraction",
                value=fraction,
                threshold=limits["max_duplicate_fraction"],
            )
        )
    return {"duplicate_rows": duplicated, "duplicate_fraction": fraction}


def _type_name(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | np.integer):
        return "int"
    if isinstance(value, float | np.floating):
        return "float"
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return "str"
        return "numeric_str"
    return type(value).__name__


def _type_consistency(df: pd.DataFrame, findings: list[Finding]) -> dict[str, Any]:
    """Object columns whose values mix Python types (``"12"`` next to ``"abc"``, 3 next to "x").

    Such columns usually come from a botched export; a model sees them as one category per
    spelling, and statistics silently drop what does not parse.
    """
    out: dict[str, Any] = {}
    for column in df.columns:
        series = df[column]
        if series.dtype != object:
            out[str(column)] = {"dtype": str(series.dtype), "value_types": {}, "mixed": False}
            continue
        kinds = series.dropna().map(_type_name).value_counts()
        kinds_dict = {str(k): int(v) for k, v in kinds.items()}
        numeric_kinds = {"int", "float", "numeric_str"}
        mixed = len(kinds_dict) > 1 and not set(kinds_dict) <= {"int", "float"}
        out[str(column)] = {"dtype": "object", "value_types": kinds_dict, "mixed": mixed}
        if mixed:
            minority = min(kinds_dict.items(), key=lambda kv: kv[1])
            findings.append(
                Finding(
                    severity="medium",
                    code="mixed_types",
                    message=(
                        f"{column} mixes value types {kinds_dict}"
                        + (
                            "; numbers stored as text among words"
                            if set(kinds_dict) & numeric_kinds and "str" in kinds_dict
                            else ""
                        )
                    ),
                    metric="minority_type_count",
                    value=float(minority[1]),
                    group=str(column),
                )
            )
    return out


def _outliers(
    df: pd.DataFrame, limits: Mapping[str, float], findings: list[Finding]
) -> dict[str, Any]:
    """Tukey's fences: outside [Q1 - k*IQR, Q3 + k*IQR], k = ``iqr_multiplier`` (1.5)."""
    out: dict[str, Any] = {}
    k = limits["iqr_multiplier"]
    for column in df.columns:
        series = df[column]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        values = series.dropna().to_numpy(dtype=np.float64)
        if values.size == 0:
            continue
        q1, q3 = np.quantile(values, [0.25, 0.75])
        iqr = q3 - q1
        low, high = q1 - k * iqr, q3 + k * iqr
        count = int(((values < low) | (values > high)).sum())
        fraction = count / values.size
        out[str(column)] = {
            "q1": to_float(q1),
            "q3": to_float(q3),
            "lower_fence": to_float(low),
            "upper_fence": to_float(high),
            "outliers": count,
            "outlier_fraction": fraction,
            "min": to_float(values.min()),
            "max": to_float(values.max()),
        }
        if fraction > limits["max_outlier_fraction"]:
            findings.append(
                Finding(
                    severity="low",
                    code="outliers",
                    message=(
                        f"{column} has {count} values ({fraction:.2%}) outside "
                        f"[{low:.4g}, {high:.4g}] (IQR x {k})"
                    ),
                    metric="outlier_fraction",
                    value=fraction,
                    threshold=limits["max_outlier_fraction"],
                    group=str(column),
                )
            )
    return out


def _is_classification_target(series: pd.Series) -> bool:
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return True
    values = series.dropna()
    return bool(values.nunique() <= MAX_CLASSES and np.all(np.mod(values, 1) == 0))


def _target_balance(
    series: pd.Series, limits: Mapping[str, float], findings: list[Finding]
) -> dict[str, Any]:
    if not _is_classification_target(series):
        values = series.dropna().to_numpy(dtype=np.float64)
        return {
            "task": "regression",
            "column": str(series.name),
            "mean": to_float(values.mean()) if values.size else None,
            "std": to_float(values.std(ddof=1)) if values.size > 1 else None,
            "min": to_float(values.min()) if values.size else None,
            "max": to_float(values.max()) if values.size else None,
        }
    counts = series.dropna().value_counts()
    total = int(counts.sum())
    classes = {str(k): {"count": int(v), "share": v / total} for k, v in counts.items()}
    minority_label, minority_count = str(counts.idxmin()), int(counts.min())
    minority_share = minority_count / total if total else 0.0
    if len(counts) < 2:
        findings.append(
            Finding(
                severity="high",
                code="single_class",
                message=f"target {series.name} has a single class; nothing can be learned",
                metric="n_classes",
                value=float(len(counts)),
                threshold=2.0,
            )
        )
    elif minority_share < limits["min_class_share"]:
        findings.append(
            Finding(
                severity="medium",
                code="class_imbalance",
                message=(
                    f"class {minority_label} is {minority_share:.2%} of {series.name} "
                    f"(minimum {limits['min_class_share']:.0%}); accuracy will be misleading"
                ),
                metric="minority_class_share",
                value=minority_share,
                threshold=limits["min_class_share"],
                group=minority_label,
            )
        )
    return {
        "task": "classification",
        "column": str(series.name),
        "classes": classes,
        "minority_class": minority_label,
        "minority_share": minority_share,
        "imbalance_ratio": (counts.max() / minority_count) if minority_count else None,
    }


def _sensitive_groups(
    df: pd.DataFrame,
    bins: Mapping[str, Sequence[float]] | None,
    limits: Mapping[str, float],
    findings: list[Finding],
) -> dict[str, Any]:
    if df.shape[1] == 0:
        return {"binning": {}, "columns": {}}
    groups, binning = prepare_sensitive(df, bins=bins)
    out: dict[str, Any] = {}
    for column in groups.columns:
        counts = groups[column].value_counts(sort=False)
        total = int(counts.sum())
        entries = {}
        for label, count in counts.items():
            share = count / total
            entries[str(label)] = {"count": int(count), "share": share}
            if count == 0:
                continue
            if share < limits["min_group_share"] or count < limits["min_group_count"]:
                findings.append(
                    Finding(
                        severity="medium",
                        code="underrepresented_group",
                        message=(
                            f"{column}={label} has {int(count)} rows ({share:.2%}); below "
                            f"{limits['min_group_share']:.0%} or {int(limits['min_group_count'])} "
                            "rows its fairness metrics cannot be judged"
                        ),
                        metric="group_share",
                        value=share,
                        threshold=limits["min_group_share"],
                        group=f"{column}={label}",
                    )
                )
        out[str(column)] = entries
    return {"binning": binning, "columns": out}


def _codes_for_target(series: pd.Series) -> np.ndarray:
    return pd.factorize(series, sort=True)[0]


def _leakage(
    df: pd.DataFrame,
    target: str,
    features: list[str],
    target_info: Mapping[str, Any] | None,
    limits: Mapping[str, float],
    findings: list[Finding],
) -> dict[str, Any]:
    """Hints that a feature encodes the label: identical to it, or predicts it alone.

    Classification: single-feature ROC AUC (one-vs-rest per class, the best kept, and
    max(AUC, 1 - AUC) since a perfectly inverted feature leaks as much). Numeric features are
    used as scores directly; categorical ones through their in-sample positive rate per
    category. Regression: absolute Pearson correlation.
    """
    rows = df[[*features, target]].dropna(subset=[target])
    y = rows[target]
    target_codes = _codes_for_target(y)
    out: dict[str, Any] = {}
    classification = target_info is not None and target_info.get("task") == "classification"
    classes = np.unique(target_codes)
    for feature in features:
        x = rows[feature]
        entry: dict[str, Any] = {
            "identical_to_target": _same_partition(x, y),
            "score": None,
            "measure": None,
        }
        usable = x.notna().to_numpy()
        x_ok = x[usable]
        if classification and len(classes) >= 2:
            entry["measure"] = "single_feature_auc"
            scores = _feature_scores(x_ok, target_codes[usable], classes)
            if scores is None:
                entry["note"] = "identifier-like: too many categories for an in-sample AUC"
            else:
                entry["score"] = scores
        elif not classification and pd.api.types.is_numeric_dtype(x) and usable.sum() > 2:
            entry["measure"] = "abs_pearson"
            xv = x_ok.to_numpy(dtype=np.float64)
            yv = y[usable].to_numpy(dtype=np.float64)
            if xv.std() > 0 and yv.std() > 0:
                entry["score"] = float(abs(np.corrcoef(xv, yv)[0, 1]))
        limit = limits["leakage_auc"] if classification else limits["leakage_correlation"]
        suspicious = entry["identical_to_target"] or (
            entry["score"] is not None and entry["score"] > limit
        )
        entry["suspected_leakage"] = bool(suspicious)
        out[str(feature)] = entry
        if suspicious:
            reason = (
                "is a relabelling of the target"
                if entry["identical_to_target"]
                else f"alone reaches {entry['measure']} {entry['score']:.4f} (> {limit})"
            )
            findings.append(
                Finding(
                    severity="high",
                    code="label_leakage",
                    message=f"{feature} {reason}; it may encode the label (leakage)",
                    metric=entry["measure"] or "identical",
                    value=entry["score"] if entry["score"] is not None else 1.0,
                    threshold=limit,
                    group=str(feature),
                )
            )
    duplicates = _identical_feature_pairs(rows[features])
    for a, b in duplicates:
        findings.append(
            Finding(
                severity="info",
                code="identical_columns",
                message=f"{a} and {b} hold the same information",
                group=f"{a}, {b}",
            )
        )
    return {"features": out, "identical_feature_pairs": [list(p) for p in duplicates]}


def _same_partition(x: pd.Series, y: pd.Series) -> bool:
    """True when ``x`` is a one-to-one relabelling of ``y`` (e.g. "good"/"bad" for 1/0)."""
    if x.isna().any() or x.nunique() != y.nunique():
        return False
    pairs = pd.DataFrame({"x": x.astype(str), "y": y.astype(str)}).drop_duplicates()
    return len(pairs) == x.nunique()


def _feature_scores(x: pd.Series, codes: np.ndarray, classes: np.ndarray) -> float | None:
    if len(np.unique(codes)) < 2:
        return None
    if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
        values = x.to_numpy(dtype=np.float64)
        numeric = True
    else:
        if x.nunique() > MAX_LEAKAGE_CATEGORIES:
            return None
        values = x.astype(str).to_numpy()
        numeric = False
    best = 0.0
    for cls in classes if len(classes) > 2 else classes[1:]:
        positive = (codes == cls).astype(int)
        if positive.min() == positive.max():
            continue
        score = (
            values if numeric else pd.Series(positive).groupby(values).transform("mean").to_numpy()
        )
        auc = float(roc_auc_score(positive, score))
        best = max(best, auc, 1.0 - auc)
    return best


def _identical_feature_pairs(df: pd.DataFrame) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    columns = list(df.columns)
    hashes = {c: pd.util.hash_pandas_object(df[c], index=False).sum() for c in columns}
    for i, a in enumerate(columns):
        for b in columns[i + 1 :]:
            if hashes[a] == hashes[b] and df[a].equals(df[b]):
                pairs.append((str(a), str(b)))
    return pairs
