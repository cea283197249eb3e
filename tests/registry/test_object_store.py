"""Blobs in an S3-compatible bucket (moto's server over HTTP): uploads stream into a
multipart upload while hashed with flat memory, identical content is stored once, refused
uploads leave nothing behind, and a real worker reads the model and data of a check from the
bucket with a disk of its own."""

from __future__ import annotations

import hashlib
import http.client
import os
import tracemalloc
import uuid

import pytest
from django.conf import settings
from django.test import override_settings

from audits.runs.models.checks import CheckRun
from governance.kernel.accounts.services import api_token_issue
from governance.kernel.objectstore import blob_name, blob_storage, is_remote
from registry.models import Blob, DatasetVersion, ModelVersion
from tests.conftest import ROOT, wait_for
from tests.registry.conftest import upload

MiB = 1024 * 1024


def bucket_keys(server, folder: str) -> dict[str, int]:
    storage = blob_storage()
    prefix = f"{storage.location}/{folder}".lstrip("/")
    found: dict[str, int] = {}
    pages = server.client().get_paginator("list_objects_v2")
    for page in pages.paginate(Bucket=storage.bucket_name, Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"]] = item["Size"]
    return found


def blob_key(sha256: str) -> str:
    storage = blob_storage()
    return f"{storage.location}/{blob_name(sha256)}".lstrip("/")


def in_flight_uploads(server) -> list[str]:
    storage = blob_storage()
    answer = server.client().list_multipart_uploads(
        Bucket=storage.bucket_name, Prefix=f"{storage.location}/incoming/".lstrip("/")
    )
    return [u["Key"] for u in answer.get("Uploads", [])]


def lightgbm_text(size: int) -> bytes:
    """A LightGBM text model's header followed by padding lines: recognised from its head,
    so the test measures the upload path, not parsing."""
    head = b"tree\nversion=v4\nnum_class=1\n"
    line = b"# padding line of a large model file .............................\n"
    return head + line * ((size - len(head)) // len(line))


def multipart_body(fields: dict[str, str], name: str, size: int, boundary: str):
    """A multipart/form-data body as a generator and its length, so neither side of the
    test holds the file in memory."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        for key, value in fields.items()
    ]
    head = (
        "".join(parts)
        + f'--{boundary}\r\nContent-Disposition: form-data; name="artefact"; filename="{name}"'
        + "\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    content = lightgbm_text(size)
    digest = hashlib.sha256(content).hexdigest()

    def chunks():
        yield head
        view = memoryview(content)
        for start in range(0, len(content), MiB):
            yield bytes(view[start : start + MiB])
        yield tail

    return chunks, len(head) + len(content) + len(tail), digest


@pytest.mark.django_db(transaction=True)
def test_a_large_upload_streams_into_the_bucket_with_flat_memory(
    s3_blobs, live_server, scientist, model
):
    token = api_token_issue(user=scientist, name="s3").raw
    boundary = uuid.uuid4().hex
    # The file is built once up front (outside the measurement) and sent in 1 MiB pieces.
    chunks, length, digest = multipart_body({"version": "big"}, "big.txt", 48 * MiB, boundary)
    host = live_server.url.removeprefix("http://")

    def send(chunks, length):
        connection = http.client.HTTPConnection(host, timeout=120)
        connection.request(
            "POST",
            f"/api/v1/models/{model.pk}/versions/",
            body=chunks(),
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(length),
            },
        )
        response = connection.getresponse()
        return response.status, response.read()

    def peak_of(chunks, length):
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            status, body = send(chunks, length)
            return status, body, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    # Each request thread's S3 client parses its service description once (about 12 MiB,
    # whatever the file): flat memory means the 48 MiB upload peaks no higher than a 6 MiB
    # one, and far below its own size.
    small, small_length, _ = multipart_body({"version": "small"}, "s.txt", 6 * MiB, boundary)
    with override_settings(OBJECT_STORE_PART_BYTES=5 * MiB):
        small_status, _, small_peak = peak_of(small, small_length)
        status, body, peak = peak_of(chunks, length)
    assert small_status == 201
    assert status == 201, body[:500]
    mv = ModelVersion.objects.get(model=model, version="big")
    assert mv.artefact.sha256 == digest and mv.artefact_format == "lightgbm_text"
    # Parts of 5 MiB, never the 48 MiB file: the web process's memory stays flat.
    assert peak < small_peak + 3 * MiB and peak < length * 2 / 3, (peak / MiB, small_peak / MiB)
    stored = bucket_keys(s3_blobs, "")
    assert stored[blob_key(digest)] == mv.artefact.size
    assert not [k for k in stored if "/incoming/" in k] and not in_flight_uploads(s3_blobs)


@pytest.mark.django_db
def test_identical_content_is_stored_once_in_the_bucket(
    s3_blobs, scientist, model, dataset, api, xgb_json_bytes, german_csv_bytes
):
    assert is_remote()
    client = api(scientist)
    for version in ("1", "2"):
        response = client.post(
            f"/api/v1/models/{model.pk}/versions/",
            {"version": version, "artefact": upload("m.json", xgb_json_bytes)},
            format="multipart",
        )
        assert response.status_code == 201, response.content
    first, second = ModelVersion.objects.filter(model=model).order_by("version")
    assert first.artefact_id == second.artefact_id
    sha = hashlib.sha256(xgb_json_bytes).hexdigest()
    stored = bucket_keys(s3_blobs, "")
    assert [k for k in stored if k.endswith(sha)] == [blob_key(sha)]
    assert not [k for k in stored if "/incoming/" in k]
    response = client.post(
        f"/api/v1/datasets/{dataset.pk}/versions/",
        {"version": "s3", "file": upload("g.csv", german_csv_bytes, "text/csv")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    dv = DatasetVersion.objects.get(pk=response.json()["id"])
    assert dv.row_count == 1000
    assert blob_key(dv.blob.sha256) in bucket_keys(s3_blobs, "")
    # The local copy a reader gets is checked against the hash it was stored under.
    assert hashlib.sha256(dv.blob.path.read_bytes()).hexdigest() == dv.blob.sha256
    assert dv.blob.path.is_relative_to(settings.BLOB_CACHE_DIR)


@pytest.mark.django_db
def test_refused_uploads_leave_nothing_in_the_bucket(s3_blobs, scientist, model, api):
    client = api(scientist)
    before = set(bucket_keys(s3_blobs, ""))
    garbage = client.post(
        f"/api/v1/models/{model.pk}/versions/",
        {"version": "x", "artefact": upload("m.bin", b"\x00 not a model " * 100)},
        format="multipart",
    )
    assert garbage.status_code == 400
    with override_settings(MAX_UPLOAD_BYTES=1000):
        big = client.post(
            f"/api/v1/models/{model.pk}/versions/",
            {"version": "y", "artefact": upload("m.txt", lightgbm_text(5000))},
            format="multipart",
        )
    assert big.status_code == 413
    assert set(bucket_keys(s3_blobs, "")) == before
    assert not in_flight_uploads(s3_blobs)
    assert not Blob.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_reads_the_model_and_data_from_the_bucket(
    s3_blobs, celery_worker_process, scientist, model_version, dataset_version, api
):
    """The worker has no access to the test process's files (its blob root and cache are
    its own): the check can only succeed by reading both inputs from the bucket."""
    if not settings.OBJECT_STORE_BUCKET:
        pytest.skip("the worker shares the bucket only when the whole pass runs on it")
    dataset_version.columns.filter(name="risk").update(role="target")
    response = api(scientist).post(
        f"/api/v1/model-versions/{model_version.pk}/checks/",
        {"kind": "performance", "dataset_version": dataset_version.pk},
        format="json",
    )
    assert response.status_code == 202, response.content
    run = wait_for(
        lambda: CheckRun.objects.filter(
            pk=response.json()["id"], status__in=["succeeded", "failed"]
        ).first(),
        timeout=120,
    )
    assert run.status == "succeeded", (run.error_code, run.error_message)
    worker_cache = ROOT / "var" / f"test-worker-disk-{os.getpid()}" / "blob-cache"
    cached = {p.name for p in worker_cache.rglob("*") if p.is_file()}
    assert {model_version.artefact.sha256, dataset_version.blob.sha256} <= cached
