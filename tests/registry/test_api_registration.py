"""Registering systems, models and versions through the REST API."""

import hashlib
import json

import pytest
from django.test import override_settings

from governance.kernel.audit.models import AuditEvent
from registry.models import Blob, ModelVersion, VersionStatus
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db


def register_version(client, model_id, version, content, **extra):
    data = {"version": version, "artefact": upload("artefact.bin", content), **extra}
    return client.post(f"/api/v1/models/{model_id}/versions/", data, format="multipart")


def test_data_scientist_registers_system_model_and_version(scientist, team, api, xgb_json_bytes):
    client = api(scientist)
    system = client.post(
        "/api/v1/systems/",
        {"team": team.slug, "name": "Credit scoring", "intended_purpose": "Score applications."},
        format="json",
    )
    assert system.status_code == 201, system.content
    model = client.post(
        "/api/v1/models/", {"system": system.json()["id"], "name": "gbm"}, format="json"
    )
    assert model.status_code == 201
    response = register_version(
        client,
        model.json()["id"],
        "1.0.0",
        xgb_json_bytes,
        hyperparameters=json.dumps({"max_depth": 3}),
        declared_metrics='{"auc": 0.77}',
        code_commit="3f2c1ab",
        environment_lock="xgboost==3.2.0",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["artefact"]["format"] == "xgboost_json"
    assert body["artefact"]["safe"] is True

    assert body["artefact"]["sha256"] == hashlib.sha256(xgb_json_bytes).hexdigest()
    assert body["artefact"]["size"] == len(xgb_json_bytes)
    assert body["hyperparameters"] == {"max_depth": 3}
    mv = ModelVersion.objects.get(pk=body["id"])
    assert mv.artefact.path.read_bytes() == xgb_json_bytes
    assert AuditEvent.objects.filter(
        action="model_version.registered", target_id=str(mv.pk)
    ).exists()
    assert mv.history.count() == 1


def test_duplicate_label_is_409_with_the_existing_id(scientist, model, api, xgb_json_bytes):
    client = api(scientist)
    first = register_version(client, model.pk, "2.0", xgb_json_bytes)
    again = register_version(client, model.pk, "2.0", b'{"learner": {}, "version": [1]}')
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "duplicate_version"
    assert error["existing_id"] == first.json()["id"]


def test_same_content_twice_reuses_the_blob(scientist, model, api, xgb_json_bytes):
    client = api(scientist)
    a = register_version(client, model.pk, "a", xgb_json_bytes).json()
    b = register_version(client, model.pk, "b", xgb_json_bytes).json()
    assert a["artefact"]["sha256"] == b["artefact"]["sha256"]
    assert Blob.objects.filter(sha256=a["artefact"]["sha256"]).count() == 1
    event = AuditEvent.objects.filter(
        action="model_version.registered", target_id=str(b["id"])
    ).get()
    assert event.payload["blob_reused"] is True


def test_format_comes_from_content_and_pickle_is_unsafe(scientist, model, api, pickle_bytes):
    client = api(scientist)
    # Named like ONNX, but it is a pickle: the name must not fool the registry.
    response = client.post(
        f"/api/v1/models/{model.pk}/versions/",
        {"version": "p1", "artefact": upload("model.onnx", pickle_bytes)},
        format="multipart",
    )
    assert response.status_code == 201
    assert response.json()["artefact"]["format"] == "pickle"
    assert response.json()["artefact"]["safe"] is False
    assert response.json()["artefact"]["trusted"] is False


@pytest.mark.parametrize(
    "content, code",
    [(b"", "empty_file"), (b"hello, I am not a model" * 10, "unrecognised_artefact")],
)
def test_bad_artefacts_are_400(scientist, model, api, content, code):
    response = register_version(api(scientist), model.pk, "bad", content)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not ModelVersion.objects.filter(version="bad").exists()


def test_oversize_upload_is_413(scientist, model, api, xgb_json_bytes):
    with override_settings(MAX_UPLOAD_BYTES=1000):
        response = register_version(api(scientist), model.pk, "big", xgb_json_bytes)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert not ModelVersion.objects.filter(version="big").exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("version", "has space"),
        ("version", ""),
        ("hyperparameters", "{not json"),
        ("hyperparameters", "[1, 2]"),
        ("lineage", '[{"kind": "trained_on"}]'),
        ("lineage", '[{"kind": "eaten_by", "dataset_version": 1}]'),
        ("code_commit", "xyz"),
    ],
)
def test_bad_metadata_is_400_naming_the_field(scientist, model, api, xgb_json_bytes, field, value):
    data = {"version": "ok-1", "artefact": upload("m.json", xgb_json_bytes), field: value}
    response = api(scientist).post(f"/api/v1/models/{model.pk}/versions/", data, format="multipart")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_missing_artefact_is_400(scientist, model, api):
    response = api(scientist).post(
        f"/api/v1/models/{model.pk}/versions/", {"version": "x"}, format="multipart"
    )
    assert response.status_code == 400
    assert "artefact" in response.json()["error"]["fields"]


