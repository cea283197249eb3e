"""Performance metrics are scikit-learn's, and a worse challenger is reported."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn import metrics as skm

from audits.checks.common import CheckInputError
from audits.checks.performance import run_performance


@pytest.fixture(scope="module")
def binary():
    rng = np.random.default_rng(5)
    y_true = rng.integers(0, 2, 500)
    score = np.clip(0.3 * y_true + rng.normal(0.35, 0.2, 500), 0.001, 0.999)
    return y_true, (score >= 0.5).astype(int), score


def test_classification_equals_sklearn(binary):
    y_true, y_pred, score = binary
    out = run_performance(task="classification", y_true=y_true, y_pred=y_pred, y_score=score)
    m = out.result["metrics"]
    assert m["accuracy"] == skm.accuracy_score(y_true, y_pred)
    assert m["balanced_accuracy"] == skm.balanced_accuracy_score(y_true, y_pred)
    assert m["precision"] == skm.precision_score(y_true, y_pred)
    assert m["recall"] == skm.recall_score(y_true, y_pred)
    assert m["f1"] == skm.f1_score(y_true, y_pred)
    assert m["roc_auc"] == skm.roc_auc_score(y_true, score)
    assert m["log_loss"] == skm.log_loss(y_true, score)
    assert m["brier"] == skm.brier_score_loss(y_true, score)
    assert out.result["confusion_matrix"] == skm.confusion_matrix(y_true, y_pred).tolist()
    assert out.result["primary_metric"] == "roc_auc"
    assert out.passed is True and out.charts["roc_curve"].startswith(b"\x89PNG")
    json.dumps(out.to_dict(), allow_nan=False)


def test_multiclass_and_regression_equal_sklearn():
    rng = np.random.default_rng(6)
    y_true = rng.integers(0, 3, 300)
    proba = rng.dirichlet([1, 1, 1], 300)
    y_pred = proba.argmax(axis=1)
    out = run_performance(task="classification", y_true=y_true, y_pred=y_pred, y_score=proba)
    m = out.result["metrics"]
    assert m["f1"] == skm.f1_score(y_true, y_pred, average="macro")
    assert m["roc_auc"] == skm.roc_auc_score(y_true, proba, multi_class="ovr")
    assert m["log_loss"] == skm.log_loss(y_true, proba)
    assert m["brier"] is None and out.result["average"] == "macro"

    y = rng.normal(size=200)
    pred = y + rng.normal(0, 0.3, 200)
    out = run_performance(task="regression", y_true=y, y_pred=pred)
    m = out.result["metrics"]
    assert m["mae"] == skm.mean_absolute_error(y, pred)
    assert m["rmse"] == skm.root_mean_squared_error(y, pred)
    assert m["r2"] == skm.r2_score(y, pred)
    assert out.result["primary_metric"] == "rmse"


def test_challenger_worse_than_champion_is_reported(binary):
    y_true, y_pred, score = binary
    rng = np.random.default_rng(8)
    worse_score = np.clip(score + rng.normal(0, 0.25, len(score)), 0.001, 0.999)
    worse_pred = (worse_score >= 0.5).astype(int)
    out = run_performance(
        task="classification",
        y_true=y_true,
        y_pred=worse_pred,
        y_score=worse_score,
        champion={"y_pred": y_pred, "y_score": score, "label": "v1"},
    )
    comparison = out.result["champion"]
    assert comparison["label"] == "v1"
    expected_delta = skm.roc_auc_score(y_true, worse_score) - skm.roc_auc_score(y_true, score)
    assert comparison["deltas"]["roc_auc"] == expected_delta < -0.01
    assert "roc_auc" in comparison["worse_metrics"]
    primary = [f for f in out.findings if f.code == "worse_than_champion" and f.metric == "roc_auc"]
    assert primary and primary[0].severity == "high" and primary[0].group == "v1"
    assert out.passed is False

    same = run_performance(
        task="classification",
        y_true=y_true,
        y_pred=y_pred,
        y_score=score,
        champion={"y_pred": y_pred, "y_score": score},
    )
    assert same.passed is True and same.result["champion"]["worse_metrics"] == []


def test_declared_thresholds(binary):
    y_true, y_pred, score = binary
    accuracy = skm.accuracy_score(y_true, y_pred)
    out = run_performance(
        task="classification",
        y_true=y_true,
        y_pred=y_pred,
        y_score=score,
        thresholds={"min_accuracy": accuracy + 0.01, "max_log_loss": 10.0},
    )
    assert out.passed is False
    [finding] = out.findings
    assert (finding.code, finding.metric, finding.value) == (
        "threshold_not_met",
        "accuracy",
        accuracy,
    )
    with pytest.raises(CheckInputError):
        run_performance(task="classification", y_true=y_true, y_pred=y_pred, thresholds={"acc": 1})
    with pytest.raises(CheckInputError):
        run_performance(task="ranking", y_true=y_true, y_pred=y_pred)  # type: ignore[arg-type]
    with pytest.raises(CheckInputError):
        run_performance(task="classification", y_true=y_true, y_pred=y_pred[:-1])
