"""Loading model artefacts for checks, treating every artefact as untrusted input.

Deserialising a pickle (and joblib / cloudpickle, which are pickle underneath) executes
arbitrary code chosen by whoever wrote the file. Workers therefore load only formats whose
loaders parse data rather than run code: ONNX, XGBoost JSON/UBJ, LightGBM text and skops
after its untrusted-type check against an explicit allow-list. Pickle-family formats are
refused unless the caller passes ``trusted=True``, which the application only does after an
admin marked that exact artefact as trusted (an audited decision).

Every loader returns a :class:`LoadedModel` with one prediction interface, so the checks
never branch on the framework except where SHAP needs the native object.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from audits.checks.isolation import IsolatedModelError, IsolationLimits, load_isolated
from registry.inspection.formats import (
    ARTEFACT_FORMATS,
    DESCRIPTOR_FORMATS,
    PICKLE_FORMATS,
    ArtefactFormatName,
)

# The format vocabulary (and which formats are safe) is defined once, beside the detectors.
ArtefactFormat = ArtefactFormatName

ModelType = Literal["tree", "linear", "other"]
Task = Literal["binary", "multiclass", "regression"]


class ModelLoadError(Exception):
    """The artefact could not be read as the declared format."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class UnsafeModelError(ModelLoadError):
    """Loading the artefact could execute code that nobody has vouched for.

    ``untrusted_types`` lists what skops found outside the allow-list, so the person who
    decides on trust sees exactly what they would be trusting.
    """

    def __init__(self, code: str, message: str, untrusted_types: Sequence[str] = ()) -> None:
        super().__init__(code, message)
        self.untrusted_types = list(untrusted_types)


# Internal (non-estimator) types that appear inside fitted scikit-learn models. skops already
# trusts builtins and public estimators it knows; these are the remaining state objects of
# common estimators. Anything else, notably any function or class outside scikit-learn,
# numpy and scipy, is refused.
_SKOPS_EXTRA_ALLOWED: frozenset[str] = frozenset(
    {
        "sklearn.tree._tree.Tree",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
        "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.neighbors._kd_tree.KDTree",
        "sklearn.neighbors._ball_tree.BallTree",
        "sklearn.metrics._dist_metrics.EuclideanDistance64",
        "sklearn.metrics._dist_metrics.ManhattanDistance64",
        "sklearn.metrics._dist_metrics.MinkowskiDistance64",
        "sklearn.metrics._dist_metrics.ChebyshevDistance64",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn._loss.loss.HalfMultinomialLoss",
        "sklearn._loss.loss.HalfSquaredError",
        "sklearn._loss.loss.AbsoluteError",
        "sklearn._loss.loss.PinballLoss",
        "sklearn._loss.loss.HuberLoss",
        "sklearn._loss.loss.HalfPoissonLoss",
        "sklearn._loss.loss.HalfGammaLoss",
        "sklearn._loss.loss.HalfTweedieLoss",
        "sklearn._loss.loss.ExponentialLoss",
        "sklearn._loss.link.IdentityLink",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.link.LogLink",
        "sklearn._loss.link.MultinomialLogit",
        "sklearn.utils._bunch.Bunch",
        "numpy.dtype",
        "numpy.ndarray",
        "numpy.float64",
        "numpy.float32",
        "numpy.int64",
        "numpy.int32",
        "numpy.bool_",
        "numpy.random.mtrand.RandomState",
        "numpy.random._generator.Generator",
        "numpy.random._pcg64.PCG64",
        "numpy.random._mt19937.MT19937",
        "scipy.sparse._csr.csr_matrix",
        "scipy.sparse._csc.csc_matrix",
        "scipy.sparse._csr.csr_array",
        "scipy.sparse._csc.csc_array",
    }
)


def skops_allowed_types() -> frozenset[str]:
    """The allow-list: every public scikit-learn estimator plus the internal types above.

    Built from ``sklearn.utils.all_estimators`` rather than a prefix match on ``sklearn.``
    so that a private helper of scikit-learn that happens to be callable is not admitted.
    """
    from sklearn.utils import all_estimators  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    names = {f"{cls.__module__}.{cls.__qualname__}" for _, cls in all_estimators()}
    return frozenset(names | _SKOPS_EXTRA_ALLOWED)


