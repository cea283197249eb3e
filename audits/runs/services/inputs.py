"""Reading a run's inputs in the worker: data files and model artefacts.

Every problem with an input becomes a :class:`CheckFailed` with a code and, where a reviewer
must act on it (an untrusted pickle), a finding. None of these is retried: a missing file or
an unsafe artefact will not fix itself on the next attempt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.conf import settings

from audits.checks import Finding, LoadedModel, ModelLoadError, UnsafeModelError, load_model
from audits.checks.isolation import IsolationLimits
from governance.kernel.jobs.services import JobFailed
from registry.inspection.formats import sniff_csv_delimiter


class CheckFailed(JobFailed):
    """A run that ends failed, with findings that explain why to the reviewer."""

    def __init__(self, code: str, message: str, findings: list[Finding] | None = None):
        super().__init__(code, message)
        self.findings = findings or []


@dataclass
class Columns:
    """The roles of a dataset version's columns, as snapshotted on the run."""

    roles: dict[str, str]
    sensitive: list[str] = field(default_factory=list)

    def with_role(self, role: str) -> list[str]:
        return [name for name, r in self.roles.items() if r == role]

    def one(self, role: str) -> str | None:
        names = self.with_role(role)
        return names[0] if names else None


def read_dataset(dataset_version) -> pd.DataFrame:
    """The whole data file as a DataFrame; a vanished file ends the run, it is not retried."""

    path = dataset_version.blob.path
    if not path.is_file():
        raise CheckFailed(
            "inputs_missing",
            f"The data file of dataset version {dataset_version.pk} "
            f"(sha256 {dataset_version.blob.sha256}) is missing from storage.",
        )
    try:
        if dataset_version.data_format == "parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, sep=sniff_csv_delimiter(path))
    except (OSError, ValueError) as exc:
        raise CheckFailed(
            "unreadable_data", f"Dataset version {dataset_version.pk} cannot be read: {exc}"
        ) from exc


def read_records(dataset_version) -> list[Any]:
    """The JSON objects of a JSON Lines data file, one per non-empty line (generative checks
    read the records as written: contexts stay lists)."""

    path = dataset_version.blob.path
    if not path.is_file():
        raise CheckFailed(
            "inputs_missing",
            f"The data file of dataset version {dataset_version.pk} "
            f"(sha256 {dataset_version.blob.sha256}) is missing from storage.",
        )
    if dataset_version.data_format != "jsonl":
        raise CheckFailed(
            "unreadable_data",
            f"Dataset version {dataset_version.pk} is {dataset_version.data_format}, not JSON "
            "Lines; a generative check reads one recorded answer per JSON line.",
        )
    records = []
    try:
        with path.open(encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, start=1):
                if line.strip():
                    try:
                        records.append(json.loads(line))
                    except ValueError:
                        raise CheckFailed(
                            "unreadable_data", f"Line {number} of the records is not valid JSON."
                        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckFailed(
            "unreadable_data", f"Dataset version {dataset_version.pk} cannot be read: {exc}"
        ) from exc
    return records


def load_version_model(model_version, *, feature_names: list[str] | None = None) -> LoadedModel:
    """Load a model version's artefact with the safe loaders (untrusted input by default)."""
    blob = model_version.artefact
    if blob is None:
        raise CheckFailed(
            "inputs_missing", f"Model version {model_version.pk} has no stored artefact."
        )
    if not blob.path.is_file():
        raise CheckFailed(
            "inputs_missing",
            f"The artefact of model version {model_version.pk} (sha256 {blob.sha256}) is "
            "missing from storage.",
        )
    try:
        return load_model(
            blob.path,
            artefact_format=model_version.artefact_format,
            trusted=model_version.artefact_trusted,
            feature_names=feature_names,
            isolation=IsolationLimits(
                memory_bytes=settings.TRUSTED_PICKLE_MEMORY_BYTES,
                cpu_seconds=settings.TRUSTED_PICKLE_CPU_SECONDS,
                call_timeout_seconds=settings.TRUSTED_PICKLE_TIMEOUT_SECONDS,
            ),
        )
    except UnsafeModelError as exc:
        detail = (
            f" Untrusted types: {', '.join(exc.untrusted_types)}." if exc.untrusted_types else ""
        )
        message = (
            f"Refused to load the {model_version.artefact_format} artefact of version "
            f"{model_version}: {exc.message}.{detail}"
        )
        finding = Finding(
            severity="high",
            code="unsafe_artefact",
            message=message + " Re-export the model as ONNX, XGBoost JSON, LightGBM text or skops, "
            "or ask an admin to mark this artefact trusted.",
        )
        raise CheckFailed("unsafe_artefact", message, [finding]) from exc
    except ModelLoadError as exc:
        raise CheckFailed(exc.code, f"The artefact cannot be loaded: {exc.message}") from exc


def require_columns(df: pd.DataFrame, names: list[str], what: str) -> None:
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise CheckFailed(
            "missing_columns", f"The {what} data lacks column(s) {missing} declared on the run."
        )


def model_predictions(model: LoadedModel, df: pd.DataFrame) -> tuple[Any, Any]:
    """Labels and (binary: positive-class) scores of ``model`` on ``df``."""
    try:
        y_pred = model.predict(df)
        y_score = model.predict_proba(df) if model.task == "binary" else None
    except ModelLoadError as exc:
        raise CheckFailed(exc.code, exc.message) from exc
    return y_pred, y_score
