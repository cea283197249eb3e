"""Model versions registered by artefact URI (fetched, hashed and verified by a worker) and
versions that are a vendor's hosted model (an external service, no artefact)."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from audits.reporting.snapshot import version_block
from governance.kernel.audit.models import AuditEvent
from governance.review.evaluation import evaluate, gate
from registry.models import ArtefactFetchJob, ModelVersion
from tests.conftest import wait_for
from tests.registry.artefact_server import ArtefactServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def loopback(settings):
    """Development settings: plain http and the loopback test server are allowed."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    return settings


@pytest.fixture
def served(xgb_json_bytes, pickle_bytes):
    with ArtefactServer(
        {
            "/models/gbm.json": xgb_json_bytes,
            "/bucket/team/gbm.json": xgb_json_bytes,
            "/models/model.pkl": pickle_bytes,
            "/models/notes.txt": b"just some text, not a model\n" * 10,
        }
    ) as server:
        yield server


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def register(client, model, **body):
    return client.post(
        f"/api/v1/models/{model.pk}/versions/", {"version": "1.0", **body}, format="json"
    )


def register_and_fetch(client, model, capture, **body):
    with capture(execute=True):
        response = register(client, model, **body)
    assert response.status_code == 201, response.content
    return ModelVersion.objects.get(pk=response.json()["id"])


# --- by reference -----------------------------------------------------------------------------


def test_a_referenced_artefact_is_fetched_hashed_and_verified(
    loopback, served, scientist, model, api, xgb_json_bytes, django_capture_on_commit_callbacks
):
    client = api(scientist)
    sha = hashlib.sha256(xgb_json_bytes).hexdigest()
    with django_capture_on_commit_callbacks(execute=True):
        response = register(
            client,
            model,
            artefact_uri=served.url("/models/gbm.json"),
            artefact_sha256=sha.upper(),
            hyperparameters={"max_depth": 3},
        )
        assert response.status_code == 201, response.content
        # The answer comes before the fetch: the version is pending until the worker is done.
        assert response.json()["artefact"]["verification"] == "pending"
        assert response.json()["artefact"]["sha256"] is None
    mv = ModelVersion.objects.get(pk=response.json()["id"])
    assert mv.artefact_verification == "verified"
    assert mv.artefact.sha256 == sha
    assert mv.artefact.path.read_bytes() == xgb_json_bytes
    assert (mv.artefact_format, mv.framework, mv.artefact_safe) == ("xgboost_json", "xgboost", True)
    assert mv.artefact_filename == "gbm.json"
    assert ArtefactFetchJob.objects.get(model_version=mv).status == "succeeded"
    body = client.get(f"/api/v1/model-versions/{mv.pk}/").json()
    assert body["artefact"]["sha256"] == sha
    assert body["artefact"]["source"] == "reference"
    assert body["artefact"]["uri"] == served.url("/models/gbm.json")
    assert body["artefact"]["declared_sha256"] == sha
    assert body["external_service"] is None
    actions = list(AuditEvent.objects.filter(target_id=str(mv.pk)).values_list("action", flat=True))
    assert "model_version.registered" in actions
    assert "model_version.artefact_verified" in actions
    verified = AuditEvent.objects.get(action="model_version.artefact_verified")
    assert verified.actor_username == scientist.username
    assert verified.payload["sha256"] == sha
    assert gate(mv, environment="dev")["allowed"] is True


def test_pending_verification_cannot_be_submitted_or_pass_the_gate(
    loopback, served, scientist, model, api
):
    # Without running the on-commit callbacks the fetch never starts: the version stays pending.
    response = register(api(scientist), model, artefact_uri=served.url("/models/gbm.json"))
    assert response.status_code == 201
    mv = ModelVersion.objects.get(pk=response.json()["id"])
    assert mv.artefact_verification == "pending" and mv.artefact is None
    reasons = gate(mv, environment="dev")["reasons"]
    assert [r["code"] for r in reasons] == ["artefact_pending_verification"]
    assert "artefact_pending_verification" in [r["code"] for r in evaluate(mv).reasons()]
    submit = api(scientist).post(f"/api/v1/model-versions/{mv.pk}/submit/")
    assert submit.status_code in (400, 409), submit.content
    assert "artefact_pending_verification" in submit.content.decode()
    mv.refresh_from_db()
    assert mv.status == "draft"
    page = browser(scientist).get(f"/model-versions/{mv.pk}/")
    assert page.status_code == 200
    assert "pending verification" in page.content.decode()