@dataclass
class LoadedModel:
    """One prediction interface over ONNX sessions, boosters and scikit-learn estimators.

    ``predict`` returns labels (classification) or values (regression). ``predict_proba``
    returns the positive-class score for binary tasks, the full class matrix for multiclass
    and ``None`` for regression. ``native`` is the underlying object handed to SHAP.
    """

    artefact_format: str
    native: Any
    model_type: ModelType
    task: Task
    feature_names: list[str] | None
    classes: list[Any] | None
    _predict: Callable[[pd.DataFrame], np.ndarray] = field(repr=False)
    _predict_proba: Callable[[pd.DataFrame], np.ndarray] | None = field(repr=False, default=None)
    framework: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def _select(self, X: pd.DataFrame) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            X = pd.DataFrame(np.asarray(X), columns=self.feature_names)
        if self.feature_names is None or list(X.columns) == self.feature_names:
            return X
        missing = [c for c in self.feature_names if c not in X.columns]
        if missing:
            raise ModelLoadError(
                "missing_features", f"data lacks model feature(s): {', '.join(missing)}"
            )
        return X[self.feature_names]

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self._predict(self._select(X)))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray | None:
        if self._predict_proba is None:
            return None
        return np.asarray(self._predict_proba(self._select(X)))

    @property
    def has_proba(self) -> bool:
        """Whether the model yields scores (explained in probability units when agnostic)."""
        return self._predict_proba is not None

    @property
    def positive_class(self) -> Any:
        if self.task != "binary" or not self.classes:
            return None
        return self.classes[-1]


def load_model(
    path: str | Path,
    *,
    artefact_format: str,
    trusted: bool = False,
    feature_names: Sequence[str] | None = None,
    isolation: IsolationLimits | None = None,
) -> LoadedModel:
    """Load an artefact in the declared format without executing untrusted code.

    A trusted pickle-family artefact is loaded, and asked for its predictions, in a separate
    resource-limited process (``audits.checks.isolation``; ``isolation`` sets its limits).

    ``feature_names`` is only needed for artefacts that do not carry column names (an ONNX
    graph with a single tensor input, an XGBoost model trained on a bare array).

    Raises :class:`UnsafeModelError` for pickle-family formats unless ``trusted`` and for
    skops files holding types outside the allow-list; :class:`ModelLoadError` when the file
    does not parse as the declared format.
    """
    path = Path(path)
    if artefact_format not in ARTEFACT_FORMATS:
        raise ModelLoadError("unknown_format", f"unsupported artefact format {artefact_format!r}")
    if artefact_format in DESCRIPTOR_FORMATS:
        raise ModelLoadError(
            "not_a_predictive_model",
            "an LLM application descriptor names a hosted model and is never loaded; judge it "
            "on recorded outputs with a generative check",
        )
    if not path.is_file():
        raise ModelLoadError("missing_file", f"artefact not found: {path}")
    names = list(feature_names) if feature_names is not None else None
    if artefact_format in PICKLE_FORMATS:
        if not trusted:
            raise UnsafeModelError(
                "pickle_untrusted",
                f"{artefact_format} artefacts can execute arbitrary code when loaded; "
                "an admin must mark this artefact as trusted first",
            )
        return _load_pickle_isolated(path, artefact_format, isolation)
    try:
        if artefact_format == "onnx":
            return _load_onnx(path, names)
        if artefact_format in ("xgboost_json", "xgboost_ubj"):
            return _load_xgboost(path, artefact_format, names)
        if artefact_format == "lightgbm_text":
            return _load_lightgbm(path)
        return _load_skops(path)
    except ModelLoadError:
        raise
    except Exception as exc:  # parsers raise many unrelated types for a corrupt file
        raise ModelLoadError(
            "unreadable_artefact", f"cannot read artefact as {artefact_format}: {exc}"
        ) from exc


# --------------------------------------------------------------------------------------
# ONNX
# --------------------------------------------------------------------------------------


