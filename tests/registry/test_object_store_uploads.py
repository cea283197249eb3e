"""With a bucket, the web process keeps no copy of an upload on its disk: the bytes stream
into a multipart upload while hashed, the format, the header checks and a small data file's
profile read byte ranges of that incoming object, and every refusal (a format not
recognised, a label taken, too large, a body cut off) leaves nothing behind, neither in the
bucket nor on disk."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.test import Client, RequestFactory, override_settings
from django.urls import resolve

from governance.kernel.accounts.services import api_token_issue
from governance.kernel.objectstore import MultipartUpload, ObjectReader, is_remote
from registry.models import Blob, DatasetVersion, ModelVersion
from registry.services import datasets as dataset_services
from registry.services import versions as version_services
from tests.registry.conftest import upload
from tests.registry.test_object_store import (
    MiB,
    blob_key,
    bucket_keys,
    in_flight_uploads,
    lightgbm_text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_dirs(tmp_path, monkeypatch):
    """The folders an upload could be copied into on this machine, made private to the test:
    Django's upload temporary folder, the var tmp folder, tempfile's folder, the blob root
    (its incoming/ folder) and this process's blob cache."""
    folders = {
        "upload_temp": tmp_path / "upload-tmp",
        "tempfile": tmp_path / "tempfile",
        "blob_root": tmp_path / "blobs",
    }
    for folder in folders.values():
        folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folders["tempfile"]))
    with override_settings(
        FILE_UPLOAD_TEMP_DIR=str(folders["upload_temp"]), BLOB_ROOT=folders["blob_root"]
    ):
        watched = [*folders.values(), Path(settings.VAR_DIR) / "tmp", Path(settings.BLOB_CACHE_DIR)]
        yield Watch(watched)


class Watch:
    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders
        self.before = self.files()
        self.seen: list[tuple[str, dict[str, int]]] = []

    def files(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for folder in self.folders:
            for root, _dirs, names in os.walk(folder):
                for name in names:
                    path = os.path.join(root, name)
                    with contextlib.suppress(FileNotFoundError):
                        found[path] = os.path.getsize(path)
        return found

    def new_files(self) -> dict[str, int]:
        return {p: s for p, s in self.files().items() if p not in self.before}

    def probe(self, where: str) -> None:
        self.seen.append((where, self.new_files()))

    def spy(self, monkeypatch, module, name: str) -> None:
        real = getattr(module, name)

        def spying(*args, **kwargs):
            self.probe(name)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, spying)


