"""A fairness run through the API equals fairlearn called directly on the same predictions."""

from __future__ import annotations

import numpy as np
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)

from audits.checks import load_model
from audits.runs.models.checks import CheckRun
from audits.runs.services.checks import result_sha256
from governance.kernel.audit.services import canonical_json
from tests.audits.conftest import register_frame

pytestmark = pytest.mark.django_db


def _direct_predictions(model_version, frame):
    model = load_model(model_version.artefact.path, artefact_format=model_version.artefact_format)
    return np.asarray(model.predict(frame)).astype(int)


def test_fairness_result_equals_fairlearn(
    api, scientist, labelled, model_version, german_frame, request_check
):
    response = request_check(
        api(scientist), model_version.pk, kind="fairness", dataset_version=labelled.pk
    )
    assert response.status_code == 202, response.content
    run_id = response.json()["id"]
    body = api(scientist).get(f"/api/v1/checks/{run_id}/").json()
    assert body["status"] == "succeeded", body["error_message"]
    assert body["sensitive_columns"] == ["sex", "age"]
    result = body["result"]

    y_true = german_frame["risk"].to_numpy()
    y_pred = _direct_predictions(model_version, german_frame)
    sex = german_frame["sex"]
    frame = MetricFrame(
        metrics={
            "selection_rate": selection_rate,
            "tpr": true_positive_rate,
            "fpr": false_positive_rate,
            "fnr": false_negative_rate,
        },
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sex,
    )
    groups = {g["group"]: g for g in result["features"]["sex"]["groups"]}
    assert set(groups) == {"female", "male"}
    for group, row in frame.by_group.iterrows():
        stored = groups[group]
        # Exact equality: the stored JSON numbers are fairlearn's, not rounded copies.
        assert stored["selection_rate"] == float(row["selection_rate"])
        assert stored["tpr"] == float(row["tpr"])
        assert stored["fpr"] == float(row["fpr"])
        assert stored["fnr"] == float(row["fnr"])
        assert stored["count"] == int((sex == group).sum())
    metrics = result["features"]["sex"]["metrics"]
    assert metrics["demographic_parity_difference"]["value"] == demographic_parity_difference(
        y_true, y_pred, sensitive_features=sex
    )
    assert metrics["disparate_impact_ratio"]["value"] == demographic_parity_ratio(
        y_true, y_pred, sensitive_features=sex
    )
    assert metrics["equalized_odds_difference"]["value"] == equalized_odds_difference(
        y_true, y_pred, sensitive_features=sex
    )

    run = CheckRun.objects.get(pk=run_id)
    assert run.result_sha256 == result_sha256(run.result)
    assert len(run.result_sha256) == 64
    assert canonical_json(run.result) == canonical_json(result)
    assert run.thresholds["demographic_parity_difference"] == 0.10
    assert run.library_versions["fairlearn"]
    assert run.attempts == 1 and run.progress == 1.0


def test_fairness_from_predictions_only(
    api, scientist, dataset, german_frame, model_version, request_check
):
    """A file with label, prediction and score is enough; the model is never loaded."""

    frame = german_frame[["risk", "sex", "age"]].copy()
    rng = np.random.default_rng(0)
    frame["score"] = rng.random(len(frame))
    frame["decision"] = (frame["score"] > 0.4).astype(int)
    dv = register_frame(
        scientist,
        dataset,
        "predictions",
        frame,
        roles={"risk": "target", "decision": "prediction", "score": "score"},
        sensitive=["sex"],
    )
    model_version.artefact.path.chmod(0o000)  # any attempt to read the model would now fail
    try:
        response = request_check(
            api(scientist), model_version.pk, kind="fairness", dataset_version=dv.pk
        )
    finally:
        model_version.artefact.path.chmod(0o440)
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert run.status == "succeeded", run.error_message
    assert run.result["predictions_source"] == "dataset"
    frame_direct = MetricFrame(
        metrics=false_positive_rate,
        y_true=frame["risk"],
        y_pred=frame["decision"],
        sensitive_features=frame["sex"],
    )
    groups = {g["group"]: g for g in run.result["features"]["sex"]["groups"]}
    for group, value in frame_direct.by_group.items():
        assert groups[group]["fpr"] == float(value)
    assert groups["male"]["roc_auc"] is not None
