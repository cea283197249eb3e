"""MLflow's model-registry webhooks: the real tracking server posts a signed delivery to the
live test server when a version is created, and the links following that model sync at once;
deliveries that are unsigned, wrongly signed, stale or replayed are refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import time
import uuid

import pytest

from governance.celery import app as celery_app
from governance.kernel.audit.models import AuditEvent
from registry.mlflow.services import mlflow_link_create
from registry.models import MlflowImport
from tests.conftest import wait_for

SECRET = "mlflow-webhook-test-secret"

CREATE = """
import sys
import time
import mlflow
from mlflow import MlflowClient
uri, url, secret = sys.argv[1:4]
mlflow.set_tracking_uri(uri)
client = MlflowClient(uri)
client.create_webhook(name="governance", url=url, events=["model_version.created"], secret=secret)
time.sleep(2)  # past the server's webhook cache (MLFLOW_WEBHOOK_CACHE_TTL=1 in the fixture)
mlflow.register_model(client.get_model_version("gbm", "1").source, "hook-gbm")
"""


def signed(body: bytes, *, secret: str = SECRET, when: int | None = None) -> dict[str, str]:
    delivery, stamp = str(uuid.uuid4()), str(when or int(time.time()))
    mac = hmac.new(secret.encode(), f"{delivery}.{stamp}.".encode() + body, hashlib.sha256)
    return {
        "HTTP_X_MLFLOW_DELIVERY_ID": delivery,
        "HTTP_X_MLFLOW_TIMESTAMP": stamp,
        "HTTP_X_MLFLOW_SIGNATURE": "v1," + base64.b64encode(mac.digest()).decode(),
    }


# The delivery is handled (and the sync runs) in the live server's thread while this test
# polls: SQLite's shared in-memory test database locks its tables under that, PostgreSQL not.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_mlflow_posts_a_new_version_and_the_link_syncs_at_once(
    mlflow, live_server, settings, scientist, model, monkeypatch
):
    # The sync runs where the delivery is handled, with this test's settings (the suite's
    # worker process was started without this MLflow server's address); a deployment's workers
    # read MLFLOW_TRACKING_URI from their environment like the web processes.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    settings.MLFLOW_TRACKING_URI = mlflow["url"]
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.MLFLOW_WEBHOOK_SECRET = SECRET
    mlflow_link_create(actor=scientist, model=model, registered_model="hook-gbm")
    made = subprocess.run(
        [
            str(mlflow["python"]),
            "-c",
            CREATE,
            mlflow["url"],
            f"{live_server.url}/api/v1/mlflow/webhook/",
            SECRET,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr[-1500:]
    imported = wait_for(
        lambda: MlflowImport.objects.filter(model=model, registered_model="hook-gbm").first(),
        timeout=90,
    )
    assert imported.mlflow_version == "1"
    event = AuditEvent.objects.get(action="mlflow_link.sync_requested")
    assert event.actor is None and event.payload["registered_model"] == "hook-gbm"
    assert event.payload["mlflow_delivery"]


@pytest.mark.django_db
def test_deliveries_without_a_good_signature_are_refused(settings, client, scientist, model):
    url = "/api/v1/mlflow/webhook/"
    body = json.dumps(
        {"entity": "model_version", "action": "created", "data": {"name": "gbm", "version": "2"}}
    ).encode()
    settings.MLFLOW_WEBHOOK_SECRET = ""
    assert client.post(url, body, "application/json", **signed(body)).status_code == 404
    settings.MLFLOW_WEBHOOK_SECRET = SECRET
    mlflow_link_create(actor=scientist, model=model, registered_model="gbm")
    assert client.post(url, body, "application/json").status_code == 401
    wrong = client.post(url, body, "application/json", **signed(body, secret="guess"))
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "bad_signature"
    old = client.post(url, body, "application/json", **signed(body, when=int(time.time()) - 900))
    assert old.json()["error"]["code"] == "stale"
    headers = signed(body)
    tampered = client.post(url, body.replace(b'"2"', b'"3"'), "application/json", **headers)
    assert tampered.status_code == 401
    assert not AuditEvent.objects.filter(action="mlflow_link.sync_requested").exists()
    good = client.post(url, body, "application/json", **headers)
    assert good.status_code == 202 and len(good.json()["queued"]) == 1
    again = client.post(url, body, "application/json", **headers)
    assert again.status_code == 202 and again.json()["duplicate"] is True
    other = json.dumps({"entity": "registered_model", "action": "created", "data": {}}).encode()
    assert client.post(url, other, "application/json", **signed(other)).json()["queued"] == []
    bad = b"not json"
    assert client.post(url, bad, "application/json", **signed(bad)).status_code == 400
