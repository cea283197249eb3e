"""SHAP explanations of a model, with the metadata needed to reproduce and trust them.

Explainer by model family (AI_ACT.md section 4):

* tree models (XGBoost, LightGBM, scikit-learn trees and ensembles): ``shap.TreeExplainer``
  with ``feature_perturbation="tree_path_dependent"``, exact, no background sample (the trees'
  node cover counts play that role);
* linear scikit-learn models: ``shap.LinearExplainer`` with an independent masker over a seeded
  random background of at most ``background_size`` rows;
* anything else (ONNX graphs, pipelines): ``shap.PermutationExplainer`` (default) or
  ``shap.KernelExplainer`` (k-means background when every feature is numeric) over a seeded
  background, on at most ``agnostic_max_rows`` rows because each row costs thousands of model
  calls.

The additivity error ``max |base + sum(SHAP) - model output|`` is measured against the model's
own output in the explainer's units (log-odds margin, probability or raw value), computed by
the model's framework rather than by SHAP, so a feature-order or parsing mismatch shows up.
Its tolerance is 1e-6 for models that compute in float64. XGBoost and ONNX Runtime compute in
float32; their own outputs carry rounding of order ``n_terms * 2**-24 * |output|``
(XGBoost's contributions sum to its margin only to about 1e-6 to 1e-5), so for them the
tolerance is that summation bound and the relative error is stored alongside.

Proxy detection: a feature is a likely proxy of a sensitive attribute when their association
(|Pearson r| when both are numeric or binary, Cramér's V on binned values otherwise) reaches
``proxy_association`` (0.5), or when the feature carries at least ``proxy_information`` (0.3)
of the attribute's entropy (mutual information over the attribute's entropy, on values binned
into ten quantile bins). Both thresholds are heuristics, stored with the result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

from .charts import figure_to_png, horizontal_bar_chart, pyplot_figure
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
from .loading import LoadedModel
from .vocabulary import default_thresholds

DEFAULT_THRESHOLDS: dict[str, Any] = default_thresholds("explainability")
FLOAT64_TOLERANCE = 1e-6
N_LOCAL = 3
BEESWARM_MAX_POINTS = 1000
PROXY_MAX_ROWS = 20_000  # association estimates are stable to ~0.01 well before this
PROXY_BINS = 10

AgnosticExplainer = Literal["permutation", "kernel"]


@dataclass
class _Explained:
    """SHAP output normalised to (rows, features, outputs) plus what produced it."""

    values: np.ndarray
    base: np.ndarray
    reference: np.ndarray
    units: str
    explainer: str
    parameters: dict[str, Any]
    background: pd.DataFrame | None
    output_dtype: str
    n_terms: int
    output_names: list[str]


def run_explainability(
    *,
    model: LoadedModel,
    X: pd.DataFrame,
    sensitive_columns: Sequence[str],
    seed: int = 0,
    max_rows: int = 2000,
    background_size: int = 100,
    top_k: int = 5,
    proxy_columns: Sequence[str] | None = None,
    sensitive: pd.DataFrame | None = None,
    bins: Mapping[str, Sequence[float]] | None = None,
    thresholds: Mapping[str, float | None] | None = None,
    agnostic_explainer: AgnosticExplainer = "permutation",
    agnostic_max_rows: int = 200,
    agnostic_max_evals: int | None = None,
    make_charts: bool = True,
    progress: ProgressCallback | None = None,
) -> CheckOutcome:
    """Explain ``model`` on (a seeded sample of) ``X`` and flag influential sensitive features.

    ``X`` holds the model's input columns (in any order; extra columns are ignored when the
    model knows its feature names). Sensitive attributes are read from ``sensitive`` when given
    (aligned with ``X`` by position), else from ``X[sensitive_columns]``; they are binned like
    in the fairness check for subgroup importances. ``make_charts=False`` skips the PNGs
    (about a second of rendering) for callers that only need the numbers.
    """
    report = Progress(progress)
    limits = merge_thresholds(DEFAULT_THRESHOLDS, thresholds)
    if top_k < 1 or max_rows < 1 or background_size < 1:
        raise CheckInputError("top_k, max_rows and background_size must be positive")
    features = _model_features(model, X)
    sens_raw = _sensitive_frame(X, sensitive, sensitive_columns)
    # One generator, drawn from in a fixed order: explained rows, background, proxy sample.
    rng = np.random.default_rng(seed)

    cap = _row_cap(model, max_rows=max_rows, agnostic_max_rows=agnostic_max_rows)
    rows = _sample_positions(len(X), cap, rng)
    X_exp = X.iloc[rows][features]
    report(0.05, f"explaining {len(X_exp)} rows with {len(features)} features")

    explained = _explain(
        model,
        X[features],
        X_exp,
        background_size=background_size,
        rng=rng,
        seed=seed,
        method=agnostic_explainer,
        max_evals=agnostic_max_evals,
        report=report,
    )
    report(0.7, "summarising explanations")
    additivity = _measure_additivity(explained, tolerance=limits["additivity_tolerance"])
    importance = _rank_features(explained, features=features, top_k=top_k)

    report(0.75, "subgroup importances")
    subgroups, binning = _subgroup_importance(explained.values, sens_raw.iloc[rows], features, bins)
    report(0.8, "proxy detection")
    proxies = _detect_proxies(
        X,
        sens_raw,
        features=features,
        sensitive_columns=sensitive_columns,
        proxy_columns=proxy_columns,
        rng=rng,
        limits=limits,
    )
    findings = _findings(importance, proxies, additivity, sensitive_columns, top_k=top_k)

    report(0.85, "local explanations")
    local = _explain_borderline_rows(model, X_exp, explained, keep=max(10, top_k))

    charts: dict[str, bytes] = {}
    if make_charts:
        report(0.9, "charts")
        charts = _charts(X_exp, explained, local, importance, model=model, seed=seed)

    result = _result_document(
        model=model,
        explained=explained,
        additivity=additivity,
        importance=importance,
        seed=seed,
        max_rows=max_rows,
        top_k=top_k,
        rows_available=len(X),
        X_exp=X_exp,
        features=features,
        sensitive_columns=sensitive_columns,
        subgroups=subgroups,
        binning=binning,
        proxies=proxies,
        local_explanations=local.explanations,
        limits=limits,
    )
    report(1.0, "done")
    return _outcome(result, findings, charts, seed=seed)


def _outcome(
    result: dict[str, Any], findings: list[Finding], charts: dict[str, bytes], *, seed: int
) -> CheckOutcome:
    """Passed unless a finding is high; the library versions that produced the numbers."""
    return CheckOutcome(
        kind="explainability",
        passed=not any(f.severity == "high" for f in findings),
        result=result,
        findings=findings,
        charts=charts,
        library_versions=library_versions(
            "shap", "numpy", "pandas", "scikit-learn", "xgboost", "lightgbm", "onnxruntime"
        ),
        seed=seed,
    )


@dataclass(frozen=True)
class _Additivity:
    """How far base value plus SHAP values land from the model's own output."""

    max_abs_error: float
    max_relative_error: float
    tolerance: float
    output_dtype: str

    @property
    def passed(self) -> bool:
        return self.max_abs_error <= self.tolerance

    def as_dict(self) -> dict[str, Any]:
        return {
            "max_abs_error": self.max_abs_error,
            "max_relative_error": self.max_relative_error,
            "tolerance": self.tolerance,
            "output_dtype": self.output_dtype,
            "passed": self.passed,
        }