def csv_of_size(german_csv_bytes: bytes, size: int) -> bytes:
    header, _, body = german_csv_bytes.partition(b"\n")
    rows = body if body.endswith(b"\n") else body + b"\n"
    return header + b"\n" + rows * (size // len(rows) + 1)


def test_an_upload_larger_than_memory_leaves_no_file_on_the_web_process_disk(
    s3_blobs, local_dirs, monkeypatch, scientist, model, dataset, api, german_csv_bytes
):
    assert is_remote()
    watch = local_dirs
    # Probes inside the request: when the whole body has arrived, and in each check that
    # reads the upload (format, header, columns, profile).
    real_complete = MultipartUpload.complete

    def completing(upload_self):
        watch.probe("body received")
        return real_complete(upload_self)

    monkeypatch.setattr(MultipartUpload, "complete", completing)
    watch.spy(monkeypatch, version_services, "detect_artefact_format")
    watch.spy(monkeypatch, dataset_services, "detect_data_format")
    watch.spy(monkeypatch, dataset_services, "read_column_names")
    watch.spy(monkeypatch, dataset_services, "_compute_profile")

    # What the checks read back from the store: ranges, not the whole artefact.
    ranges: list[int] = []
    real_readinto = ObjectReader.readinto

    def reading(reader_self, buffer):
        count = real_readinto(reader_self, buffer)
        ranges.append(count)
        return count

    monkeypatch.setattr(ObjectReader, "readinto", reading)

    artefact = lightgbm_text(3 * MiB)
    data = csv_of_size(german_csv_bytes, 3 * MiB)
    assert min(len(artefact), len(data)) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    assert len(data) <= settings.PROFILE_INLINE_MAX_BYTES  # profiled in the request
    client = api(scientist)
    response = client.post(
        f"/api/v1/models/{model.pk}/versions/",
        {"version": "big", "artefact": upload("m.txt", artefact)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert 0 < sum(ranges) <= 512 * 1024 and len(ranges) <= 4, ranges
    artefact_reads = sum(ranges)
    response = client.post(
        f"/api/v1/datasets/{dataset.pk}/versions/",
        {"version": "big", "file": upload("d.csv", data, "text/csv")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    # Format, encoding, header and the inline profile: a few passes over the data file
    # (the encoding is found once), never a copy of it.
    assert sum(ranges) - artefact_reads <= 4 * len(data), (len(ranges), sum(ranges))
    page = Client()
    page.force_login(scientist)
    response = page.post(
        f"/models/{model.pk}/versions/new/",
        {"version": "page", "artefact": upload("m2.txt", artefact + b"# page\n")},
    )
    assert response.status_code == 302, response.content[:500]

    probes = [where for where, _ in watch.seen]
    for where in (
        "body received",
        "detect_artefact_format",
        "detect_data_format",
        "read_column_names",
        "_compute_profile",
    ):
        assert where in probes
    assert [(where, files) for where, files in watch.seen if files] == []
    assert watch.new_files() == {}
    dv = DatasetVersion.objects.get(dataset=dataset, version="big")
    assert dv.row_count == data.count(b"\n") - 1 and dv.profile_status == "ready"
    mv = ModelVersion.objects.get(model=model, version="big")
    assert mv.artefact_format == "lightgbm_text"
    stored = bucket_keys(s3_blobs, "")
    assert {blob_key(dv.blob.sha256), blob_key(mv.artefact.sha256)} <= set(stored)
    assert not [k for k in stored if "/incoming/" in k] and not in_flight_uploads(s3_blobs)


def _nothing_left(s3_blobs, watch: Watch, keys_before: set[str]) -> None:
    assert set(bucket_keys(s3_blobs, "")) == keys_before
    assert not in_flight_uploads(s3_blobs)
    assert watch.new_files() == {}
    assert not Blob.objects.exists()


def test_refused_uploads_leave_nothing_in_the_bucket_or_on_disk(
    s3_blobs, local_dirs, scientist, model, dataset, api, german_csv_bytes
):
    before = set(bucket_keys(s3_blobs, ""))
    client = api(scientist)
    big = lightgbm_text(3 * MiB)
    # Not a model, not a data file, binary data where CSV is expected.
    refused = [
        client.post(
            f"/api/v1/models/{model.pk}/versions/",
            {"version": "x", "artefact": upload("m.bin", b"\x00 not a model " * 300_000)},
            format="multipart",
        ),
        client.post(
            f"/api/v1/datasets/{dataset.pk}/versions/",
            {"version": "x", "file": upload("d.csv", b"\x00\x01" * 2 * MiB, "text/csv")},
            format="multipart",
        ),
        client.post(
            f"/api/v1/datasets/{dataset.pk}/versions/",
            {"version": "x", "file": upload("d.csv", b"a,b\n", "text/csv")},
            format="multipart",
        ),
    ]
    assert [r.status_code for r in refused] == [400, 400, 400], [r.content for r in refused]
    assert [r.json()["error"]["code"] for r in refused] == [
        "unrecognised_artefact",
        "unsupported_format",
        "no_rows",
    ]
    page = Client()
    page.force_login(scientist)
    response = page.post(
        f"/models/{model.pk}/versions/new/",
        {"version": "p", "artefact": upload("m.bin", b"\x00 not a model " * 300_000)},
    )
    assert response.status_code == 400
    with override_settings(MAX_UPLOAD_BYTES=2 * MiB):
        too_large = [
            client.post(
                f"/api/v1/models/{model.pk}/versions/",
                {"version": "y", "artefact": upload("m.txt", big)},
                format="multipart",
            ),
            page.post(
                f"/models/{model.pk}/versions/new/",
                {"version": "y", "artefact": upload("m.txt", big)},
            ),
        ]
    assert [r.status_code for r in too_large] == [413, 413]
    _nothing_left(s3_blobs, local_dirs, before)


def test_a_label_already_taken_leaves_no_second_copy(
    s3_blobs, local_dirs, scientist, model, api, xgb_json_bytes
):
    client = api(scientist)
    first = client.post(
        f"/api/v1/models/{model.pk}/versions/",
        {"version": "1", "artefact": upload("m.json", xgb_json_bytes)},
        format="multipart",
    )
    assert first.status_code == 201
    keys = set(bucket_keys(s3_blobs, ""))
    again = client.post(
        f"/api/v1/models/{model.pk}/versions/",
        {"version": "1", "artefact": upload("m.txt", lightgbm_text(3 * MiB))},
        format="multipart",
    )
    assert again.status_code == 409
    assert set(bucket_keys(s3_blobs, "")) == keys
    assert not in_flight_uploads(s3_blobs)
    assert local_dirs.new_files() == {}


def _multipart(model_pk: int, content: bytes, boundary: str = "b0undary") -> bytes:
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\ncut\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="artefact"; filename="m.txt"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + content


class _GoneClient(io.RawIOBase):
    """A request body whose sender goes away after ``limit`` bytes: the server's read
    fails, as a WSGI server's does on a closed connection."""

    def __init__(self, data: bytes, limit: int) -> None:
        super().__init__()
        self._data, self._limit, self._pos = data, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._pos >= self._limit:
            raise OSError("the client closed the connection")
        chunk = self._data[self._pos : min(self._pos + len(buffer), self._limit)]
        buffer[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


@pytest.mark.parametrize("how", ["truncated", "connection_lost"])
@pytest.mark.parametrize("where", ["api", "page"])
def test_a_body_cut_off_mid_file_leaves_nothing(s3_blobs, local_dirs, scientist, model, how, where):
    before = set(bucket_keys(s3_blobs, ""))
    body = _multipart(model.pk, lightgbm_text(12 * MiB))  # more than one part
    api_url = f"/api/v1/models/{model.pk}/versions/"
    url = api_url if where == "api" else f"/models/{model.pk}/versions/new/"
    token = api_token_issue(user=scientist, name="cut").raw
    request = RequestFactory().post(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    sent = len(body) * 2 // 3
    # Announced in full; only two thirds arrive (or the connection fails there).
    environ = {
        **request.environ,
        "CONTENT_TYPE": "multipart/form-data; boundary=b0undary",
        "CONTENT_LENGTH": str(len(body)),
    }
    environ["wsgi.input"] = (
        io.BytesIO(body[:sent])
        if how == "truncated"
        else io.BufferedReader(_GoneClient(body, sent))
    )
    request = WSGIRequest(environ)
    request.user = scientist
    request._dont_enforce_csrf_checks = True
    view = resolve(url)
    try:
        response = view.func(request, *view.args, **view.kwargs)
    except OSError:
        response = None
    if response is not None:
        assert response.status_code in {400, 413}, response.status_code
    # What the end of the response does with the request's files (without the signal that
    # would close the test's database connection).
    request.close()
    _nothing_left(s3_blobs, local_dirs, before)
    assert not ModelVersion.objects.exists()
