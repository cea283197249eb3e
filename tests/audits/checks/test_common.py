"""Shared result types and helpers: JSON safety, binning, thresholds, progress."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from audits.checks.common import (
    CheckInputError,
    CheckOutcome,
    Finding,
    Progress,
    bin_labels,
    bin_numeric,
    json_safe,
    merge_thresholds,
    prepare_sensitive,
)


def test_json_safe_keeps_precision_and_drops_non_finite():
    third = 1 / 3
    out = json_safe(
        {"a": np.float64(third), "b": float("nan"), "c": np.inf, 1: np.int64(3), "d": (True,)}
    )
    assert out == {"a": third, "b": None, "c": None, "1": 3, "d": [True]}
    assert out["a"] == third  # not rounded


def test_outcome_to_dict_excludes_charts_and_is_json():
    outcome = CheckOutcome(
        kind="performance",
        passed=False,
        result={"x": np.float32(0.5), "nan": math.nan, "arr": np.array([1.0, np.nan])},
        findings=[Finding("high", "c", "m", metric="x", value=np.float64(0.5), threshold=0.4)],
        charts={"png": b"\x89PNG"},
        library_versions={"numpy": np.__version__},
        seed=3,
    )
    data = outcome.to_dict()
    assert "charts" not in data
    assert data["result"] == {"x": 0.5, "nan": None, "arr": [1.0, None]}
    assert data["findings"][0]["value"] == 0.5
    json.dumps(data, allow_nan=False)


def test_finding_rejects_unknown_severity():
    with pytest.raises(ValueError):
        Finding("critical", "c", "m")  # type: ignore[arg-type]


def test_bin_numeric_is_left_closed_with_missing_group():
    ages = pd.Series([18, 24.99, 25, 39, 40, 59.5, 60, 90, None], name="age")
    binned = bin_numeric(ages, [25, 40, 60])
    assert list(binned.astype(str)) == [
        "<25",
        "<25",
        "25-40",
        "25-40",
        "40-60",
        "40-60",
        "60+",
        "60+",
        "missing",
    ]
    assert bin_labels([25, 40, 60]) == ["<25", "25-40", "40-60", "60+"]


def test_prepare_sensitive_bins_age_by_default_and_keeps_categories():
    frame = pd.DataFrame({"sex": ["f", "m"] * 20, "age": np.arange(20, 60)})
    groups, binning = prepare_sensitive(frame)
    assert binning["age"]["labels"] == ["<25", "25-40", "40-60", "60+"]
    assert binning["age"]["source"] == "default_age"
    assert "sex" not in binning
    assert set(groups["sex"].astype(str)) == {"f", "m"}
    custom, custom_binning = prepare_sensitive(frame, bins={"age": [30]})
    assert custom_binning["age"]["labels"] == ["<30", "30+"]
    assert (custom["age"].astype(str) == "<30").sum() == 10


def test_merge_thresholds_refuses_unknown_keys():
    assert merge_thresholds({"a": 1.0}, {"a": 2.0}) == {"a": 2.0}
    with pytest.raises(CheckInputError):
        merge_thresholds({"a": 1.0}, {"b": 2.0})


def test_progress_is_monotonic_and_clamped():
    seen: list[float] = []
    progress = Progress(lambda f, _m: seen.append(f))
    for value in (0.2, 0.1, 1.5):
        progress(value, "step")
    assert seen == [0.2, 0.2, 1.0]
    Progress(None)(0.5, "ignored")
