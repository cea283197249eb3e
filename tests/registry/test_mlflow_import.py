"""Importing from a real MLflow tracking server: ``mlflow server`` (sqlite backend, proxied
artifacts) on loopback, run from MLflow's own virtualenv under var/ (installed on first use,
see ``bench.common.mlflow_python``), with models logged by that virtualenv's Python."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from governance.kernel.audit.models import AuditEvent
from registry.mlflow.services import mlflow_links_sync
from registry.models import DatasetVersion, MlflowImport, ModelVersion
from registry.services.systems import model_create
from tests.registry.mlflow_server import COMMIT

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(settings, mlflow):
    settings.MLFLOW_TRACKING_URI = mlflow["url"]
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    return mlflow


def source_file(mlflow, imported: MlflowImport) -> Path:
    return mlflow["artifacts"] / imported.artefact_path


def post_import(client, model, **body):
    return client.post(f"/api/v1/models/{model.pk}/mlflow-imports/", body, format="json")


def test_an_mlflow_version_is_imported_with_its_provenance(
    configured, scientist, model, api, django_capture_on_commit_callbacks
):
    client = api(scientist)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_import(client, model, registered_model="gbm", version="1")
    assert response.status_code == 201, response.content
    mv = ModelVersion.objects.get(pk=response.json()["id"])
    assert mv.version == "1"
    assert mv.artefact_verification == "verified", mv.artefact_verification_error
    imported = MlflowImport.objects.get(model_version=mv)
    assert imported.run_id == configured["run_id"]
    assert imported.artefact_path.endswith("/model.json")
    assert "xgboost" in imported.flavours
    # The stored artefact is byte for byte the file in MLflow's artifact store.
    source = source_file(configured, imported)
    assert mv.artefact.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert (mv.artefact_format, mv.artefact_safe) == ("xgboost_json", True)
    assert mv.artefact_uri == f"mlflow://{imported.artefact_path}"
    assert mv.hyperparameters == {"max_depth": 3, "n_estimators": 10, "learning_rate": 0.3}
    assert mv.declared_metrics["train_accuracy"] == pytest.approx(configured["accuracy"])
    assert mv.code_commit == COMMIT
    for name in ("# requirements.txt", "# conda.yaml", "# python_env.yaml", "xgboost"):
        assert name in mv.environment_lock
    # The run's logged input dataset is lineage: a reference known by name and digest.
    dv = DatasetVersion.objects.get(dataset__name="german-credit")
    assert dv.version == configured["dataset_digest"] == dv.source_digest
    assert dv.blob is None and dv.profile_status == "reference"
    assert dv.source_uri.endswith("german.csv")
    detail = client.get(f"/api/v1/model-versions/{mv.pk}/").json()
    upstream = detail["lineage"]["upstream"]
    assert any(u.get("kind") == "trained_on" for u in upstream), upstream
    event = AuditEvent.objects.get(action="model_version.imported_from_mlflow")
    assert event.payload["registered_model"] == "gbm"
    assert event.payload["datasets"][0]["digest"] == configured["dataset_digest"]

    # Idempotent: the same MLflow version again is the same version, nothing new.
    again = post_import(client, model, registered_model="gbm", version="1")
    assert again.status_code == 200
    assert again.json()["id"] == mv.pk
    assert ModelVersion.objects.count() == 1
    assert DatasetVersion.objects.count() == 1


def test_a_pickled_flavour_is_imported_as_unsafe(
    configured, scientist, model, api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_import(
            api(scientist), model, registered_model="gbm-sk", version="1", label="sk-1"
        )
    assert response.status_code == 201, response.content
    mv = ModelVersion.objects.get(pk=response.json()["id"])
    assert mv.artefact_verification == "verified", mv.artefact_verification_error
    assert mv.artefact_format in ("pickle", "cloudpickle", "joblib")
    assert mv.artefact_safe is False
    imported = MlflowImport.objects.get(model_version=mv)
    assert mv.artefact.sha256 == (
        hashlib.sha256(source_file(configured, imported).read_bytes()).hexdigest()
    )
    assert mv.hyperparameters == {"max_iter": 200}


def test_unknown_versions_and_unconfigured_servers_are_400(
    configured, settings, scientist, model, api
):
    client = api(scientist)
    missing = post_import(client, model, registered_model="gbm", version="99")
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "mlflow_not_found"
    bad = post_import(client, model, registered_model="gbm", version="one")
    assert bad.status_code == 400
    settings.MLFLOW_TRACKING_URI = ""
    off = post_import(client, model, registered_model="gbm", version="1")
    assert off.status_code == 400
    assert off.json()["error"]["code"] == "mlflow_not_configured"
    assert not ModelVersion.objects.exists()


def test_roles_and_teams_that_may_not_import(configured, users, model, api):
    for who in ("auditor", "compliance_officer"):
        client = api(users[who])
        assert post_import(client, model, registered_model="gbm", version="1").status_code == 403
        link = client.post(
            f"/api/v1/models/{model.pk}/mlflow-links/", {"registered_model": "gbm"}, format="json"
        )
        assert link.status_code == 403
    outsider = api(users["outsider"])
    assert post_import(outsider, model, registered_model="gbm", version="1").status_code == 404
    assert outsider.get(f"/api/v1/models/{model.pk}/mlflow-links/").status_code == 404
    assert not ModelVersion.objects.exists()


def test_a_followed_model_is_synced_once(
    configured, scientist, system, api, django_capture_on_commit_callbacks
):
    model = model_create(actor=scientist, system=system, name="followed")
    client = api(scientist)
    link = client.post(
        f"/api/v1/models/{model.pk}/mlflow-links/", {"registered_model": "gbm"}, format="json"
    )
    assert link.status_code == 201, link.content
    dup = client.post(
        f"/api/v1/models/{model.pk}/mlflow-links/", {"registered_model": "gbm"}, format="json"
    )
    assert dup.status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        assert mlflow_links_sync() == {"links": 1, "imported": 1}
    assert mlflow_links_sync() == {"links": 1, "imported": 0}
    mv = ModelVersion.objects.get(model=model)
    assert mv.artefact_verification == "verified"
    listed = client.get(f"/api/v1/models/{model.pk}/mlflow-links/").json()
    assert listed[0]["last_synced_at"] and listed[0]["last_error"] == ""