@dataclass(frozen=True)
class _Importance:
    """Mean |SHAP| per feature (summed over outputs, and per output when several)."""

    global_importance: dict[str, float]
    by_output: dict[str, dict[str, float]] | None
    ranking: list[str]
    top: list[str]


@dataclass(frozen=True)
class _Proxies:
    """Features associated with a sensitive attribute, measured or declared by the caller."""

    measured: list[dict[str, Any]]
    declared_columns: list[str]  # as given by the caller
    declared: list[str]  # the declared columns that are model features
    features: list[str]  # measured proxies and declared features, sorted


@dataclass(frozen=True)
class _BorderlineRows:
    """The rows nearest the decision boundary, explained one by one, and the chart inputs."""

    scores: np.ndarray | None
    chart_values: np.ndarray
    rows: list[int]
    explanations: list[dict[str, Any]]


def _row_cap(model: LoadedModel, *, max_rows: int, agnostic_max_rows: int) -> int:
    """Rows to explain: model-agnostic explainers cost thousands of model calls per row."""
    if model.model_type in ("tree", "linear"):
        return max_rows
    return min(max_rows, agnostic_max_rows)


def _explain(
    model: LoadedModel,
    X_all: pd.DataFrame,
    X_exp: pd.DataFrame,
    *,
    background_size: int,
    rng: np.random.Generator,
    seed: int,
    method: AgnosticExplainer,
    max_evals: int | None,
    report: Progress,
) -> _Explained:
    """SHAP values of ``X_exp`` from the explainer that fits the model's family."""
    if model.model_type == "tree":
        return _explain_tree(model, X_exp)
    if model.model_type == "linear":
        return _explain_linear(model, X_all, X_exp, background_size, rng)
    return _explain_agnostic(
        model,
        X_all,
        X_exp,
        background_size=background_size,
        rng=rng,
        seed=seed,
        method=method,
        max_evals=max_evals,
        report=report,
    )


def _measure_additivity(explained: _Explained, *, tolerance: float | None) -> _Additivity:
    """Max |base + sum(SHAP) - model output|, against the given or the dtype's tolerance."""
    values, base, reference = explained.values, explained.base, explained.reference
    totals = base[None, :] + values.sum(axis=1)
    abs_diff = np.abs(totals - reference)
    error = float(abs_diff.max()) if abs_diff.size else 0.0
    output_scale = float(max(1.0, np.abs(reference).max() if reference.size else 1.0))
    if tolerance is None:
        tolerance = _additivity_tolerance(explained, totals, values)
    return _Additivity(
        max_abs_error=error,
        max_relative_error=error / output_scale,
        tolerance=tolerance,
        output_dtype=explained.output_dtype,
    )


def _rank_features(explained: _Explained, *, features: list[str], top_k: int) -> _Importance:
    """Global importance (mean |SHAP|), ranked with ties broken by feature name."""
    mean_abs = np.abs(explained.values).mean(axis=0)  # (features, outputs)
    importance = mean_abs.sum(axis=1)
    global_importance = {f: float(v) for f, v in zip(features, importance, strict=True)}
    by_output = (
        {
            name: {f: float(v) for f, v in zip(features, mean_abs[:, j], strict=True)}
            for j, name in enumerate(explained.output_names)
        }
        if explained.values.shape[2] > 1
        else None
    )
    ranking = sorted(features, key=lambda f: (-global_importance[f], f))
    return _Importance(
        global_importance=global_importance,
        by_output=by_output,
        ranking=ranking,
        top=ranking[:top_k],
    )