def test_a_hash_mismatch_fails_verification_with_the_reason(
    loopback, served, scientist, model, api, django_capture_on_commit_callbacks
):
    declared = "0" * 64
    mv = register_and_fetch(
        api(scientist),
        model,
        django_capture_on_commit_callbacks,
        artefact_uri=served.url("/models/gbm.json"),
        artefact_sha256=declared,
    )
    assert mv.artefact_verification == "failed"
    assert mv.artefact is None
    assert declared in mv.artefact_verification_error
    assert "not the declared" in mv.artefact_verification_error
    job = ArtefactFetchJob.objects.get(model_version=mv)
    assert (job.status, job.error_code) == ("failed", "hash_mismatch")
    event = AuditEvent.objects.get(action="model_version.artefact_verification_failed")
    assert event.payload["code"] == "hash_mismatch"
    reasons = gate(mv, environment="dev")["reasons"]
    assert reasons[0]["code"] == "artefact_failed_verification"
    assert declared in reasons[0]["message"]
    body = api(scientist).get(f"/api/v1/model-versions/{mv.pk}/").json()
    assert body["artefact"]["verification"] == "failed"
    assert "not the declared" in body["artefact"]["verification_error"]


@pytest.mark.parametrize(
    ("path", "code", "words"),
    [
        ("/models/missing.onnx", "http_status", "HTTP 404"),
        ("/models/notes.txt", "unrecognised_artefact", "not a supported model format"),
        ("/models/moved.json", "redirect", "redirects are not followed"),
    ],
)
def test_fetch_failures_end_in_failed_verification(
    loopback,
    served,
    scientist,
    model,
    api,
    django_capture_on_commit_callbacks,
    path,
    code,
    words,
):
    served.redirects["/models/moved.json"] = served.url("/models/gbm.json")
    mv = register_and_fetch(
        api(scientist), model, django_capture_on_commit_callbacks, artefact_uri=served.url(path)
    )
    assert mv.artefact_verification == "failed"
    assert words in mv.artefact_verification_error
    assert ArtefactFetchJob.objects.get(model_version=mv).error_code == code
    if code == "redirect":
        assert served.requests == ["/models/moved.json"]  # the redirect was not followed


def test_the_size_limit_bounds_the_fetch(
    loopback, served, scientist, model, api, django_capture_on_commit_callbacks
):
    loopback.MAX_UPLOAD_BYTES = 100
    mv = register_and_fetch(
        api(scientist),
        model,
        django_capture_on_commit_callbacks,
        artefact_uri=served.url("/models/gbm.json"),
    )
    assert mv.artefact_verification == "failed"
    assert "limit is 100 bytes" in mv.artefact_verification_error


def test_a_fetched_pickle_is_recorded_as_unsafe(
    loopback, served, scientist, model, api, django_capture_on_commit_callbacks
):
    mv = register_and_fetch(
        api(scientist),
        model,
        django_capture_on_commit_callbacks,
        artefact_uri=served.url("/models/model.pkl"),
    )
    assert mv.artefact_verification == "verified"
    assert mv.artefact_format == "pickle" and mv.artefact_safe is False


def test_s3_uris_are_read_from_the_configured_endpoint(
    loopback, served, scientist, model, api, xgb_json_bytes, django_capture_on_commit_callbacks
):
    loopback.ARTEFACT_S3_ENDPOINT = served.base
    mv = register_and_fetch(
        api(scientist),
        model,
        django_capture_on_commit_callbacks,
        artefact_uri="s3://bucket/team/gbm.json",
    )
    assert served.requests == ["/bucket/team/gbm.json"]
    assert mv.artefact.sha256 == hashlib.sha256(xgb_json_bytes).hexdigest()


def test_mlflow_uris_go_through_the_tracking_servers_artifact_proxy(
    loopback, served, scientist, model, api, xgb_json_bytes, django_capture_on_commit_callbacks
):
    path = "/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model/model.xgb"
    served.files[path] = xgb_json_bytes
    no_server = register(api(scientist), model, artefact_uri="mlflow://1/abc/model.xgb")
    assert no_server.status_code == 400
    assert "MLFLOW_TRACKING_URI" in no_server.json()["error"]["message"]
    loopback.MLFLOW_TRACKING_URI = served.base
    mv = register_and_fetch(
        api(scientist),
        model,
        django_capture_on_commit_callbacks,
        artefact_uri="mlflow://1/abc/artifacts/model/model.xgb",
    )
    assert mv.artefact_verification == "verified", mv.artefact_verification_error
    assert served.requests == [path]


