"""Drift: PSI by hand, scipy's tests directly, and the stable/drift verdicts."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from audits.checks.common import CheckInputError
from audits.checks.drift import PSI_EPSILON, run_drift


@pytest.fixture(scope="module")
def reference():
    rng = np.random.default_rng(21)
    n = 3000
    return pd.DataFrame(
        {
            "income": rng.normal(50, 10, n),
            "region": rng.choice(["north", "south", "east"], n, p=[0.5, 0.3, 0.2]),
            "score": rng.beta(2, 5, n),
        }
    )


def test_identical_samples_show_no_drift(reference):
    out = run_drift(
        reference=reference,
        current=reference.copy(),
        features=["income", "region"],
        prediction_column="score",
    )
    assert out.passed is True
    assert out.findings == []
    for name in ("income", "region"):
        assert out.result["features"][name]["psi"] == 0.0
        assert out.result["features"][name]["status"] == "stable"
        assert out.result["features"][name]["test"]["p_value"] == pytest.approx(1.0)
    assert out.result["prediction"]["psi"] == 0.0
    assert out.result["drifted_features"] == []


def test_shifted_samples_are_detected(reference):
    rng = np.random.default_rng(22)
    n = 3000
    current = pd.DataFrame(
        {
            "income": rng.normal(58, 10, n),  # +0.8 standard deviations
            "region": rng.choice(["north", "south", "east"], n, p=[0.2, 0.3, 0.5]),
            "score": rng.beta(5, 2, n),
        }
    )
    out = run_drift(
        reference=reference,
        current=current,
        features=["income", "region"],
        prediction_column="score",
    )
    assert out.passed is False
    assert out.result["drifted_features"] == ["income", "region"]
    assert out.result["prediction_drift"] is True
    codes = {(f.code, f.group, f.severity) for f in out.findings}
    assert ("feature_drift", "income", "high") in codes
    assert ("prediction_drift", "score", "high") in codes
    assert out.charts["psi"].startswith(b"\x89PNG")
    json.dumps(out.to_dict(), allow_nan=False)

    ks = stats.ks_2samp(reference["income"], current["income"])
    assert out.result["features"]["income"]["test"]["statistic"] == ks.statistic
    assert out.result["features"]["income"]["test"]["p_value"] == ks.pvalue

    table = np.array(
        [
            [(reference["region"] == r).sum() for r in ("east", "north", "south")],
            [(current["region"] == r).sum() for r in ("east", "north", "south")],
        ]
    )
    chi2, p_value, dof, _ = stats.chi2_contingency(table)
    test = out.result["features"]["region"]["test"]
    assert (test["statistic"], test["p_value"], test["dof"]) == (chi2, p_value, dof)


def test_psi_equals_hand_computation():
    reference = pd.DataFrame({"x": np.arange(1.0, 11.0)})
    current = pd.DataFrame({"x": [1.0] * 6 + [9.0, 9.0, 10.0, 10.0]})
    out = run_drift(reference=reference, current=current, features=["x"], bins=5)
    r = out.result["features"]["x"]
    # Reference quantiles of 1..10 at 20/40/60/80 %: 2.8, 4.6, 6.4, 8.2 (linear interpolation).
    assert r["edges"] == pytest.approx([2.8, 4.6, 6.4, 8.2])
    # Reference: 2 values per bin. Current: 6 in the first bin, 4 in the last, 3 empty bins.
    eps = PSI_EPSILON
    expected = (
        (0.6 - 0.2) * math.log(0.6 / 0.2)
        + 3 * (eps - 0.2) * math.log(eps / 0.2)
        + (0.4 - 0.2) * math.log(0.4 / 0.2)
    )
    assert r["psi"] == pytest.approx(expected, rel=1e-12)
    assert r["status"] == "drift"
    assert [b["current"] for b in r["bins"]] == [0.6, 0.0, 0.0, 0.0, 0.4]


def test_categorical_psi_with_new_category_and_missing_values():
    reference = pd.DataFrame({"c": ["a"] * 50 + ["b"] * 50})
    current = pd.DataFrame({"c": ["a"] * 40 + ["b"] * 40 + ["z"] * 10 + [None] * 10})
    out = run_drift(reference=reference, current=current, features=["c"])
    r = out.result["features"]["c"]
    assert r["type"] == "categorical"
    assert r["categories"] == ["a", "b", "z", "missing"]
    eps = PSI_EPSILON
    expected = 2 * (0.4 - 0.5) * math.log(0.4 / 0.5) + 2 * (0.1 - eps) * math.log(0.1 / eps)
    assert r["psi"] == pytest.approx(expected, rel=1e-12)
    assert r["missing_current"] == 0.1


def test_small_shift_is_a_warning_not_drift(reference):
    current = reference.assign(income=reference["income"] + 2.0)  # +0.2 standard deviations
    out = run_drift(reference=reference, current=current, features=["income"])
    r = out.result["features"]["income"]
    assert 0.0 < r["psi"] < 0.2 and r["status"] == "warning"
    assert out.passed is True
    assert {f.severity for f in out.findings} <= {"low", "medium"}


def test_bad_inputs(reference):
    with pytest.raises(CheckInputError):
        run_drift(reference=reference, current=reference, features=["nope"])
    with pytest.raises(CheckInputError):
        run_drift(reference=reference, current=reference, features=["income"], thresholds={"x": 1})
    with pytest.raises(CheckInputError):
        run_drift(reference=reference, current=reference.iloc[:0], features=["income"])