def _explain_borderline_rows(
    model: LoadedModel, X_exp: pd.DataFrame, explained: _Explained, *, keep: int
) -> _BorderlineRows:
    """Local explanations of the rows nearest the decision boundary."""
    scores = _scores_for_borderline(model, X_exp)
    predictions = model.predict(X_exp)
    rows = _borderline_positions(model, scores, predictions, N_LOCAL)
    chart_values = _values_for_charts(explained.values, scores, model)
    explanations = [
        _local_explanation(
            X_exp,
            pos,
            chart_values[pos],
            _chart_base(explained.base, scores, model, pos),
            explained.reference[pos],
            predictions[pos],
            None if scores is None else scores[pos],
            keep,
        )
        for pos in rows
    ]
    return _BorderlineRows(
        scores=scores, chart_values=chart_values, rows=rows, explanations=explanations
    )


def _result_document(
    *,
    model: LoadedModel,
    explained: _Explained,
    additivity: _Additivity,
    importance: _Importance,
    seed: int,
    max_rows: int,
    top_k: int,
    rows_available: int,
    X_exp: pd.DataFrame,
    features: list[str],
    sensitive_columns: Sequence[str],
    subgroups: dict[str, Any],
    binning: dict[str, Any],
    proxies: _Proxies,
    local_explanations: list[dict[str, Any]],
    limits: Mapping[str, float | None],
) -> dict[str, Any]:
    """The stored (and hashed) result; its keys and their order are part of the format."""
    base = explained.base
    n_outputs = explained.values.shape[2]
    background = explained.background
    top = importance.top
    return {
        "explainer": explained.explainer,
        "parameters": {
            **explained.parameters,
            "seed": seed,
            "max_rows": max_rows,
            "rows_explained": len(X_exp),
            "rows_available": rows_available,
            "top_k": top_k,
        },
        "model_type": model.model_type,
        "task": model.task,
        "output_units": explained.units,
        "output_names": explained.output_names,
        "background_size": 0 if background is None else len(background),
        "background_sha256": _frame_sha256(background) if background is not None else None,
        "explained_rows_sha256": _frame_sha256(X_exp),
        "base_value": [float(b) for b in base] if n_outputs > 1 else float(base[0]),
        "additivity": additivity.as_dict(),
        "features": features,
        "global_importance": importance.global_importance,
        "global_importance_by_output": importance.by_output,
        "ranking": importance.ranking,
        "top_features": top,
        "subgroup_importance": subgroups,
        "binning": binning,
        "proxies": proxies.measured,
        "proxy_features": proxies.features,
        "declared_proxy_columns": proxies.declared_columns,
        "sensitive_in_top_k": [f for f in top if f in sensitive_columns],
        "proxies_in_top_k": [f for f in top if f in proxies.features],
        "local_explanations": local_explanations,
        "thresholds": {**limits, "additivity_tolerance": additivity.tolerance},
    }


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------


def _model_features(model: LoadedModel, X: pd.DataFrame) -> list[str]:
    if not isinstance(X, pd.DataFrame) or len(X) == 0:
        raise CheckInputError("X must be a non-empty DataFrame")
    if model.feature_names is None:
        return [str(c) for c in X.columns]
    missing = [c for c in model.feature_names if c not in X.columns]
    if missing:
        raise CheckInputError(f"X lacks model feature(s): {', '.join(missing)}")
    return list(model.feature_names)


def _sensitive_frame(
    X: pd.DataFrame, sensitive: pd.DataFrame | None, columns: Sequence[str]
) -> pd.DataFrame:
    if sensitive is not None:
        if len(sensitive) != len(X):
            raise CheckInputError("sensitive must have one row per row of X")
        missing = [c for c in columns if c not in sensitive.columns]
        source = sensitive
    else:
        missing = [c for c in columns if c not in X.columns]
        source = X
    if missing:
        raise CheckInputError(f"sensitive column(s) not found: {', '.join(missing)}")
    return source[list(columns)].reset_index(drop=True)


def _sample_positions(n: int, cap: int, rng: np.random.Generator) -> np.ndarray:
    """Seeded sample without replacement, kept in original order for readable local rows."""
    if n <= cap:
        return np.arange(n)
    return np.sort(rng.choice(n, size=cap, replace=False))


def _frame_sha256(frame: pd.DataFrame) -> str:
    """SHA-256 identifying rows exactly: per column its name, dtype and values (numeric columns
    as their raw little-endian bytes, others as text joined by the unit separator).

    Cheaper than hashing a CSV rendering (seconds on 50,000 rows) and free of float
    formatting questions; the row order is part of the identity.
    """
    digest = hashlib.sha256()
    for column in frame.columns:
        values = frame[column]
        digest.update(f"{column}\x1e{values.dtype}\x1e".encode())
        if pd.api.types.is_numeric_dtype(values) and not isinstance(
            values.dtype, pd.CategoricalDtype
        ):
            array = values.to_numpy()
            digest.update(np.ascontiguousarray(array.astype(array.dtype.newbyteorder("<"))).data)
        else:
            digest.update("\x1f".join(map(str, values.tolist())).encode("utf-8"))
        digest.update(b"\x1d")
    return digest.hexdigest()


