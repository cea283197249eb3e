"""Artefact loading: safe formats round-trip, unsafe ones are refused before any code runs."""

from __future__ import annotations

import os
import pickle

import cloudpickle
import joblib
import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
import skops.io as sio
import xgboost as xgb
from sklearn.ensemble import GradientBoostingClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from audits.checks.loading import (
    ModelLoadError,
    UnsafeModelError,
    load_model,
    skops_allowed_types,
)

FEATURES = ["a", "b", "c", "d"]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=FEATURES)
    y = ((X["a"] + 0.5 * X["b"] - X["c"] + rng.normal(0, 0.5, 300)) > 0).astype(int)
    return X, y.to_numpy()


def test_xgboost_json_and_ubj_round_trip(tmp_path, data):
    X, y = data
    clf = xgb.XGBClassifier(n_estimators=15, max_depth=3).fit(X, y)
    for fmt, suffix in (("xgboost_json", "json"), ("xgboost_ubj", "ubj")):
        path = tmp_path / f"model.{suffix}"
        clf.get_booster().save_model(path)
        model = load_model(path, artefact_format=fmt)
        assert model.model_type == "tree" and model.task == "binary"
        assert model.feature_names == FEATURES
        np.testing.assert_array_equal(model.predict_proba(X), clf.predict_proba(X)[:, 1])
        np.testing.assert_array_equal(model.predict(X), clf.predict(X))
        # Column order in the data does not matter: the model selects its own features.
        np.testing.assert_array_equal(model.predict(X[FEATURES[::-1]]), clf.predict(X))


def test_xgboost_regression_and_multiclass(tmp_path, data):
    X, _ = data
    reg = xgb.XGBRegressor(n_estimators=10, max_depth=2).fit(X, X["d"])
    reg.get_booster().save_model(tmp_path / "reg.json")
    model = load_model(tmp_path / "reg.json", artefact_format="xgboost_json")
    assert model.task == "regression" and model.predict_proba(X) is None
    np.testing.assert_array_equal(model.predict(X), reg.predict(X))

    y3 = np.digitize(X["a"], [-0.5, 0.5])
    multi = xgb.XGBClassifier(n_estimators=10, max_depth=2).fit(X, y3)
    multi.get_booster().save_model(tmp_path / "multi.json")
    model = load_model(tmp_path / "multi.json", artefact_format="xgboost_json")
    assert model.task == "multiclass" and model.classes == [0, 1, 2]
    np.testing.assert_array_equal(model.predict(X), multi.predict(X))
    np.testing.assert_allclose(model.predict_proba(X), multi.predict_proba(X), atol=1e-6)


def test_lightgbm_text_round_trip(tmp_path, data):
    X, y = data
    clf = lgb.LGBMClassifier(n_estimators=15, num_leaves=7, verbose=-1).fit(X, y)
    path = tmp_path / "model.txt"
    clf.booster_.save_model(path)
    model = load_model(path, artefact_format="lightgbm_text")
    assert model.model_type == "tree" and model.task == "binary"
    assert model.feature_names == FEATURES
    np.testing.assert_array_equal(model.predict_proba(X), clf.predict_proba(X)[:, 1])
    np.testing.assert_array_equal(model.predict(X), clf.predict(X))


def test_skops_round_trip(tmp_path, data):
    X, y = data
    for estimator, model_type in (
        (GradientBoostingClassifier(n_estimators=10, random_state=0), "tree"),
        (LogisticRegression(), "linear"),
        (make_pipeline(StandardScaler(), LogisticRegression()), "other"),
    ):
        estimator.fit(X, y)
        path = tmp_path / "model.skops"
        sio.dump(estimator, path)
        model = load_model(path, artefact_format="skops")
        assert model.model_type == model_type
        assert model.classes == [0, 1]
        np.testing.assert_array_equal(model.predict(X), estimator.predict(X))
        np.testing.assert_array_equal(model.predict_proba(X), estimator.predict_proba(X)[:, 1])
    regressor = RandomForestRegressor(n_estimators=3, random_state=0).fit(X, X["d"])
    sio.dump(regressor, tmp_path / "reg.skops")
    model = load_model(tmp_path / "reg.skops", artefact_format="skops")
    assert model.task == "regression" and model.predict_proba(X) is None
    np.testing.assert_array_equal(model.predict(X), regressor.predict(X))


class _CustomScaler(StandardScaler):
    """A subclass defined outside scikit-learn: its code is not vetted."""


def test_skops_refuses_types_outside_the_allow_list(tmp_path, data):
    X, _ = data
    # Never fitted: dumping the unfitted pipeline stores a reference to os.system.
    dangerous = make_pipeline(FunctionTransformer(func=os.system), LogisticRegression())
    path = tmp_path / "evil.skops"
    sio.dump(dangerous, path)
    with pytest.raises(UnsafeModelError) as info:
        load_model(path, artefact_format="skops")
    assert info.value.code == "skops_untrusted_types"
    assert any("system" in t for t in info.value.untrusted_types)
    assert "system" in str(info.value)

    custom = _CustomScaler().fit(X)
    sio.dump(custom, tmp_path / "custom.skops")
    with pytest.raises(UnsafeModelError) as info:
        load_model(tmp_path / "custom.skops", artefact_format="skops")
    assert any(t.endswith("_CustomScaler") for t in info.value.untrusted_types)


