"""Result types and helpers shared by every audit check.

Checks are plain functions that return a :class:`CheckOutcome`. The outcome is what the
worker stores on a CheckRun row, so everything in ``result`` must survive a JSON round trip:
numbers keep their full precision (an auditor must be able to recompute them), while NaN and
infinities, which JSON cannot carry, become ``None``.
"""

from __future__ import annotations

import math
import platform
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from itertools import pairwise
from typing import Any, Literal

import numpy as np
import pandas as pd

Severity = Literal["info", "low", "medium", "high"]
SEVERITIES: tuple[Severity, ...] = ("info", "low", "medium", "high")

ProgressCallback = Callable[[float, str], None]
"""Called with a fraction in [0, 1] and a short human-readable message."""

CheckKind = Literal[
    "fairness", "explainability", "data_quality", "performance", "drift", "generative"
]


class CheckInputError(ValueError):
    """The inputs cannot be checked (wrong shape, missing column, unsupported task).

    Distinct from a failed check: a failed check is a result, this is an error the caller
    must show to the person who asked for the check.
    """


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer must look at, tied to the metric and threshold that raised it."""

    severity: Severity
    code: str
    message: str
    metric: str | None = None
    value: float | None = None
    threshold: float | None = None
    group: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "metric": self.metric,
            "value": to_float(self.value),
            "threshold": to_float(self.threshold),
            "group": self.group,
        }


@dataclass
class CheckOutcome:
    """Everything one check produced.

    ``charts`` holds PNG bytes and is left out of :meth:`to_dict` because binary blobs are
    stored as files next to the CheckRun, not inside its JSON result.
    """

    kind: CheckKind
    passed: bool
    result: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)
    charts: dict[str, bytes] = field(default_factory=dict)
    library_versions: dict[str, str] = field(default_factory=dict)
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "passed": bool(self.passed),
            "result": json_safe(self.result),
            "findings": [f.to_dict() for f in self.findings],
            "library_versions": dict(self.library_versions),
            "seed": self.seed,
        }


def to_float(value: Any) -> float | None:
    """Return a plain float, or ``None`` for missing, NaN and infinite values."""
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def json_safe(obj: Any) -> Any:
    """Recursively convert numpy/pandas values to JSON-compatible Python values.

    Floats are never rounded: stored results are evidence and must match a recomputation.
    """
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return to_float(obj)
    if isinstance(obj, Mapping):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return [json_safe(v) for v in obj.tolist()]
    if isinstance(obj, pd.Series):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [json_safe(v) for v in obj]
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    if obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, Finding):
        return obj.to_dict()
    return str(obj)


def library_versions(*distributions: str) -> dict[str, str]:
    """Installed versions of the libraries a result depends on, for reproducibility."""

    versions = {"python": platform.python_version()}
    for name in distributions:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


class Progress:
    """Null-safe, monotonic wrapper around an optional :data:`ProgressCallback`.

    Callbacks write to a database row; a failing callback must not abort a long computation,
    but we also must not hide it, so errors propagate only for programming errors (TypeError).
    """

    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback = callback
        self._last = 0.0

    def __call__(self, fraction: float, message: str) -> None:
        if self._callback is None:
            return
        fraction = min(1.0, max(self._last, float(fraction)))
        self._last = fraction
        self._callback(fraction, message)


def merge_thresholds(defaults: Mapping[str, Any], overrides: Mapping[str, Any] | None) -> dict:
    """Defaults overlaid with caller thresholds; unknown keys are an error, not a silent no-op.

    Thresholds are declared before a check runs (AI Act Art. 9(8)); a typo that silently
    falls back to a default would make the stored declaration false.
    """
    merged = dict(defaults)
    if overrides:
        unknown = sorted(set(overrides) - set(defaults))
        if unknown:
            raise CheckInputError(f"unknown threshold(s): {', '.join(unknown)}")
        merged.update(overrides)
    return merged


def as_1d_array(values: Any, name: str) -> np.ndarray:
    """A 1-D numpy array from a list, Series or column vector."""
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise CheckInputError(f"{name} must be one column, got {values.shape[1]}")
        values = values.iloc[:, 0]
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise CheckInputError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def check_same_length(**arrays: Sequence[Any] | np.ndarray | pd.DataFrame | None) -> int:
    lengths = {name: len(a) for name, a in arrays.items() if a is not None}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k}={v}" for k, v in lengths.items())
        raise CheckInputError(f"inputs have different lengths: {detail}")
    return next(iter(lengths.values()), 0)


# --------------------------------------------------------------------------------------
# Sensitive attributes
# --------------------------------------------------------------------------------------

DEFAULT_AGE_EDGES: tuple[float, ...] = (25.0, 40.0, 60.0)
"""Interior edges for age: <25, 25-40, 40-60, 60+ (left-closed: 25 falls in 25-40).