# --------------------------------------------------------------------------------------
# Explainers
# --------------------------------------------------------------------------------------


def _as_3d(values: Any, n_rows: int, n_features: int) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 2:
        return arr[:, :, None]
    if arr.ndim == 3 and arr.shape[:2] == (n_rows, n_features):
        return arr
    raise CheckInputError(f"unexpected SHAP values shape {arr.shape}")


def _as_2d(output: Any, n_rows: int) -> np.ndarray:
    arr = np.asarray(output, dtype=np.float64)
    return arr.reshape(n_rows, -1)


def _keep_positive_class(
    values: np.ndarray, base: np.ndarray, reference: np.ndarray, task: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Binary models explained per class (both columns mirror each other): keep class 1."""
    if task == "binary" and values.shape[2] == 2:
        return values[:, :, 1:], base[1:], reference[:, 1:]
    return values, base, reference


def _tree_output(native: Any, X: pd.DataFrame) -> tuple[np.ndarray, str, str]:
    """The model's own output in TreeExplainer's ``raw`` units, computed by its framework."""
    import lightgbm as lgb  # noqa: PLC0415 - heavy optional library, loaded only where it is used
    import xgboost as xgb  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    if isinstance(native, xgb.Booster):
        dm = xgb.DMatrix(X, enable_categorical=True)
        objective = native.save_config()
        units = _units_for_objective(objective)
        return native.predict(dm, output_margin=True), units, "float32"
    if isinstance(native, xgb.XGBModel):
        units = _units_for_objective(native.get_booster().save_config())
        return native.predict(X, output_margin=True), units, "float32"
    if isinstance(native, lgb.Booster | lgb.LGBMModel):
        booster = native if isinstance(native, lgb.Booster) else native.booster_
        objective = str(booster.dump_model(num_iteration=1).get("objective", ""))
        units = "log-odds" if objective.startswith(("binary", "cross_entropy")) else "raw"
        return native.predict(X, raw_score=True), units, "float64"
    name = type(native).__name__
    if name.startswith(("RandomForest", "ExtraTree", "DecisionTree")) and hasattr(
        native, "predict_proba"
    ):
        return native.predict_proba(X), "probability", "float64"
    if hasattr(native, "decision_function"):
        n_classes = len(getattr(native, "classes_", []))
        return native.decision_function(X), "log-odds" if n_classes == 2 else "raw", "float64"
    return native.predict(X), "raw", "float64"


def _units_for_objective(config_json: str) -> str:
    return (
        "log-odds"
        if '"binary:logistic"' in config_json or '"binary:logitraw"' in config_json
        else "raw"
    )


def _explain_tree(model: LoadedModel, X_exp: pd.DataFrame) -> _Explained:
    import shap  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    explainer = shap.TreeExplainer(model.native, feature_perturbation="tree_path_dependent")
    raw_values = explainer.shap_values(X_exp, check_additivity=False)
    n, f = X_exp.shape
    values = _as_3d(raw_values, n, f)
    base = np.atleast_1d(np.asarray(explainer.expected_value, dtype=np.float64))
    output, units, dtype = _tree_output(model.native, X_exp)
    reference = _as_2d(output, n)
    values, base, reference = _keep_positive_class(values, base, reference, model.task)
    n_trees = len(getattr(explainer.model, "trees", None) or [])
    return _Explained(
        values=values,
        base=base,
        reference=reference,
        units=units,
        explainer="TreeExplainer",
        parameters={"feature_perturbation": "tree_path_dependent", "model_output": "raw"},
        background=None,
        output_dtype=dtype,
        n_terms=n_trees + f + 1,
        output_names=_output_names(model, values.shape[2]),
    )


def _explain_linear(
    model: LoadedModel,
    X_all: pd.DataFrame,
    X_exp: pd.DataFrame,
    background_size: int,
    rng: np.random.Generator,
) -> _Explained:
    import shap  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    background = X_all.iloc[_sample_positions(len(X_all), background_size, rng)]
    explainer = shap.LinearExplainer(
        model.native,
        shap.maskers.Independent(
            background.to_numpy(dtype=np.float64), max_samples=background_size
        ),
    )
    n, f = X_exp.shape
    values = _as_3d(explainer.shap_values(X_exp.to_numpy(dtype=np.float64)), n, f)
    base = np.atleast_1d(np.asarray(explainer.expected_value, dtype=np.float64))
    native = model.native
    if hasattr(native, "decision_function") and model.task != "regression":
        output = native.decision_function(X_exp)
        is_logistic = type(native).__name__ == "LogisticRegression" or getattr(
            native, "loss", None
        ) in ("log_loss", "log")
        units = "log-odds" if is_logistic else "raw"
    else:
        output, units = native.predict(X_exp), "raw"
    reference = _as_2d(output, n)
    return _Explained(
        values=values,
        base=base,
        reference=reference,
        units=units,
        explainer="LinearExplainer",
        parameters={"masker": "Independent", "background_sampling": "random"},
        background=background,
        output_dtype="float64",
        n_terms=f + 1,
        output_names=_output_names(model, values.shape[2]),
    )


class _Codec:
    """Numeric view of a frame for SHAP's maskers, which need floats.

    Text and categorical columns travel as integer codes (their sorted distinct values in the
    full data; -1 for missing) and are decoded back to the original values and dtypes before
    the model is called, so SHAP values are reported per raw, human-readable column.
    """

    def __init__(self, X_all: pd.DataFrame) -> None:
        self.features = [str(c) for c in X_all.columns]
        self.dtypes = [X_all[c].dtype for c in X_all.columns]
        self.vocab: dict[str, pd.Index] = {}
        for column in X_all.columns:
            if _is_text(X_all[column]):
                self.vocab[str(column)] = pd.Index(pd.factorize(X_all[column], sort=True)[1])

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        out = np.empty(frame.shape, dtype=np.float64)
        for j, column in enumerate(self.features):
            if column in self.vocab:
                out[:, j] = self.vocab[column].get_indexer(frame[column])
            else:
                out[:, j] = frame[column].to_numpy(dtype=np.float64)
        return out

    def decode(self, data: np.ndarray) -> pd.DataFrame:
        # Called hundreds of times per explained row: build columns directly.
        columns: dict[str, Any] = {}
        for j, (column, dtype) in enumerate(zip(self.features, self.dtypes, strict=True)):
            col = data[:, j]
            if column in self.vocab:
                codes = col.astype(np.int64)
                values = self.vocab[column].take(np.maximum(codes, 0)).to_numpy(dtype=object)
                values[codes < 0] = None
                if isinstance(dtype, pd.CategoricalDtype):
                    columns[column] = pd.Categorical(values, dtype=dtype)
                else:
                    columns[column] = values
            elif col.dtype != dtype:
                columns[column] = col.astype(dtype)
            else:
                columns[column] = col
        return pd.DataFrame(columns, copy=False)


def _is_text(values: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)


def _prediction_function(
    model: LoadedModel, codec: _Codec
) -> tuple[Callable[[np.ndarray], np.ndarray], str]:
    """What the model-agnostic explainers explain: probability (classifiers) or value."""
    if model.task != "regression" and model.has_proba:
        return (
            lambda data: np.asarray(model.predict_proba(codec.decode(data)), dtype=np.float64)
        ), "probability"
    return (lambda data: np.asarray(model.predict(codec.decode(data)), dtype=np.float64)), "raw"


@dataclass(frozen=True)
class _AgnosticValues:
    """What one model-agnostic explainer returned, before normalisation."""

    raw_values: Any
    base: np.ndarray
    background: pd.DataFrame
    parameters: dict[str, Any]


def _explain_agnostic(
    model: LoadedModel,
    X_all: pd.DataFrame,
    X_exp: pd.DataFrame,
    *,
    background_size: int,
    rng: np.random.Generator,
    seed: int,
    method: AgnosticExplainer,
    max_evals: int | None,
    report: Progress,
) -> _Explained:
    n, f = X_exp.shape
    codec = _Codec(X_all)
    predict, units = _prediction_function(model, codec)
    background = X_all.iloc[_sample_positions(len(X_all), background_size, rng)]
    evals = max_evals or 10 * (2 * f + 1)
    data = codec.encode(X_exp)
    if method == "permutation":
        explained = _permutation_values(
            predict,
            codec,
            data,
            background,
            background_size=background_size,
            seed=seed,
            evals=evals,
            report=report,
        )
    elif method == "kernel":
        explained = _kernel_values(
            predict,
            codec,
            data,
            X_all,
            background_size=background_size,
            seed=seed,
            evals=evals,
            report=report,
        )
    else:
        raise CheckInputError(f"unknown explainer {method!r}")
    values = _as_3d(explained.raw_values, n, f)
    reference = _as_2d(predict(data), n)
    return _Explained(
        values=values,
        base=explained.base,
        reference=reference,
        units=units,
        explainer="PermutationExplainer" if method == "permutation" else "KernelExplainer",
        parameters=explained.parameters,
        background=explained.background,
        output_dtype="float64",
        n_terms=f + 1,
        output_names=_output_names(model, values.shape[2]),
    )


def _permutation_values(
    predict: Callable[[np.ndarray], np.ndarray],
    codec: _Codec,
    data: np.ndarray,
    background: pd.DataFrame,
    *,
    background_size: int,
    seed: int,
    evals: int,
    report: Progress,
) -> _AgnosticValues:
    """PermutationExplainer over an independent masker on the seeded random background."""
    import shap  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    masker = shap.maskers.Independent(codec.encode(background), max_samples=background_size)
    explainer = shap.PermutationExplainer(predict, masker, seed=seed)
    report(0.1, f"permutation explainer, {evals} evaluations per row")
    explanation = explainer(data, max_evals=evals, silent=True)
    n = data.shape[0]
    base = np.atleast_1d(np.asarray(explanation.base_values, dtype=np.float64).reshape(n, -1)[0])
    return _AgnosticValues(
        raw_values=explanation.values,
        base=base,
        background=background,
        parameters={
            "max_evals": evals,
            "masker": "Independent",
            "background_sampling": "random",
        },
    )


def _kernel_values(
    predict: Callable[[np.ndarray], np.ndarray],
    codec: _Codec,
    data: np.ndarray,
    X_all: pd.DataFrame,
    *,
    background_size: int,
    seed: int,
    evals: int,
    report: Progress,
) -> _AgnosticValues:
    """KernelExplainer over a k-means summary of all rows (numeric data only)."""
    import shap  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    if codec.vocab:
        raise CheckInputError("the kernel explainer's k-means background needs numeric data")
    k = min(background_size, len(X_all))
    summary = shap.kmeans(codec.encode(X_all), k)
    explainer = shap.KernelExplainer(predict, summary)
    report(0.1, f"kernel explainer, {evals} samples per row")
    state = np.random.get_state()
    np.random.seed(seed)  # KernelExplainer samples coalitions from numpy's global RNG
    try:
        raw_values = explainer.shap_values(data, nsamples=evals, silent=True, l1_reg=False)
    finally:
        np.random.set_state(state)
    return _AgnosticValues(
        raw_values=raw_values,
        base=np.atleast_1d(np.asarray(explainer.expected_value, dtype=np.float64)),
        background=pd.DataFrame(summary.data, columns=list(X_all.columns)),
        parameters={
            "nsamples": evals,
            "background_sampling": "kmeans",
            "kmeans_weights": [float(w) for w in summary.weights],
            "l1_reg": False,
        },
    )


def _output_names(model: LoadedModel, n_outputs: int) -> list[str]:
    if n_outputs == 1:
        return ["positive class" if model.task == "binary" else "output"]
    if model.classes and len(model.classes) == n_outputs:
        return [str(c) for c in model.classes]
    return [f"output {j}" for j in range(n_outputs)]


def _additivity_tolerance(explained: _Explained, totals: np.ndarray, values: np.ndarray) -> float:
    """1e-6 for float64 models; the float32 summation bound for float32 models."""
    if explained.output_dtype == "float64":
        return FLOAT64_TOLERANCE
    scale = float(np.max(np.abs(values).sum(axis=1) + np.abs(totals))) if values.size else 1.0
    bound = explained.n_terms * 2.0**-24 * max(1.0, scale)
    return max(FLOAT64_TOLERANCE, bound)


# --------------------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------------------


def _subgroup_importance(
    values: np.ndarray,
    sens: pd.DataFrame,
    features: list[str],
    bins: Mapping[str, Sequence[float]] | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    if sens.shape[1] == 0:
        return {}, {}
    groups, binning = prepare_sensitive(sens.reset_index(drop=True), bins=bins)
    per_row = np.abs(values).sum(axis=2)  # (rows, features), summed over outputs
    frame = pd.DataFrame(per_row, columns=features)
    out: dict[str, Any] = {}
    for column in groups.columns:
        grouped = frame.groupby(groups[column], observed=True)
        means = grouped.mean()
        sizes = grouped.size()
        out[str(column)] = {
            str(label): {
                "count": int(sizes[label]),
                "mean_abs_shap": {f: float(means.loc[label, f]) for f in features},
            }
            for label in means.index
        }
    return out, binning


def _binned_codes(values: pd.Series) -> np.ndarray:
    """Integer codes: quantile bins for numeric columns, category codes otherwise (-1 = NaN)."""
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if numeric and values.nunique() > PROXY_BINS:
        return (
            pd.qcut(values, PROXY_BINS, labels=False, duplicates="drop")
            .fillna(-1)
            .to_numpy(dtype=np.int64)
        )
    return pd.factorize(values, sort=True)[0]


def _numeric_view(values: pd.Series) -> np.ndarray | None:
    """Numeric values for Pearson's r: numbers as they are, two-level columns as 0/1."""
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=np.float64)
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=np.float64)
    if values.nunique(dropna=True) == 2:
        codes = pd.factorize(values, sort=True)[0].astype(np.float64)
        codes[codes < 0] = np.nan
        return codes
    return None


