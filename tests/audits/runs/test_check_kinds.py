"""Performance (champion vs challenger), drift, unsafe artefacts and vanished inputs."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from django.utils import timezone
from sklearn.metrics import roc_auc_score

from audits.checks import load_model
from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from audits.runs.services.checks import check_run_request
from audits.runs.tasks import run_check_task
from governance.kernel.objectstore import blob_delete, blob_put_file, blob_read_bytes
from governance.policy.deployments.models import Deployment
from governance.policy.notifications.models import Notification
from registry.services.versions import (
    LineageLink,
    model_version_register,
    model_version_trust_artefact,
)
from tests.audits.conftest import FEATURES, register_frame, upload

pytestmark = pytest.mark.django_db


def _register(actor, model, version, artefact: bytes, name: str, trained_on):
    return model_version_register(
        actor=actor,
        model=model,
        version=version,
        artefact=upload(name, artefact),
        lineage=[LineageLink("trained_on", dataset_version=trained_on)],
    )


@pytest.fixture
def challenger(scientist, model, labelled, german_frame):
    import xgboost as xgb  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    clf = xgb.XGBClassifier(n_estimators=30, max_depth=2, random_state=1)
    clf.fit(german_frame[FEATURES], german_frame["risk"])
    raw = bytes(clf.get_booster().save_raw(raw_format="json"))
    return _register(scientist, model, "2.0.0", raw, "challenger.json", labelled)


def test_performance_compares_with_the_version_in_production(
    api, scientist, officer, labelled, model_version, challenger, german_frame, request_check
):

    Deployment.objects.create(
        model_version=model_version,
        model=model_version.model,
        environment="prod",
        deployed_by=scientist,
        deployed_at=timezone.now(),
    )
    response = request_check(
        api(officer), challenger.pk, kind="performance", dataset_version=labelled.pk
    )
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert run.status == "succeeded", run.error_message
    assert run.champion_model_version_id == model_version.pk
    assert run.inputs["champion_artefact_sha256"] == model_version.artefact.sha256
    y = german_frame["risk"]
    mine = load_model(challenger.artefact.path, artefact_format="xgboost_json")
    theirs = load_model(model_version.artefact.path, artefact_format="xgboost_json")
    assert run.result["metrics"]["roc_auc"] == roc_auc_score(y, mine.predict_proba(german_frame))
    champion = run.result["champion"]
    assert champion is not None
    assert champion["label"] == str(model_version)
    flat = repr(champion)
    assert repr(roc_auc_score(y, theirs.predict_proba(german_frame))) in flat


def test_drift_raises_findings_and_the_retraining_webhook_event(
    api, users, dataset, labelled, model_version, german_frame, request_check
):
    shifted = german_frame.copy()
    shifted["credit_amount"] = shifted["credit_amount"] * 3
    current = register_frame(
        users["data_scientist"], dataset, "prod-sample", shifted, roles={"risk": "target"}
    )
    response = request_check(
        api(users["data_scientist"]),
        model_version.pk,
        kind="drift",
        dataset_version=current.pk,
        reference_dataset_version=labelled.pk,
    )
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert run.status == "succeeded", run.error_message
    assert run.passed is False
    assert "credit_amount" in run.result["drifted_features"]
    assert "duration" not in run.result["drifted_features"]
    finding = Finding.objects.get(check_run=run, code="feature_drift", group="credit_amount")
    assert finding.severity == "high" and finding.status == "open"
    events = set(Notification.objects.values_list("event", flat=True))
    assert {"drift_detected", "check_failed", "finding_raised"} <= events
    drift = Notification.objects.filter(event="drift_detected").first()
    assert drift.payload["model_version"] == model_version.pk
    assert drift.recipient.role == "compliance_officer"


def test_pickle_is_refused_unless_trusted(
    api, scientist, officer, admin_user, model, labelled, german_frame, request_check
):
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    fitted = LogisticRegression(max_iter=500).fit(german_frame[FEATURES], german_frame["risk"])
    mv = _register(scientist, model, "9.0.0", pickle.dumps(fitted), "model.pkl", labelled)
    assert mv.artefact_format == "pickle"
    response = request_check(api(scientist), mv.pk, kind="performance", dataset_version=labelled.pk)
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert run.status == "failed"
    assert run.error_code == "unsafe_artefact"
    finding = Finding.objects.get(check_run=run)
    assert finding.code == "unsafe_artefact" and finding.severity == "high"
    assert "trusted" in finding.message
    assert Notification.objects.filter(event="check_failed").exists()

    model_version_trust_artefact(actor=admin_user, model_version=mv, reason="built in house")
    again = request_check(api(scientist), mv.pk, kind="performance", dataset_version=labelled.pk)
    trusted = CheckRun.objects.get(pk=again.json()["id"])
    assert trusted.status == "succeeded", trusted.error_message
    expected = roc_auc_score(
        german_frame["risk"], fitted.predict_proba(german_frame[FEATURES])[:, 1]
    )
    assert trusted.result["metrics"]["roc_auc"] == expected


def test_vanished_input_fails_once_and_is_not_retried(
    scientist, dataset, model_version, german_frame, django_capture_on_commit_callbacks, tmp_path
):
    frame = german_frame.head(321)  # content of its own: no other test shares this blob
    dv = register_frame(scientist, dataset, "vanishing", frame, roles={"risk": "target"})
    with django_capture_on_commit_callbacks(execute=False):
        run = check_run_request(
            actor=scientist, model_version=model_version, kind="data_quality", dataset_version=dv
        )
    sha = dv.blob.sha256
    content = blob_read_bytes(sha)
    blob_delete(sha)  # from the store in use, disk or bucket
    try:
        run_check_task.apply(args=[run.pk])
        run.refresh_from_db()
        assert run.status == "failed"
        assert run.error_code == "inputs_missing"
        assert dv.blob.sha256 in run.error_message
        assert run.attempts == 1
        run_check_task.apply(args=[run.pk])  # a redelivery finds the row finished
        run.refresh_from_db()
        assert run.attempts == 1
    finally:
        saved = tmp_path / "data"
        saved.write_bytes(content)
        blob_put_file(temp_path=str(saved), sha256=sha, size=len(content))


def test_explainability_on_predictions_only_data_needs_the_model(
    api, scientist, dataset, model_version, german_frame, request_check
):
    frame = german_frame[["risk", "sex", *FEATURES]].copy()
    frame["decision"] = np.where(frame["age"] > 30, 1, 0)
    dv = register_frame(
        scientist,
        dataset,
        "with-decisions",
        frame,
        roles={"risk": "target", "decision": "prediction"},
    )
    response = request_check(
        api(scientist), model_version.pk, kind="explainability", dataset_version=dv.pk
    )
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert run.status == "succeeded", run.error_message
    assert run.result["features"] == FEATURES
