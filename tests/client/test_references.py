"""The client registers artefacts by URI (and waits for their verification) and external
services, against a live server that fetches from a loopback file server."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
import xgboost as xgb
from aigov_client import Conflict

from tests.registry.artefact_server import ArtefactServer
from tests.registry.conftest import german_credit_path

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def xgb_json_bytes() -> bytes:
    df = pd.read_csv(german_credit_path()).head(300)
    model = xgb.XGBClassifier(n_estimators=5, max_depth=2).fit(
        df[["credit_amount", "duration", "age"]], df["risk"]
    )
    return bytes(model.get_booster().save_raw(raw_format="json"))


@pytest.fixture
def served(settings, xgb_json_bytes):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with ArtefactServer({"/gbm.json": xgb_json_bytes, "/other.json": xgb_json_bytes}) as server:
        yield server


def test_register_by_uri_waits_for_verification(login, served, xgb_json_bytes):
    client = login("scientist")
    model = client.ensure_model(client.ensure_system("Scoring"), "gbm")
    sha = hashlib.sha256(xgb_json_bytes).hexdigest()
    mv = client.register_model_version_by_uri(
        model, "1.0", served.url("/gbm.json"), sha256=sha, wait=60
    )
    assert mv.artefact.verification == "verified"
    assert mv.artefact.sha256 == sha
    assert mv.artefact.format == "xgboost_json"
    # Idempotent per label and URI; another URI under the same label is a conflict.
    again = client.register_model_version_by_uri(model, "1.0", served.url("/gbm.json"))
    assert again.id == mv.id
    assert served.requests == ["/gbm.json"]
    with pytest.raises(Conflict):
        client.register_model_version_by_uri(model, "1.0", served.url("/other.json"))

    bad = client.register_model_version_by_uri(
        model, "2.0", served.url("/gbm.json"), sha256="f" * 64, wait=60
    )
    assert bad.artefact.verification == "failed"
    assert "not the declared" in bad.artefact.verification_error
    gate = client.gate(bad, environment="dev")
    assert gate.allowed is False
    assert [r.code for r in gate.reasons] == ["artefact_failed_verification"]


def test_register_external_service(login):
    client = login("scientist")
    model = client.ensure_model(client.ensure_system("Assistant"), "chat")
    mv = client.register_external_service(
        model,
        "2026-05",
        provider="Example AI",
        model_id="example-large",
        service_version="2026-05-01",
        terms_url="https://example.org/terms",
    )
    assert mv.external_service == {
        "provider": "Example AI",
        "model_id": "example-large",
        "version": "2026-05-01",
        "terms_url": "https://example.org/terms",
    }
    assert mv.artefact.sha256 is None and mv.artefact.source == "external_service"
    same = client.register_external_service(
        model,
        "2026-05",
        provider="Example AI",
        model_id="example-large",
        service_version="2026-05-01",
        terms_url="https://example.org/terms",
    )
    assert same.id == mv.id
    with pytest.raises(Conflict):
        client.register_external_service(model, "2026-05", provider="Other", model_id="x")