def _cramers_v(a: np.ndarray, b: np.ndarray) -> float:
    table = pd.crosstab(a, b).to_numpy(dtype=np.float64)
    if min(table.shape) < 2:
        return 0.0
    chi2 = chi2_contingency(table, correction=False)[0]
    return float(np.sqrt(chi2 / (table.sum() * (min(table.shape) - 1))))


def _information_share(feature_codes: np.ndarray, sensitive_codes: np.ndarray) -> float:
    """I(feature; sensitive) / H(sensitive): the share of the attribute the feature reveals."""
    from sklearn.metrics import mutual_info_score  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    counts = np.bincount(sensitive_codes)
    p = counts[counts > 0] / counts.sum()
    entropy = float(-(p * np.log(p)).sum())
    if entropy <= 0:
        return 0.0
    return float(mutual_info_score(sensitive_codes, feature_codes) / entropy)


def _detect_proxies(
    X: pd.DataFrame,
    sens: pd.DataFrame,
    *,
    features: list[str],
    sensitive_columns: Sequence[str],
    proxy_columns: Sequence[str] | None,
    rng: np.random.Generator,
    limits: Mapping[str, float | None],
) -> _Proxies:
    """Measured proxies of each sensitive attribute, joined with the declared ones."""
    measured = _proxy_scan(X, sens, features, sensitive_columns, rng, limits)
    declared = [c for c in (proxy_columns or []) if c in features]
    return _Proxies(
        measured=measured,
        declared_columns=list(proxy_columns or []),
        declared=declared,
        features=sorted({p["feature"] for p in measured if p["is_proxy"]} | set(declared)),
    )