def _load_onnx(path: Path, feature_names: list[str] | None) -> LoadedModel:
    import onnxruntime as ort  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    inputs = session.get_inputs()
    outputs = session.get_outputs()
    meta = session.get_modelmeta().custom_metadata_map or {}

    if len(inputs) > 1:
        # One input per column (skl2onnx converts DataFrames this way): names are the columns.
        names = [i.name for i in inputs]
        if feature_names is not None and list(feature_names) != names:
            raise ModelLoadError("feature_mismatch", "feature_names disagree with ONNX inputs")
        feature_names = names
    elif feature_names is None and "feature_names" in meta:
        feature_names = json.loads(meta["feature_names"])

    label_out = next((o for o in outputs if "label" in o.name.lower()), None)
    proba_out = next((o for o in outputs if "prob" in o.name.lower()), None)
    if label_out is None and proba_out is None:
        label_out = outputs[0]

    def feed(X: pd.DataFrame) -> dict[str, np.ndarray]:
        if len(inputs) > 1:
            return {i.name: _onnx_column(X[i.name], i.type).reshape(-1, 1) for i in inputs}
        dtype = np.float64 if "double" in inputs[0].type else np.float32
        return {inputs[0].name: X.to_numpy(dtype=dtype)}

    def run(X: pd.DataFrame, output: Any) -> Any:
        return session.run([output.name], feed(X))[0]

    def proba_matrix(X: pd.DataFrame) -> np.ndarray:
        raw = run(X, proba_out)
        if isinstance(raw, list):  # ZipMap output: one {class: probability} dict per row
            keys = sorted(raw[0])
            return np.array([[row[k] for k in keys] for row in raw], dtype=np.float64)
        return np.asarray(raw, dtype=np.float64)

    classes: list[Any] | None = None
    if proba_out is not None:
        task: Task = "binary"
        probe_width = _onnx_width(proba_out)
        if "classes" in meta:
            classes = json.loads(meta["classes"])
        if (probe_width is not None and probe_width > 2) or (classes and len(classes) > 2):
            task = "multiclass"
    else:
        task = "regression"

    def predict(X: pd.DataFrame) -> np.ndarray:
        if label_out is not None:
            labels = np.asarray(run(X, label_out))
            return labels.reshape(-1) if labels.ndim > 1 and labels.shape[1] == 1 else labels
        probs = proba_matrix(X)
        if probs.ndim == 1 or probs.shape[1] == 1:
            return (probs.reshape(-1) >= 0.5).astype(np.int64)
        return np.argmax(probs, axis=1)

    predict_proba: Callable[[pd.DataFrame], np.ndarray] | None = None
    if proba_out is not None:

        def predict_proba(X: pd.DataFrame) -> np.ndarray:
            probs = proba_matrix(X)
            if probs.ndim == 1 or probs.shape[1] == 1:
                return probs.reshape(-1)
            return probs[:, 1] if probs.shape[1] == 2 else probs

    return LoadedModel(
        artefact_format="onnx",
        native=session,
        model_type="other",
        task=task,
        feature_names=list(feature_names) if feature_names is not None else None,
        classes=classes,
        _predict=predict,
        _predict_proba=predict_proba,
        framework="onnxruntime",
        details={
            "inputs": [i.name for i in inputs],
            "outputs": [o.name for o in outputs],
            "producer": session.get_modelmeta().producer_name,
        },
    )


def _onnx_column(values: pd.Series, onnx_type: str) -> np.ndarray:
    if "string" in onnx_type:
        return values.astype(str).to_numpy(dtype=object)
    if "int64" in onnx_type:
        return values.to_numpy(dtype=np.int64)
    if "double" in onnx_type:
        return values.to_numpy(dtype=np.float64)
    return values.to_numpy(dtype=np.float32)


def _onnx_width(output: Any) -> int | None:
    shape = getattr(output, "shape", None)
    if isinstance(shape, list) and len(shape) == 2 and isinstance(shape[1], int):
        return shape[1]
    return None


# --------------------------------------------------------------------------------------
# XGBoost and LightGBM
# --------------------------------------------------------------------------------------


