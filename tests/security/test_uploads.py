"""Hostile uploads: oversize, wrong content, path traversal, decompression and zip bombs,
truncated Parquet, non-UTF-8 CSV. Every answer is a 2xx or a 4xx with an error code, never a
500; stored names are basenames and blobs land under BLOB_ROOT."""

from __future__ import annotations

import io
import resource
import time
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.conf import settings

from governance.kernel.objectstore import is_remote
from registry.models import DatasetVersion, ModelVersion
from registry.services.versions import model_version_register
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db


def multipart(fields: dict[str, str], file_field: str, filename: bytes, content: bytes):
    """A hand-made multipart body: the test client would sanitise the filename itself."""
    boundary = "----governance-test-boundary"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '.encode()
        + b'filename="'
        + filename
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def parquet_bytes(table: pa.Table, **kwargs) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, **kwargs)
    return sink.getvalue()


def post_dataset(client, dataset, content: bytes, name: str = "data.csv", version: str = "1"):
    return client.post(
        f"/api/v1/datasets/{dataset.pk}/versions/",
        {"version": version, "file": upload(name, content)},
        format="multipart",
    )


def post_artefact(client, model, content: bytes, name: str = "model.bin", version: str = "1"):
    return client.post(
        f"/api/v1/models/{model.pk}/versions/",
        {"version": version, "artefact": upload(name, content)},
        format="multipart",
    )


def error_code(response) -> str:
    return response.json().get("error", {}).get("code", "")


def under_blob_root(path: Path) -> bool:
    """Stored under its hash in the blob store (on an object store: the local copy of it)."""
    root = settings.BLOB_CACHE_DIR if is_remote() else settings.BLOB_ROOT
    return path.resolve().is_relative_to(Path(root).resolve())