def _proxy_scan(
    X: pd.DataFrame,
    sens: pd.DataFrame,
    features: list[str],
    sensitive_columns: Sequence[str],
    rng: np.random.Generator,
    limits: Mapping[str, float | None],
) -> list[dict[str, Any]]:
    positions = _sample_positions(len(X), PROXY_MAX_ROWS, rng)
    X_s = X.iloc[positions].reset_index(drop=True)
    sens_s = sens.iloc[positions].reset_index(drop=True)
    assoc_limit = float(limits["proxy_association"] or 1.0)
    info_limit = float(limits["proxy_information"] or 1.0)
    results: list[dict[str, Any]] = []
    for s_col in sensitive_columns:
        s = sens_s[s_col]
        s_num = _numeric_view(s)
        s_codes = _binned_codes(s)
        for feature in features:
            if feature == s_col:
                continue
            x = X_s[feature]
            ok = (s_codes >= 0) & x.notna().to_numpy()
            if s_num is not None:
                ok &= ~np.isnan(s_num)
            x_num = _numeric_view(x)
            if ok.sum() < 3:
                continue
            x_codes = _binned_codes(x)
            if x_num is not None and s_num is not None:
                xv, sv = x_num[ok], s_num[ok]
                if xv.std() > 0 and sv.std() > 0:
                    association = float(abs(np.corrcoef(xv, sv)[0, 1]))
                else:
                    association = 0.0
                measure = "abs_pearson"
            else:
                association = _cramers_v(x_codes[ok], s_codes[ok])
                measure = "cramers_v"
            information = _information_share(x_codes[ok], s_codes[ok])
            results.append(
                {
                    "feature": feature,
                    "sensitive": str(s_col),
                    "association": association,
                    "association_measure": measure,
                    "information_share": information,
                    "is_proxy": bool(association >= assoc_limit or information >= info_limit),
                }
            )
    results.sort(key=lambda r: (-max(r["association"], r["information_share"]), r["feature"]))
    return results


