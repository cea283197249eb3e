"""The worker's side of a check: read the frozen inputs, call the pure check, return its outcome.

Nothing here writes to the database except progress; finishing the row (result, hash,
findings, notifications) is :mod:`audits.services.checks`' job, in one transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from audits.checks import CheckInputError, CheckOutcome
from audits.checks.data_quality import run_data_quality
from audits.checks.drift import run_drift
from audits.checks.explainability import run_explainability
from audits.checks.fairness import run_fairness
from audits.checks.generative import run_generative
from audits.checks.performance import run_performance
from audits.runs.services.inputs import (
    CheckFailed,
    Columns,
    load_version_model,
    model_predictions,
    read_dataset,
    read_records,
    require_columns,
)
from audits.runs.services.rules import sleep_allowed

Progress = Callable[[float, str], None]

# Parameters consumed here, not passed on to the check functions.
RUNNER_PARAMETERS = frozenset({"sleep_seconds", "features"})


def _check_parameters(run) -> dict[str, Any]:
    return {k: v for k, v in (run.parameters or {}).items() if k not in RUNNER_PARAMETERS}


def _pause_for_tests(run, progress: Progress) -> None:
    """Honour ``sleep_seconds`` (validated at request time) so a test can kill a busy worker."""
    seconds = float((run.parameters or {}).get("sleep_seconds") or 0)
    if seconds <= 0 or not sleep_allowed():
        return
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        progress(0.01, f"test pause, {left:.0f} s left")
        time.sleep(min(0.25, left))


def _labels_and_scores(run, df: pd.DataFrame, columns: Columns) -> tuple[Any, Any, str]:
    """Decisions from the data when it carries them (predictions-only run), else the model's."""
    prediction = columns.one("prediction")
    if prediction is not None:
        score = columns.one("score")
        require_columns(df, [prediction, *([score] if score else [])], "dataset")
        return df[prediction], (df[score] if score else None), "dataset"
    model = load_version_model(run.model_version)
    y_pred, y_score = model_predictions(model, df)
    return y_pred, y_score, "model"


def _task(run) -> str:
    return "regression" if run.model_version.model.task == "regression" else "classification"


def _fairness(run, df, columns, progress) -> CheckOutcome:

    target = columns.one("target")
    require_columns(df, [target, *run.sensitive_columns], "dataset")
    y_pred, y_score, source = _labels_and_scores(run, df, columns)
    progress(0.3, f"predictions from the {source}")
    outcome = run_fairness(
        y_true=df[target],
        y_pred=y_pred,
        y_score=y_score,
        sensitive=df[run.sensitive_columns],
        thresholds=run.thresholds,
        progress=lambda f, m: progress(0.3 + 0.65 * f, m),
        **_check_parameters(run),
    )
    outcome.result["predictions_source"] = source
    return outcome


def _performance(run, df, columns, progress) -> CheckOutcome:

    target = columns.one("target")
    require_columns(df, [target], "dataset")
    y_pred, y_score, source = _labels_and_scores(run, df, columns)
    champion = None
    notes: list[str] = []
    if run.champion_model_version_id and run.champion_model_version_id != run.model_version_id:
        progress(0.3, "predicting with the production version")
        try:
            champion_model = load_version_model(run.champion_model_version)
            c_pred, c_score = model_predictions(champion_model, df)
            champion = {
                "y_pred": c_pred,
                "y_score": c_score,
                "label": str(run.champion_model_version),
            }
        except CheckFailed as exc:
            notes.append(f"champion not compared: {exc.message}")
    limits = {k: v for k, v in (run.thresholds or {}).items() if v is not None}
    outcome = run_performance(
        task=_task(run),
        y_true=df[target],
        y_pred=y_pred,
        y_score=y_score,
        champion=champion,
        thresholds=limits,
        progress=lambda f, m: progress(0.4 + 0.55 * f, m),
        **_check_parameters(run),
    )
    outcome.result["predictions_source"] = source
    outcome.result["champion_model_version"] = run.champion_model_version_id
    outcome.result["notes"] = notes
    return outcome


def _explainability(run, df, columns, progress) -> CheckOutcome:

    model = load_version_model(run.model_version)
    require_columns(df, list(run.sensitive_columns), "dataset")
    if model.feature_names is None:
        # Without names the explainer would take every column, the label included.
        X = df[[c for c in columns.with_role("feature") if c in df.columns]]
    else:
        X = df
    progress(0.1, "explaining")
    return run_explainability(
        model=model,
        X=X,
        sensitive_columns=list(run.sensitive_columns),
        sensitive=df[list(run.sensitive_columns)] if model.feature_names is None else None,
        thresholds=run.thresholds,
        progress=lambda f, m: progress(0.1 + 0.85 * f, m),
        **_check_parameters(run),
    )


def _data_quality(run, df, columns, progress) -> CheckOutcome:

    features = [c for c in columns.with_role("feature") if c not in run.sensitive_columns]
    return run_data_quality(
        df=df,
        target=columns.one("target"),
        sensitive_columns=list(run.sensitive_columns),
        feature_columns=features,
        thresholds=run.thresholds,
        progress=lambda f, m: progress(0.1 + 0.85 * f, m),
        **_check_parameters(run),
    )


def _drift(run, df, columns, progress) -> CheckOutcome:

    reference = read_dataset(run.reference_dataset_version)
    features = (run.parameters or {}).get("features") or [
        c for c in columns.with_role("feature") if c in reference.columns
    ]
    prediction = columns.one("prediction")
    if prediction is not None and prediction not in reference.columns:
        prediction = None
    require_columns(df, features, "current")
    require_columns(reference, features, "reference")
    return run_drift(
        reference=reference,
        current=df,
        features=features,
        prediction_column=prediction,
        thresholds=run.thresholds,
        progress=lambda f, m: progress(0.1 + 0.85 * f, m),
        **_check_parameters(run),
    )


def _generative(run, records, progress) -> CheckOutcome:
    """Recorded answers of an LLM application: nothing is called, the records are judged."""
    return run_generative(
        records=records,
        thresholds=run.thresholds,
        progress=lambda f, m: progress(0.1 + 0.85 * f, m),
        **_check_parameters(run),
    )


RUNNERS = {
    "fairness": _fairness,
    "performance": _performance,
    "explainability": _explainability,
    "data_quality": _data_quality,
    "drift": _drift,
}
#: Kinds that read the data file as records, not as a table.
RECORD_RUNNERS = {"generative": _generative}


def check_execute(run, progress: Progress) -> CheckOutcome:
    """Compute the outcome of ``run`` from its frozen inputs; raises CheckFailed on bad input."""
    runner = RUNNERS.get(run.kind) or RECORD_RUNNERS.get(run.kind)
    if runner is None:
        raise CheckFailed("unsupported_kind", f"{run.kind} checks do not run in a worker.")
    _pause_for_tests(run, progress)
    columns = Columns(roles=dict(run.column_roles or {}), sensitive=list(run.sensitive_columns))
    progress(0.02, "reading data")
    try:
        if run.kind in RECORD_RUNNERS:
            return runner(run, read_records(run.dataset_version), progress)
        df = read_dataset(run.dataset_version)
        return runner(run, df, columns, progress)
    except CheckInputError as exc:
        raise CheckFailed("invalid_input", str(exc)) from exc