def _load_xgboost(path: Path, artefact_format: str, feature_names: list[str] | None) -> LoadedModel:
    import xgboost as xgb  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    booster = xgb.Booster()
    # From the bytes, which XGBoost recognises as JSON or UBJ by their content (a blob's path
    # has no suffix to go by); parsing runs no code.
    booster.load_model(bytearray(path.read_bytes()))
    config = json.loads(booster.save_config())
    objective = config["learner"]["objective"]["name"]
    n_class = int(config["learner"]["learner_model_param"].get("num_class", "0") or 0)
    names = booster.feature_names or feature_names
    if booster.feature_names is None and feature_names is not None:
        booster.feature_names = list(feature_names)

    def dmatrix(X: pd.DataFrame) -> Any:
        return xgb.DMatrix(X, enable_categorical=True)

    task: Task
    predict_proba: Callable[[pd.DataFrame], np.ndarray] | None
    if objective.startswith("binary:"):
        task, classes = "binary", [0, 1]

        def predict_proba(X: pd.DataFrame) -> np.ndarray:
            return booster.predict(dmatrix(X)).astype(np.float64)

        def predict(X: pd.DataFrame) -> np.ndarray:
            return (predict_proba(X) >= 0.5).astype(np.int64)

    elif objective.startswith("multi:"):
        task, classes = "multiclass", list(range(n_class))

        def raw(X: pd.DataFrame) -> np.ndarray:
            return booster.predict(dmatrix(X), output_margin=True).astype(np.float64)

        def predict_proba(X: pd.DataFrame) -> np.ndarray:
            margin = raw(X)
            margin = margin - margin.max(axis=1, keepdims=True)
            exp = np.exp(margin)
            return exp / exp.sum(axis=1, keepdims=True)

        def predict(X: pd.DataFrame) -> np.ndarray:
            return np.argmax(raw(X), axis=1)

    else:
        task, classes, predict_proba = "regression", None, None

        def predict(X: pd.DataFrame) -> np.ndarray:
            return booster.predict(dmatrix(X)).astype(np.float64)

    return LoadedModel(
        artefact_format=artefact_format,
        native=booster,
        model_type="tree",
        task=task,
        feature_names=list(names) if names is not None else None,
        classes=classes,
        _predict=predict,
        _predict_proba=predict_proba,
        framework="xgboost",
        details={"objective": objective, "num_trees": len(booster.get_dump())},
    )


def _load_lightgbm(path: Path) -> LoadedModel:
    import lightgbm as lgb  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    booster = lgb.Booster(model_file=str(path))  # parses the text format
    objective = str(booster.dump_model(num_iteration=1).get("objective", "")).split(" ")[0]
    n_class = int(booster.num_model_per_iteration())

    task: Task
    predict_proba: Callable[[pd.DataFrame], np.ndarray] | None
    if objective in ("binary", "cross_entropy"):
        task, classes = "binary", [0, 1]

        def predict_proba(X: pd.DataFrame) -> np.ndarray:
            return np.asarray(booster.predict(X), dtype=np.float64)

        def predict(X: pd.DataFrame) -> np.ndarray:
            return (predict_proba(X) >= 0.5).astype(np.int64)

    elif objective in ("multiclass", "softmax", "multiclassova", "ovr"):
        task, classes = "multiclass", list(range(n_class))

        def predict_proba(X: pd.DataFrame) -> np.ndarray:
            return np.asarray(booster.predict(X), dtype=np.float64)

        def predict(X: pd.DataFrame) -> np.ndarray:
            return np.argmax(predict_proba(X), axis=1)

    else:
        task, classes, predict_proba = "regression", None, None

        def predict(X: pd.DataFrame) -> np.ndarray:
            return np.asarray(booster.predict(X), dtype=np.float64)

    return LoadedModel(
        artefact_format="lightgbm_text",
        native=booster,
        model_type="tree",
        task=task,
        feature_names=list(booster.feature_name()),
        classes=classes,
        _predict=predict,
        _predict_proba=predict_proba,
        framework="lightgbm",
        details={"objective": objective, "num_trees": int(booster.num_trees())},
    )


# --------------------------------------------------------------------------------------
# skops and the pickle family
# --------------------------------------------------------------------------------------


def _load_skops(path: Path) -> LoadedModel:
    import skops.io as sio  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    untrusted = list(sio.get_untrusted_types(file=str(path)))
    allowed = skops_allowed_types()
    refused = sorted(t for t in untrusted if t not in allowed)
    if refused:
        raise UnsafeModelError(
            "skops_untrusted_types",
            "skops artefact contains types outside the allow-list: " + ", ".join(refused),
            untrusted_types=refused,
        )
    estimator = sio.load(str(path), trusted=untrusted)
    return _wrap_python_object(estimator, "skops")