def test_local_paths_only_under_an_allowed_directory(
    settings, scientist, model, api, tmp_path, xgb_json_bytes, django_capture_on_commit_callbacks
):
    (tmp_path / "shared").mkdir()
    artefact = tmp_path / "shared" / "gbm.json"
    artefact.write_bytes(xgb_json_bytes)
    (tmp_path / "secret.json").write_bytes(xgb_json_bytes)
    client = api(scientist)
    refused = register(client, model, artefact_uri=f"file://{artefact}")
    assert refused.status_code == 400
    assert "not allowed" in refused.json()["error"]["message"]
    settings.ARTEFACT_LOCAL_ROOTS = [str(tmp_path / "shared")]
    outside = register(client, model, artefact_uri=f"file://{tmp_path}/shared/../secret.json")
    assert outside.status_code == 400
    assert "outside" in outside.json()["error"]["message"]
    mv = register_and_fetch(
        client, model, django_capture_on_commit_callbacks, artefact_uri=f"file://{artefact}"
    )
    assert mv.artefact_verification == "verified"
    assert mv.artefact.sha256 == hashlib.sha256(xgb_json_bytes).hexdigest()


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("ftp://example.org/model.onnx", "not allowed"),
        ("http://example.org/model.onnx", "https"),
        ("https://127.0.0.1/model.onnx", "internal or reserved"),
        ("https://169.254.169.254/latest/meta-data/", "internal or reserved"),
        ("https://user:pw@example.org/model.onnx", "credentials"),
        ("s3://bucket-only", "bucket and a key"),
        ("/just/a/path.onnx", "not allowed"),
    ],
)
def test_uris_are_vetted_at_registration(scientist, model, api, uri, words):
    # Production-like settings: https only, no internal addresses.
    response = register(api(scientist), model, artefact_uri=uri)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "artefact_uri_refused"
    assert words in response.json()["error"]["message"]
    assert not ModelVersion.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"artefact_uri": "https://example.org/m.onnx", "external_service": {"provider": "x"}},
        {"artefact_sha256": "a" * 64, "external_service": {"provider": "p", "model_id": "m"}},
        {"artefact_uri": "https://example.org/m.onnx", "artefact_sha256": "nothex"},
        {"external_service": {"provider": "OpenAI"}},
        {"external_service": "not json"},
    ],
)
def test_bad_combinations_are_400(scientist, model, api, body):
    response = register(api(scientist), model, **body)
    assert response.status_code == 400, response.content


def test_roles_and_teams_that_may_not_register_by_reference(loopback, served, users, model, api):
    uri = served.url("/models/gbm.json")
    for who in ("auditor", "compliance_officer"):
        assert register(api(users[who]), model, artefact_uri=uri).status_code == 403
    assert register(api(users["outsider"]), model, artefact_uri=uri).status_code == 404
    assert not ModelVersion.objects.exists()
    assert served.requests == []