def _findings(
    importance: _Importance,
    proxies: _Proxies,
    additivity: _Additivity,
    sensitive_columns: Sequence[str],
    *,
    top_k: int,
) -> list[Finding]:
    """An additivity violation, then each top-k feature that is sensitive or a proxy."""
    findings: list[Finding] = []
    if not additivity.passed:
        findings.append(_additivity_finding(additivity))
    for rank, feature in enumerate(importance.top, start=1):
        value = importance.global_importance[feature]
        if feature in sensitive_columns:
            findings.append(
                _sensitive_feature_finding(feature, rank=rank, top_k=top_k, value=value)
            )
            continue
        matches = [p for p in proxies.measured if p["feature"] == feature and p["is_proxy"]]
        if matches or feature in proxies.declared:
            findings.append(
                _proxy_feature_finding(feature, matches, rank=rank, top_k=top_k, value=value)
            )
    return findings


def _additivity_finding(additivity: _Additivity) -> Finding:
    error, tolerance = additivity.max_abs_error, additivity.tolerance
    return Finding(
        severity="high",
        code="additivity_violated",
        message=(
            f"SHAP values do not add up to the model output (max error "
            f"{error:.3g} > {tolerance:.3g}); the explanation does not "
            "describe this model"
        ),
        metric="additivity_error",
        value=error,
        threshold=tolerance,
    )


def _sensitive_feature_finding(feature: str, *, rank: int, top_k: int, value: float) -> Finding:
    return Finding(
        severity="high",
        code="sensitive_feature_influential",
        message=(
            f"sensitive attribute {feature} is the #{rank} feature by mean |SHAP| "
            f"(top {top_k}); its use must be justified"
        ),
        metric="mean_abs_shap",
        value=value,
        threshold=float(top_k),
        group=feature,
    )


def _proxy_feature_finding(
    feature: str, matches: list[dict[str, Any]], *, rank: int, top_k: int, value: float
) -> Finding:
    """``matches``: the measured associations that make ``feature`` a proxy (may be empty
    when the feature was only declared one)."""
    strongest = max(
        matches, key=lambda p: max(p["association"], p["information_share"]), default=None
    )
    why = (
        f"{strongest['association_measure']} {strongest['association']:.2f}, "
        f"information share {strongest['information_share']:.2f} with "
        f"{strongest['sensitive']}"
        if strongest
        else "declared a proxy"
    )
    return Finding(
        severity="medium",
        code="proxy_feature_influential",
        message=f"{feature} is the #{rank} feature and a likely proxy ({why})",
        metric="mean_abs_shap",
        value=value,
        threshold=float(top_k),
        group=feature,
    )


def _scores_for_borderline(model: LoadedModel, X_exp: pd.DataFrame) -> np.ndarray | None:
    if model.task == "regression" or not model.has_proba:
        return None
    return np.asarray(model.predict_proba(X_exp), dtype=np.float64)


def _borderline_positions(
    model: LoadedModel, scores: np.ndarray | None, predictions: np.ndarray, k: int
) -> list[int]:
    """Rows nearest the decision boundary: score closest to 0.5, smallest top-2 margin for
    multiclass, or the prediction closest to the median for regression."""
    if scores is not None and scores.ndim == 1:
        distance = np.abs(scores - 0.5)
    elif scores is not None:
        top2 = np.sort(scores, axis=1)[:, -2:]
        distance = top2[:, 1] - top2[:, 0]
    else:
        numeric = predictions.astype(np.float64)
        distance = np.abs(numeric - np.median(numeric))
    return [int(i) for i in np.argsort(distance, kind="stable")[:k]]