def _load_pickle_isolated(
    path: Path, artefact_format: str, limits: IsolationLimits | None
) -> LoadedModel:
    # Only reached with trusted=True: an admin vouched for this exact artefact. Even so it is
    # opened in its own process (see audits.checks.isolation), never in this one.
    try:
        child, meta = load_isolated(path, artefact_format, limits)
    except IsolatedModelError as exc:
        raise ModelLoadError(exc.code, exc.message) from exc
    classes = meta.get("classes")
    task: Task = "regression" if not classes else ("binary" if len(classes) == 2 else "multiclass")

    def call(op: str, X: pd.DataFrame) -> np.ndarray:
        try:
            return child.call(op, X)
        except IsolatedModelError as exc:
            raise ModelLoadError(exc.code, exc.message) from exc

    predict_proba: Callable[[pd.DataFrame], np.ndarray] | None = None
    if meta.get("has_proba"):

        def predict_proba(X: pd.DataFrame) -> np.ndarray:
            probs = np.asarray(call("predict_proba", X), dtype=np.float64)
            return probs[:, 1] if task == "binary" else probs

    names = meta.get("feature_names")
    return LoadedModel(
        artefact_format=artefact_format,
        native=child,  # the estimator itself stays in the child
        model_type="other",
        task=task,
        feature_names=[str(n) for n in names] if names else None,
        classes=list(classes) if classes else None,
        _predict=lambda X: call("predict", X),
        _predict_proba=predict_proba,
        framework=str(meta.get("framework", "")),
        details={"estimator": str(meta.get("estimator", "")), "isolated_process": True},
    )


_SKLEARN_TREE_CLASSES = (
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "ExtraTreeClassifier",
    "ExtraTreeRegressor",
    "RandomForestClassifier",
    "RandomForestRegressor",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor",
)


def sklearn_model_type(estimator: Any) -> ModelType:
    """Which SHAP explainer family fits a Python estimator.

    A pipeline is "other" even when its last step is a tree: SHAP must explain the raw input
    columns a reviewer recognises, so the whole pipeline is treated as a black box.
    """
    import lightgbm as lgb  # noqa: PLC0415 - heavy optional library, loaded only where it is used
    import xgboost as xgb  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    if isinstance(estimator, xgb.XGBModel | lgb.LGBMModel | xgb.Booster | lgb.Booster):
        return "tree"
    module = type(estimator).__module__
    name = type(estimator).__name__
    if module.startswith("sklearn.") and name in _SKLEARN_TREE_CLASSES:
        return "tree"
    if (
        module.startswith("sklearn.linear_model")
        and hasattr(estimator, "coef_")
        and hasattr(estimator, "intercept_")
    ):
        return "linear"
    return "other"


def _wrap_python_object(estimator: Any, artefact_format: str) -> LoadedModel:
    """Wrap a scikit-learn-compatible estimator (or an XGBoost/LightGBM sklearn wrapper)."""
    if not hasattr(estimator, "predict"):
        raise ModelLoadError(
            "not_an_estimator", f"loaded object of type {type(estimator).__name__} cannot predict"
        )
    classes = list(getattr(estimator, "classes_", [])) or None
    if classes is not None:
        task: Task = "binary" if len(classes) == 2 else "multiclass"
    else:
        task = "regression"
    names = getattr(estimator, "feature_names_in_", None)

    predict_proba: Callable[[pd.DataFrame], np.ndarray] | None = None
    if classes is not None and hasattr(estimator, "predict_proba"):

        def predict_proba(X: pd.DataFrame) -> np.ndarray:
            probs = np.asarray(estimator.predict_proba(X), dtype=np.float64)
            return probs[:, 1] if task == "binary" else probs

    return LoadedModel(
        artefact_format=artefact_format,
        native=estimator,
        model_type=sklearn_model_type(estimator),
        task=task,
        feature_names=[str(n) for n in names] if names is not None else None,
        classes=[_plain(c) for c in classes] if classes is not None else None,
        _predict=lambda X: np.asarray(estimator.predict(X)),
        _predict_proba=predict_proba,
        framework=type(estimator).__module__.split(".")[0],
        details={"estimator": f"{type(estimator).__module__}.{type(estimator).__qualname__}"},
    )


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
