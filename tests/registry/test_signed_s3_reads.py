"""Artefacts registered by ``s3://`` URI in a private bucket: the worker's read is signed
(AWS Signature Version 4) with keys from the environment or a named profile, against moto's
S3 server with signature checking on."""

from __future__ import annotations

import hashlib
import json

import boto3
import pytest

from registry.models import ModelVersion
from tests import object_store

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def private_bucket(xgb_json_bytes):
    """A server that checks signatures from its fourth request on; the first three create a
    user allowed to read and write S3, and its keys."""
    server = object_store.start(env={"INITIAL_NO_AUTH_ACTION_COUNT": "3"})
    try:
        iam = boto3.client(
            "iam",
            endpoint_url=server.endpoint,
            region_name=object_store.REGION,
            aws_access_key_id="bootstrap",
            aws_secret_access_key="bootstrap",
        )
        iam.create_user(UserName="reader")
        key = iam.create_access_key(UserName="reader")["AccessKey"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        }
        iam.put_user_policy(UserName="reader", PolicyName="s3", PolicyDocument=json.dumps(policy))
        s3 = server.client(key["AccessKeyId"], key["SecretAccessKey"])
        s3.create_bucket(Bucket="private-models")
        s3.put_object(Bucket="private-models", Key="credit/gbm.json", Body=xgb_json_bytes)
        yield server, key["AccessKeyId"], key["SecretAccessKey"]
    finally:
        server.stop()


@pytest.fixture
def s3_settings(settings, private_bucket):
    server, _, _ = private_bucket
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.ARTEFACT_S3_ENDPOINT = server.endpoint
    return settings


def fetch(api, scientist, model, capture, version: str) -> ModelVersion:
    with capture(execute=True):
        response = api(scientist).post(
            f"/api/v1/models/{model.pk}/versions/",
            {"version": version, "artefact_uri": "s3://private-models/credit/gbm.json"},
            format="json",
        )
    assert response.status_code == 201, response.content
    return ModelVersion.objects.get(pk=response.json()["id"])


def test_signed_reads_with_keys_from_the_environment(
    s3_settings,
    private_bucket,
    scientist,
    model,
    api,
    xgb_json_bytes,
    django_capture_on_commit_callbacks,
):
    _, access_key, secret_key = private_bucket
    unsigned = fetch(api, scientist, model, django_capture_on_commit_callbacks, "unsigned")
    assert unsigned.artefact_verification == "failed"
    assert "403" in unsigned.artefact_verification_error

    s3_settings.ARTEFACT_S3_ACCESS_KEY_ID = access_key
    s3_settings.ARTEFACT_S3_SECRET_ACCESS_KEY = "not-the-secret"
    wrong = fetch(api, scientist, model, django_capture_on_commit_callbacks, "wrong")
    assert wrong.artefact_verification == "failed"

    s3_settings.ARTEFACT_S3_SECRET_ACCESS_KEY = secret_key
    signed = fetch(api, scientist, model, django_capture_on_commit_callbacks, "signed")
    assert signed.artefact_verification == "verified", signed.artefact_verification_error
    assert signed.artefact.sha256 == hashlib.sha256(xgb_json_bytes).hexdigest()


def test_signed_reads_with_a_named_profile(
    s3_settings,
    private_bucket,
    scientist,
    model,
    api,
    tmp_path,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    _, access_key, secret_key = private_bucket
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[model-store]\naws_access_key_id = {access_key}\naws_secret_access_key = {secret_key}\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    s3_settings.ARTEFACT_S3_PROFILE = "model-store"
    signed = fetch(api, scientist, model, django_capture_on_commit_callbacks, "profile")
    assert signed.artefact_verification == "verified", signed.artefact_verification_error

    s3_settings.ARTEFACT_S3_PROFILE = "nobody"
    missing = fetch(api, scientist, model, django_capture_on_commit_callbacks, "no-profile")
    assert missing.artefact_verification == "failed"
    assert "'nobody' is not configured" in missing.artefact_verification_error
