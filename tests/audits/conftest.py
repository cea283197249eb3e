"""Audits fixtures: the registry's real German Credit data and XGBoost model, labelled."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from audits.programme.models import AuditSchedule
from audits.programme.services.schedules import schedules_sync
from governance.policy.classification.models import RiskClassification
from registry.models import Column
from registry.services.datasets import ColumnSettings, column_update, dataset_version_register
from registry.services.lineage import lineage_edge_add
from tests.registry import conftest as registry_fixtures
from tests.registry.conftest import upload

# The registry's fixtures, shared here: real German Credit data and a real XGBoost model.
dataset = registry_fixtures.dataset
dataset_version = registry_fixtures.dataset_version
german_csv_bytes = registry_fixtures.german_csv_bytes
model = registry_fixtures.model
model_version = registry_fixtures.model_version
pickle_bytes = registry_fixtures.pickle_bytes
system = registry_fixtures.system
xgb_json_bytes = registry_fixtures.xgb_json_bytes

FEATURES = ["credit_amount", "duration", "age", "job"]


@pytest.fixture
def labelled(scientist, dataset_version):
    """The training data with ``risk`` as target and sex/age as the sensitive attributes."""

    for column in Column.objects.filter(dataset_version=dataset_version):
        role = "target" if column.name == "risk" else None
        column_update(
            actor=scientist,
            column=column,
            role=role,
            is_sensitive=column.name in ("sex", "age"),
        )
    return dataset_version


@pytest.fixture
def german_frame(german_csv_bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(german_csv_bytes))


def register_frame(actor, dataset, version: str, frame: pd.DataFrame, roles=None, sensitive=None):
    """A new version of ``dataset`` holding ``frame`` as CSV."""
    return dataset_version_register(
        actor=actor,
        dataset=dataset,
        version=version,
        data_file=upload(f"{version}.csv", frame.to_csv(index=False).encode(), "text/csv"),
        column_settings=ColumnSettings(roles=roles or {}, sensitive=sensitive),
    )


@pytest.fixture
def request_check(django_capture_on_commit_callbacks):
    """POST a check and run the queued task in-process, as the embedded stack does."""

    def go(client, model_version_id: int, **body):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/api/v1/model-versions/{model_version_id}/checks/", body)
        return response

    return go


__all__ = ["FEATURES", "register_frame", "upload"]


def classify(system, officer, tier="high_risk"):
    """A classification row written directly (the questionnaire has its own tests)."""

    return RiskClassification.objects.create(
        system=system, tier=tier, classified_by=officer, rationale=[], answers={}
    )


@pytest.fixture
def schedule(system, officer):
    """The system classified high-risk and its policy's audit schedule."""

    classify(system, officer)
    schedules_sync()
    return AuditSchedule.objects.get(system=system)


@pytest.fixture
def holdout(scientist, dataset, german_frame, model_version):
    """The version's test data: German Credit as its own dataset version, ``risk`` the
    target, sex and age sensitive, linked to the version as ``tested_on``."""
    dv = register_frame(
        scientist,
        dataset,
        "holdout",
        german_frame,
        roles={"risk": "target"},
        sensitive=["sex", "age"],
    )
    lineage_edge_add(actor=scientist, kind="tested_on", upstream=dv, downstream=model_version)
    return dv