Common in credit and employment fairness work (young applicants, prime age, older workers,
retirement age); callers with other policies pass their own edges.
"""

MAX_CATEGORIES_BEFORE_BINNING = 10
MISSING_LABEL = "missing"


def _fmt_edge(edge: float) -> str:
    return str(int(edge)) if float(edge).is_integer() else f"{edge:g}"


def bin_labels(edges: Sequence[float]) -> list[str]:
    """Readable labels for interior edges: ``(25, 40)`` gives ``<25, 25-40, 40+``."""
    if not edges:
        return ["all"]
    labels = [f"<{_fmt_edge(edges[0])}"]
    labels += [f"{_fmt_edge(lo)}-{_fmt_edge(hi)}" for lo, hi in pairwise(edges)]
    labels.append(f"{_fmt_edge(edges[-1])}+")
    return labels


def bin_numeric(values: pd.Series, edges: Sequence[float]) -> pd.Series:
    """Bin a numeric series on interior ``edges`` with left-closed intervals.

    Left-closed matches how ages are spoken of ("40-60" includes 40, excludes 60).
    Missing values get their own ``missing`` group rather than being dropped, because
    people with unknown attributes are still subject to the model.
    """
    edges = sorted(float(e) for e in edges)
    labels = bin_labels(edges)
    numeric = pd.to_numeric(values, errors="coerce")
    idx = np.searchsorted(np.asarray(edges, dtype=float), numeric.to_numpy(dtype=float), "right")
    out = np.asarray(labels, dtype=object)[np.minimum(idx, len(labels) - 1)]
    out = np.where(numeric.isna().to_numpy(), MISSING_LABEL, out)
    ordered = labels + ([MISSING_LABEL] if numeric.isna().any() else [])
    return pd.Series(pd.Categorical(out, categories=ordered), index=values.index, name=values.name)


def needs_binning(values: pd.Series, max_categories: int = MAX_CATEGORIES_BEFORE_BINNING) -> bool:
    """A sensitive attribute is treated as continuous when it is numeric with many values."""
    if isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(values):
        return False
    return bool(pd.api.types.is_numeric_dtype(values) and values.nunique() > max_categories)


def quantile_edges(values: pd.Series, n_bins: int = 4) -> list[float]:
    """Interior quantile edges, used for continuous attributes that have no declared bins."""
    numeric = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if numeric.size == 0:
        return []
    qs = np.quantile(numeric, np.linspace(0, 1, n_bins + 1)[1:-1])
    return sorted({float(q) for q in qs})


def prepare_sensitive(
    sensitive: pd.DataFrame,
    *,
    bins: Mapping[str, Sequence[float]] | None = None,
    max_categories: int = MAX_CATEGORIES_BEFORE_BINNING,
) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """Turn sensitive attributes into categorical group labels.

    Continuous attributes are binned: with the caller's edges when given, with
    :data:`DEFAULT_AGE_EDGES` for a column whose name contains "age", otherwise on quartiles.
    Returns the categorical frame and a description of every binning applied, which is stored
    with the result so the groups can be reproduced.
    """
    bins = dict(bins or {})
    unknown = sorted(set(bins) - set(sensitive.columns))
    if unknown:
        raise CheckInputError(f"bins given for unknown sensitive column(s): {', '.join(unknown)}")
    out: dict[str, pd.Series] = {}
    binning: dict[str, dict[str, Any]] = {}
    for column in sensitive.columns:
        values = sensitive[column]
        if column in bins or needs_binning(values, max_categories):
            if column in bins:
                edges, source = [float(e) for e in bins[column]], "declared"
            elif "age" in str(column).lower():
                edges, source = list(DEFAULT_AGE_EDGES), "default_age"
            else:
                edges, source = quantile_edges(values), "quartiles"
            out[column] = bin_numeric(values, edges)
            binning[str(column)] = {
                "edges": edges,
                "labels": bin_labels(edges),
                "closed": "left",
                "source": source,
            }
        else:
            as_text = values.astype(object).where(values.notna(), MISSING_LABEL).map(str)
            out[column] = as_text.astype("category")
    return pd.DataFrame(out, index=sensitive.index), binning


def iter_feature_sets(columns: Iterable[str], intersections: bool = True) -> list[tuple[str, ...]]:
    """Each sensitive column alone, then (optionally) the intersection of all of them.

    Only the full intersection is added: with k attributes, every subset would multiply the
    number of tiny groups while the full cross already exposes compounding disadvantage.
    """
    cols = [str(c) for c in columns]
    sets = [(c,) for c in cols]
    if intersections and len(cols) > 1:
        sets.append(tuple(cols))
    return sets


def feature_set_name(columns: Sequence[str]) -> str:
    return " & ".join(columns)


def group_label(columns: Sequence[str], key: Any) -> str:
    """Readable group name: ``female`` for one attribute, ``sex=female, age=<25`` for several."""
    if len(columns) == 1:
        return str(key[0] if isinstance(key, tuple) else key)
    key = key if isinstance(key, tuple) else (key,)
    return ", ".join(f"{c}={v}" for c, v in zip(columns, key, strict=True))