def test_a_duplicate_label_is_409_before_anything_is_fetched(
    loopback, served, scientist, model, api, django_capture_on_commit_callbacks
):
    uri = served.url("/models/gbm.json")
    first = register_and_fetch(
        api(scientist), model, django_capture_on_commit_callbacks, artefact_uri=uri
    )
    again = register(api(scientist), model, artefact_uri=uri)
    assert again.status_code == 409
    assert again.json()["error"]["existing_id"] == first.pk
    assert served.requests == ["/models/gbm.json"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_fetches_and_verifies(
    celery_worker_process, settings, served, scientist, model, api, xgb_json_bytes
):
    # The worker runs with http and loopback allowed (tests/conftest.py); so does this process.
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    sha = hashlib.sha256(xgb_json_bytes).hexdigest()
    good = register(
        api(scientist), model, artefact_uri=served.url("/models/gbm.json"), artefact_sha256=sha
    )
    bad = api(scientist).post(
        f"/api/v1/models/{model.pk}/versions/",
        {
            "version": "2.0",
            "artefact_uri": served.url("/models/gbm.json"),
            "artefact_sha256": "1" * 64,
        },
        format="json",
    )
    assert good.status_code == bad.status_code == 201
    verified = wait_for(
        lambda: ModelVersion.objects.filter(
            pk=good.json()["id"], artefact_verification="verified"
        ).first()
    )
    assert verified.artefact.sha256 == sha
    failed = wait_for(
        lambda: ModelVersion.objects.filter(
            pk=bad.json()["id"], artefact_verification="failed"
        ).first()
    )
    assert "not the declared" in failed.artefact_verification_error


# --- external services --------------------------------------------------------------------


SERVICE = {
    "provider": "Example AI",
    "model_id": "example-large",
    "version": "2026-05-01",
    "terms_url": "https://example.org/terms",
}


def test_an_external_service_is_registered_without_an_artefact(
    scientist, model, api, dataset_version
):
    client = api(scientist)
    response = register(client, model, external_service=SERVICE, declared_metrics={"accuracy": 0.9})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["external_service"] == SERVICE
    assert body["artefact"]["sha256"] is None
    assert body["artefact"]["source"] == "external_service"
    assert body["artefact"]["verification"] == "not_applicable"
    mv = ModelVersion.objects.get(pk=body["id"])
    assert mv.artefact is None and mv.is_external_service
    event = AuditEvent.objects.get(action="model_version.registered", target_id=str(mv.pk))
    assert event.payload["provider"] == "Example AI"
    rows = client.get(f"/api/v1/models/{model.pk}/versions/").json()["results"]
    assert rows[0]["external_service"] == SERVICE
    assert client.get("/api/v1/model-versions/").json()["results"][0]["external_service"] == (
        SERVICE
    )
    # Nothing about verification keeps it from the gate outside production.
    assert gate(mv, environment="dev")["allowed"] is True
    page = browser(scientist).get(f"/model-versions/{mv.pk}/").content.decode()
    assert "External service" in page and "example-large" in page
    assert "https://example.org/terms" in page
    block = version_block(mv)
    assert block["external_service"] == SERVICE
    assert block["artefact"]["sha256"] is None
    # Checks need a stored artefact: a clear 400, not a 500.
    run = client.post(
        f"/api/v1/model-versions/{mv.pk}/checks/",
        {"kind": "performance", "dataset_version": dataset_version.pk},
        format="json",
    )
    assert run.status_code == 400, run.content
    assert run.json()["error"]["code"] == "no_artefact"


def test_an_external_service_needs_provider_and_model_id(scientist, model, api):
    response = register(api(scientist), model, external_service={"provider": " "})
    assert response.status_code == 400


def test_other_roles_and_teams_cannot_register_an_external_service(users, model, api):
    for who in ("auditor", "compliance_officer"):
        assert register(api(users[who]), model, external_service=SERVICE).status_code == 403
    assert register(api(users["outsider"]), model, external_service=SERVICE).status_code == 404
    assert not ModelVersion.objects.exists()


def test_an_unexpected_error_does_not_leave_the_version_pending(
    loopback, served, scientist, model, api, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(path):
        raise RuntimeError("disk trouble")

    monkeypatch.setattr("registry.services.artefacts.detect_artefact_format", broken)
    mv = register_and_fetch(
        api(scientist),
        model,
        django_capture_on_commit_callbacks,
        artefact_uri=served.url("/models/gbm.json"),
    )
    assert mv.artefact_verification == "failed"
    assert "unexpectedly (RuntimeError)" in mv.artefact_verification_error
    assert ArtefactFetchJob.objects.get(model_version=mv).status == "failed"


# --- pre-signed URLs: the credential is used for the fetch, never recorded ---------------------

SIGNED_QUERY = (
    "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261203%2Fs3"
    "&X-Amz-Date=20261203T120000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=5ec7e75ec7e7"
)


@pytest.fixture
def signed(xgb_json_bytes):
    # The server answers only the exact signed URL, so a fetch without the signature fails.
    with ArtefactServer({"/signed/gbm.json" + SIGNED_QUERY: xgb_json_bytes}) as server:
        yield server


def _recorded_anywhere(mv) -> list[str]:
    texts = [mv.artefact_uri]
    texts += [h.artefact_uri for h in mv.history.all()]
    texts += [str(e.payload) for e in AuditEvent.objects.filter(target_id=str(mv.pk))]
    texts += [j.source_uri for j in ArtefactFetchJob.objects.filter(model_version=mv)]
    return texts


def test_a_presigned_url_is_fetched_with_its_signature_and_recorded_without_it(
    loopback, signed, scientist, model, api, xgb_json_bytes, django_capture_on_commit_callbacks
):
    client = api(scientist)
    url = signed.url("/signed/gbm.json" + SIGNED_QUERY)
    mv = register_and_fetch(client, model, django_capture_on_commit_callbacks, artefact_uri=url)
    assert mv.artefact_verification == "verified", mv.artefact_verification_error
    assert mv.artefact.sha256 == hashlib.sha256(xgb_json_bytes).hexdigest()
    assert mv.artefact_filename == "gbm.json"
    for text in _recorded_anywhere(mv):
        assert "5ec7e75ec7e7" not in text and "AKIAEXAMPLE" not in text, text
    recorded = mv.artefact_uri
    assert "X-Amz-Signature=REDACTED" in recorded and "X-Amz-Expires=3600" in recorded
    body = client.get(f"/api/v1/model-versions/{mv.pk}/").json()
    assert body["artefact"]["uri"] == recorded
    page = browser(scientist).get(f"/model-versions/{mv.pk}/").content.decode()
    assert "5ec7e75ec7e7" not in page
    assert ArtefactFetchJob.objects.get(model_version=mv).source_uri == ""


def test_a_failed_fetch_also_forgets_the_signed_url(
    loopback, signed, scientist, model, api, django_capture_on_commit_callbacks
):
    url = signed.url("/signed/other.json" + SIGNED_QUERY)  # not served: 404
    mv = register_and_fetch(
        api(scientist), model, django_capture_on_commit_callbacks, artefact_uri=url
    )
    assert mv.artefact_verification == "failed"
    for text in _recorded_anywhere(mv):
        assert "5ec7e75ec7e7" not in text, text