def test_drafts_are_editable_submitted_versions_are_not(scientist, model_version, api):
    client = api(scientist)
    url = f"/api/v1/model-versions/{model_version.pk}/"
    ok = client.patch(
        url, {"description": "first try", "hyperparameters": {"eta": 0.1}}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["description"] == "first try"
    for field, value in [("status", "approved"), ("artefact", 1), ("created_by", 1)]:
        refused = client.patch(url, {field: value}, format="json")
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "read_only_fields"
    model_version.refresh_from_db()
    model_version.status = VersionStatus.IN_REVIEW
    model_version.save()
    frozen = client.patch(url, {"description": "sneaky"}, format="json")
    assert frozen.status_code == 409
    assert frozen.json()["error"]["code"] == "version_immutable"
    model_version.refresh_from_db()
    assert model_version.description == "first try"
    model_version.hyperparameters = {"eta": 9}
    with pytest.raises(ValueError, match="submitted"):
        model_version.save()


def test_only_admins_trust_pickles(users, model, api, pickle_bytes, scientist):
    created = register_version(api(scientist), model.pk, "pk", pickle_bytes).json()
    url = f"/api/v1/model-versions/{created['id']}/trust/"
    for who in ("data_scientist", "compliance_officer", "auditor"):
        assert api(users[who]).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api(users["admin"]).post(url, {}, format="json").status_code == 400
    trusted = api(users["admin"]).post(url, {"reason": "built by our CI"}, format="json")
    assert trusted.status_code == 200
    assert trusted.json()["artefact"]["trusted"] is True
    assert AuditEvent.objects.filter(action="model_version.artefact_trusted").exists()


def test_systems_and_models_crud_and_duplicates(scientist, team, api, system):
    client = api(scientist)
    dup = client.post("/api/v1/systems/", {"team": team.slug, "name": system.name}, format="json")
    assert dup.status_code == 409 and dup.json()["error"]["existing_id"] == system.pk
    patched = client.patch(
        f"/api/v1/systems/{system.pk}/",
        {"human_oversight": "A loan officer reviews every refusal."},
        format="json",
    )
    assert patched.status_code == 200
    assert system.history.count() == 2
    event = AuditEvent.objects.filter(action="system.updated").last()
    assert event.payload["human_oversight"][1].startswith("A loan officer")
    listed = client.get("/api/v1/systems/", {"search": "Credit"})
    assert listed.json()["count"] == 1
    assert client.delete(f"/api/v1/systems/{system.pk}/").status_code == 204


def test_system_with_models_cannot_be_deleted(scientist, api, model):
    response = api(scientist).delete(f"/api/v1/systems/{model.system_id}/")
    assert response.status_code == 409


def test_cannot_register_for_another_team(scientist, other_team, api):
    response = api(scientist).post(
        "/api/v1/systems/", {"team": other_team.slug, "name": "x"}, format="json"
    )
    assert response.status_code == 403


def test_model_version_list_filters_and_search(scientist, api, model_version):
    client = api(scientist)
    assert client.get("/api/v1/model-versions/", {"status": "draft"}).json()["count"] == 1
    assert client.get("/api/v1/model-versions/", {"status": "approved"}).json()["count"] == 0
    assert client.get("/api/v1/model-versions/", {"search": "risk-gbm"}).json()["count"] == 1
    sha = model_version.artefact.sha256
    assert client.get("/api/v1/model-versions/", {"artefact__sha256": sha}).json()["count"] == 1


def test_streamed_upload_hashes_a_large_file(scientist, model, api):
    # 8 MiB of valid LightGBM text: streamed to disk by the hashing handler (not memory).
    header = b"tree\nversion=v4\nnum_class=1\n"
    content = header + (b"# padding line for size\n" * (8 * 1024 * 1024 // 24))
    response = register_version(api(scientist), model.pk, "big-1", content)
    assert response.status_code == 201, response.content

    assert response.json()["artefact"]["sha256"] == hashlib.sha256(content).hexdigest()
    assert response.json()["artefact"]["format"] == "lightgbm_text"


def test_registration_is_refused_to_whom_may_not_change_the_model(
    users, model, api, xgb_json_bytes
):
    """Refused before the upload is read: another team's data scientist and ids no model has
    get 404 (nothing confirmed), roles that do not register get 403; nothing is stored."""
    for who, expected in (
        ("outsider", 404),
        ("auditor", 403),
        ("compliance_officer", 403),
    ):
        response = register_version(api(users[who]), model.pk, "x", xgb_json_bytes)
        assert response.status_code == expected, (who, response.content)
    scientist = api(users["data_scientist"])
    for missing in (model.pk + 10_000, 2**63 + 5):
        response = register_version(scientist, missing, "x", xgb_json_bytes)
        assert response.status_code == 404, response.content
        assert response.json()["error"]["code"] == "not_found"
    assert not ModelVersion.objects.exists() and not Blob.objects.exists()