# --- size -----------------------------------------------------------------------------------
def test_oversize_is_413_on_both_endpoints(api, scientist, model, dataset, settings):
    settings.MAX_UPLOAD_BYTES = 4096
    client = api(scientist)
    big = b"a,b\n" + b"1,2\n" * 5000
    for response in (post_dataset(client, dataset, big), post_artefact(client, model, big)):
        assert response.status_code == 413, response.content
        assert error_code(response) == "file_too_large"
    # A declared length far above the limit is refused before the body is read.
    response = client.post(
        f"/api/v1/models/{model.pk}/versions/",
        data=b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413


# --- wrong content --------------------------------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.mark.parametrize("content", [PNG, b"", b"\x00\xff" * 500, b"%PDF-1.7\n" + b"x" * 100])
def test_wrong_content_dataset(api, scientist, dataset, content):
    response = post_dataset(api(scientist), dataset, content, name="data.csv")
    assert response.status_code < 500, response.content
    if response.status_code == 201:
        assert response.json()["profile_status"] in ("failed", "ready", "pending")
    else:
        assert response.status_code == 400 and error_code(response)


@pytest.mark.parametrize("content", [PNG, b"a,b\n1,2\n", b"\x00\xff" * 500, b"{not json"])
def test_wrong_content_artefact(api, scientist, model, content):
    response = post_artefact(api(scientist), model, content, name="model.onnx")
    assert response.status_code < 500, response.content
    if response.status_code == 201:
        body = response.json()
        # Unknown content is stored, never loaded, and not marked safe.
        assert body["artefact"]["format"] not in ("onnx",)

        assert not ModelVersion.objects.get(pk=body["id"]).artefact_safe
    else:
        assert response.status_code == 400 and error_code(response)


# --- filenames ------------------------------------------------------------------------------
HOSTILE_NAMES = [
    b"../../etc/passwd",
    b"/etc/passwd",
    b"..\\..\\windows\\system32\\config",
    b"evil\x00.csv",
    b"a/../../../../tmp/escape.csv",
]


@pytest.mark.parametrize("filename", HOSTILE_NAMES)
def test_path_traversal_dataset(api, scientist, dataset, german_csv_bytes, filename):

    body, content_type = multipart({"version": "1"}, "file", filename, german_csv_bytes)
    response = api(scientist).post(
        f"/api/v1/datasets/{dataset.pk}/versions/", data=body, content_type=content_type
    )
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        dv = DatasetVersion.objects.get(pk=response.json()["id"])
        name = dv.original_filename
        assert "/" not in name and "\\" not in name and "\x00" not in name and name != ".."
        assert under_blob_root(dv.blob.path) and dv.blob.path.exists()
    assert not Path("/tmp/escape.csv").exists()


@pytest.mark.parametrize("filename", HOSTILE_NAMES)
def test_path_traversal_artefact(api, scientist, model, xgb_json_bytes, filename):

    body, content_type = multipart({"version": "1"}, "artefact", filename, xgb_json_bytes)
    response = api(scientist).post(
        f"/api/v1/models/{model.pk}/versions/", data=body, content_type=content_type
    )
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        mv = ModelVersion.objects.get(pk=response.json()["id"])
        name = mv.artefact_filename
        assert "/" not in name and "\\" not in name and "\x00" not in name
        assert under_blob_root(mv.artefact.path) and mv.artefact.path.exists()


def test_service_keeps_only_the_basename(scientist, model, xgb_json_bytes):
    """Callers other than the HTTP parser (scripts, the demo) go through the same rule."""

    artefact = upload("model.json", xgb_json_bytes)
    artefact.name = "model.json"
    artefact._name = "../../../etc/model.json"  # what a careless caller could pass
    mv = model_version_register(actor=scientist, model=model, version="9", artefact=artefact)
    assert "/" not in mv.artefact_filename
    assert under_blob_root(mv.artefact.path)


# --- bombs ----------------------------------------------------------------------------------
def test_parquet_decompression_bomb(api, scientist, dataset, settings):
    settings.MAX_UNCOMPRESSED_DATA_BYTES = 1024 * 1024
    # 4 million identical values: ~32 MB decoded, a few KB on disk.
    table = pa.table({"x": np.zeros(4_000_000, dtype=np.int64), "s": ["a" * 50] * 4_000_000})
    content = parquet_bytes(table, compression="zstd")
    assert len(content) < 200_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    response = post_dataset(api(scientist), dataset, content, name="bomb.parquet")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert error_code(response) == "decompression_bomb"
    else:
        body = response.json()
        assert body["profile_status"] == "failed"
        assert "decompression_bomb" in body["profile_error"]
    assert grown_mb < 150, f"peak memory grew by {grown_mb:.0f} MB"


def test_zip_bomb_disguised_as_skops(api, scientist, model):
    """A skops-looking zip whose members expand to 200 MB: the web process reads the index
    only, so it answers at once with bounded memory and never loads the archive."""
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("schema.json", b'{"__class__": "x", "protocol": 1}' + b" " * 50_000_000)
        with zf.open("payload.bin", "w", force_zip64=True) as member:
            block = b"\x00" * (1 << 20)
            for _ in range(200):
                member.write(block)
    content = sink.getvalue()
    assert len(content) < 1_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = post_artefact(api(scientist), model, content, name="model.skops")
    elapsed = time.perf_counter() - started
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert response.status_code in (201, 400), response.content
    assert elapsed < 10, elapsed
    assert grown_mb < 100, f"peak memory grew by {grown_mb:.0f} MB"


def test_truncated_parquet(api, scientist, dataset, german_csv_bytes):
    import pandas as pd  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    frame = pd.read_csv(io.BytesIO(german_csv_bytes))
    content = parquet_bytes(pa.Table.from_pandas(frame))
    for cut in (len(content) // 2, len(content) - 5, 12):
        response = post_dataset(
            api(scientist), dataset, content[:cut], name="cut.parquet", version=f"c{cut}"
        )
        assert response.status_code in (201, 400), response.content
        if response.status_code == 201:
            assert response.json()["profile_status"] == "failed"


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "cp1252"])
def test_non_utf8_csv(api, scientist, dataset, encoding):
    text = "name,city,amount\n" + "".join(f"Jürgen Müller {i},Zürich,{i}\n" for i in range(200))
    response = post_dataset(
        api(scientist), dataset, text.encode(encoding), name="people.csv", version=encoding
    )
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert error_code(response)
    else:
        assert response.json()["profile_status"] in ("ready", "failed")