def _values_for_charts(
    values: np.ndarray, scores: np.ndarray | None, model: LoadedModel
) -> np.ndarray:
    """(rows, features): the single output, or the predicted class's SHAP for multiclass."""
    if values.shape[2] == 1:
        return values[:, :, 0]
    if scores is not None and scores.ndim == 2:
        chosen = np.argmax(scores, axis=1)
    else:
        chosen = np.zeros(values.shape[0], dtype=np.int64)
    return values[np.arange(values.shape[0]), :, chosen]


def _chart_base(base: np.ndarray, scores: np.ndarray | None, model: LoadedModel, pos: int) -> float:
    if base.shape[0] == 1:
        return float(base[0])
    if scores is not None and scores.ndim == 2:
        return float(base[int(np.argmax(scores[pos]))])
    return float(base[0])


def _local_explanation(
    X_exp: pd.DataFrame,
    pos: int,
    contributions: np.ndarray,
    base: float,
    reference: np.ndarray,
    prediction: Any,
    score: Any,
    keep: int,
) -> dict[str, Any]:
    order = np.argsort(-np.abs(contributions), kind="stable")
    features = list(X_exp.columns)
    shown = order[:keep]
    rest = order[keep:]
    return {
        "row_index": _plain(X_exp.index[pos]),
        "prediction": _plain(prediction),
        "score": (
            to_float(score)
            if np.ndim(score) == 0
            else [to_float(s) for s in np.asarray(score).ravel()]
        )
        if score is not None
        else None,
        "base_value": base,
        "model_output": [float(v) for v in reference]
        if len(reference) > 1
        else float(reference[0]),
        "contributions": [
            {
                "feature": features[j],
                "value": _plain(X_exp.iat[pos, j]),
                "shap": float(contributions[j]),
            }
            for j in shown
        ],
        "other_features_shap": float(contributions[rest].sum()) if len(rest) else 0.0,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)


def _charts(
    X_exp: pd.DataFrame,
    explained: _Explained,
    borderline: _BorderlineRows,
    importance: _Importance,
    *,
    model: LoadedModel,
    seed: int,
) -> dict[str, bytes]:
    """Global importance bars, a beeswarm and the waterfall of the most borderline row."""
    charts = {
        "global_importance": horizontal_bar_chart(
            importance.global_importance,
            title="Global feature importance",
            xlabel=f"mean |SHAP value| ({explained.units})",
        )
    }
    charts["beeswarm"] = _beeswarm_chart(
        X_exp, explained=explained, borderline=borderline, model=model, seed=seed
    )
    if borderline.rows:
        charts["waterfall_borderline"] = _waterfall_chart(
            X_exp,
            pos=borderline.rows[0],
            explained=explained,
            borderline=borderline,
            model=model,
            seed=seed,
        )
    return charts


def _numeric_for_colour(X_exp: pd.DataFrame) -> np.ndarray:
    """Feature values as floats for the beeswarm's colour scale (text columns as codes)."""
    return X_exp.apply(
        lambda c: (
            c.astype(np.float64)
            if pd.api.types.is_numeric_dtype(c) and not pd.api.types.is_bool_dtype(c)
            else pd.Series(pd.factorize(c, sort=True)[0], index=c.index, dtype=np.float64)
        )
    ).to_numpy(dtype=np.float64)


def _beeswarm_chart(
    X_exp: pd.DataFrame,
    *,
    explained: _Explained,
    borderline: _BorderlineRows,
    model: LoadedModel,
    seed: int,
) -> bytes:
    import shap  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    numeric = _numeric_for_colour(X_exp)
    rng = np.random.default_rng(seed)
    points = _sample_positions(len(X_exp), BEESWARM_MAX_POINTS, rng)
    base_rows = np.array([_chart_base(explained.base, borderline.scores, model, i) for i in points])
    swarm = shap.Explanation(
        values=borderline.chart_values[points],
        base_values=base_rows,
        data=numeric[points],
        feature_names=list(X_exp.columns),
    )
    with pyplot_figure((8.0, 5.0), seed=seed) as fig:
        shap.plots.beeswarm(swarm, max_display=12, show=False, plot_size=None)
        fig.tight_layout()  # type: ignore[attr-defined]
        return figure_to_png(fig)  # type: ignore[arg-type]


def _waterfall_chart(
    X_exp: pd.DataFrame,
    *,
    pos: int,
    explained: _Explained,
    borderline: _BorderlineRows,
    model: LoadedModel,
    seed: int,
) -> bytes:
    import shap  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    single = shap.Explanation(
        values=borderline.chart_values[pos],
        base_values=_chart_base(explained.base, borderline.scores, model, pos),
        data=X_exp.iloc[pos].to_numpy(dtype=object),
        feature_names=list(X_exp.columns),
    )
    with pyplot_figure((8.0, 5.0), seed=seed) as fig:
        shap.plots.waterfall(single, max_display=12, show=False)
        fig.tight_layout()  # type: ignore[attr-defined]
        return figure_to_png(fig)  # type: ignore[arg-type]