def test_skops_allow_list_is_explicit():
    allowed = skops_allowed_types()
    assert "sklearn.tree._tree.Tree" in allowed
    assert "sklearn.linear_model._logistic.LogisticRegression" in allowed
    assert "posix.system" not in allowed and "builtins.eval" not in allowed
    assert not any(t.startswith(("os.", "subprocess.", "builtins.")) for t in allowed)


class _Payload:
    """Writes a marker file when unpickled, standing in for arbitrary code execution."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("fmt", ["pickle", "joblib", "cloudpickle"])
def test_pickle_family_refused_without_running_code(tmp_path, fmt):
    marker = tmp_path / "pwned"
    path = tmp_path / f"model.{fmt}"
    with path.open("wb") as fh:
        pickle.dump(_Payload(str(marker)), fh)
    with pytest.raises(UnsafeModelError) as info:
        load_model(path, artefact_format=fmt)
    assert info.value.code == "pickle_untrusted"
    assert not marker.exists()


def test_pickle_family_loads_when_trusted(tmp_path, data):
    X, y = data
    estimator = GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, y)
    writers = {
        "pickle": lambda p: p.write_bytes(pickle.dumps(estimator)),
        "joblib": lambda p: joblib.dump(estimator, p),
        "cloudpickle": lambda p: p.write_bytes(cloudpickle.dumps(estimator)),
    }
    for fmt, write in writers.items():
        path = tmp_path / f"model.{fmt}"
        write(path)
        model = load_model(path, artefact_format=fmt, trusted=True)
        # Loaded in its own process (audits.checks.isolation): explained model-agnostically.
        assert model.model_type == "other" and model.details["isolated_process"]
        np.testing.assert_array_equal(model.predict(X), estimator.predict(X))
        np.testing.assert_allclose(model.predict_proba(X), estimator.predict_proba(X)[:, 1])


def test_onnx_round_trip(tmp_path, data):
    skl2onnx = pytest.importorskip("skl2onnx")
    X, y = data
    X32 = X.to_numpy(dtype=np.float32)
    for estimator in (LogisticRegression(), GradientBoostingClassifier(n_estimators=10)):
        estimator.fit(X32, y)
        onx = skl2onnx.to_onnx(estimator, X32[:1], options={id(estimator): {"zipmap": False}})
        path = tmp_path / "model.onnx"
        path.write_bytes(onx.SerializeToString())
        model = load_model(path, artefact_format="onnx", feature_names=FEATURES)
        assert model.model_type == "other" and model.task == "binary"
        np.testing.assert_array_equal(model.predict(X), estimator.predict(X32))
        # onnxruntime computes in float32.
        np.testing.assert_allclose(
            model.predict_proba(X), estimator.predict_proba(X32)[:, 1], atol=1e-6
        )
    # ZipMap output (a list of {class: probability} dicts) is understood too.
    estimator = LogisticRegression().fit(X32, y)
    (tmp_path / "zip.onnx").write_bytes(skl2onnx.to_onnx(estimator, X32[:1]).SerializeToString())
    model = load_model(tmp_path / "zip.onnx", artefact_format="onnx", feature_names=FEATURES)
    np.testing.assert_allclose(
        model.predict_proba(X), estimator.predict_proba(X32)[:, 1], atol=1e-6
    )


def test_onnx_regression(tmp_path, data):
    skl2onnx = pytest.importorskip("skl2onnx")
    X, _ = data
    X32 = X.to_numpy(dtype=np.float32)
    estimator = RandomForestRegressor(n_estimators=3, max_depth=3, random_state=0).fit(X32, X["d"])
    path = tmp_path / "reg.onnx"
    path.write_bytes(skl2onnx.to_onnx(estimator, X32[:1]).SerializeToString())
    model = load_model(path, artefact_format="onnx", feature_names=FEATURES)
    assert model.task == "regression" and model.predict_proba(X) is None
    np.testing.assert_allclose(model.predict(X), estimator.predict(X32), rtol=1e-5, atol=1e-5)


def test_bad_inputs_raise_load_errors(tmp_path, data):
    with pytest.raises(ModelLoadError) as info:
        load_model(tmp_path / "nope.json", artefact_format="xgboost_json")
    assert info.value.code == "missing_file"
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    for fmt in ("onnx", "xgboost_json", "lightgbm_text", "skops"):
        with pytest.raises(ModelLoadError) as info:
            load_model(junk, artefact_format=fmt)
        assert info.value.code == "unreadable_artefact"
    with pytest.raises(ModelLoadError):
        load_model(junk, artefact_format="tensorflow")

    X, y = data
    clf = lgb.LGBMClassifier(n_estimators=3, verbose=-1).fit(X, y)
    clf.booster_.save_model(tmp_path / "m.txt")
    model = load_model(tmp_path / "m.txt", artefact_format="lightgbm_text")
    with pytest.raises(ModelLoadError) as info:
        model.predict(X.drop(columns=["a"]))
    assert info.value.code == "missing_features"
