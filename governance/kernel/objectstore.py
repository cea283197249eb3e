"""Where stored files live: local disk (the embedded default) or an S3-compatible bucket.

Blobs are named by their SHA-256 (``ab/cd/<sha256>``) in the ``blobs`` storage of
``STORAGES``. On local disk a blob's file is the blob. On an object store:

- an upload streams into a multipart upload under ``incoming/`` while it is hashed (one part
  in memory at a time), and when its hash is known it is copied inside the store to its
  final name, or dropped when that content is already there (identical content is stored
  once);
- a file written by the server itself (a report, a chart, a fetched artefact) is uploaded
  from its temporary file in parts, unless the content is already stored;
- a process that needs a blob as a file (a worker running a check, profiling) downloads it
  once into ``BLOB_CACHE_DIR``, verifying the hash as the bytes arrive; the web process and
  the workers share no disk.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import tempfile
import uuid
from pathlib import Path
from typing import BinaryIO

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages

CHUNK = 1024 * 1024


def blob_storage() -> Storage:
    return storages["blobs"]


def is_remote() -> bool:
    """True when blobs live in an object store rather than on this machine's disk."""
    return not isinstance(blob_storage(), FileSystemStorage)


def blob_name(sha256: str) -> str:
    # Two levels of fan-out keep directories (and listings) small with millions of blobs.
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _key(storage, name: str) -> str:
    location = (storage.location or "").strip("/")
    return posixpath.join(location, name) if location else name


def _client(storage):
    return storage.connection.meta.client


def _transfer_config():
    from boto3.s3.transfer import TransferConfig  # noqa: PLC0415  (boto3 loads slowly)

    part = settings.OBJECT_STORE_PART_BYTES
    return TransferConfig(
        multipart_threshold=part, multipart_chunksize=part, max_concurrency=2, use_threads=True
    )


def _missing(exc: ClientError) -> bool:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound"}


def blob_exists(sha256: str) -> bool:
    storage = blob_storage()
    if not is_remote():
        return os.path.isfile(storage.path(blob_name(sha256)))
    try:
        _client(storage).head_object(
            Bucket=storage.bucket_name, Key=_key(storage, blob_name(sha256))
        )
    except ClientError as exc:
        if _missing(exc):
            return False
        raise
    return True


def blob_open(sha256: str) -> BinaryIO:
    """A stream of the blob's bytes (FileNotFoundError when it is not stored)."""
    storage = blob_storage()
    if not is_remote():
        return open(storage.path(blob_name(sha256)), "rb")
    try:
        answer = _client(storage).get_object(
            Bucket=storage.bucket_name, Key=_key(storage, blob_name(sha256))
        )
    except ClientError as exc:
        if _missing(exc):
            raise FileNotFoundError(f"blob {sha256} is not in the object store") from exc
        raise
    return answer["Body"]


def blob_read_bytes(sha256: str) -> bytes:
    with blob_open(sha256) as fh:
        return fh.read()


def blob_delete(sha256: str) -> None:
    """Remove a blob's bytes and this machine's copy of them (fault drills and tests; rows
    keep pointing at it)."""
    blob_storage().delete(blob_name(sha256))
    if is_remote():
        Path(settings.BLOB_CACHE_DIR, blob_name(sha256)).unlink(missing_ok=True)


def blob_local_path(sha256: str) -> Path:
    """A file on this machine with the blob's bytes; a path that does not exist when the
    blob is not stored. On an object store the copy is downloaded once into
    ``BLOB_CACHE_DIR`` and its hash checked before it is used."""
    storage = blob_storage()
    if not is_remote():
        return Path(storage.path(blob_name(sha256)))
    cached = Path(settings.BLOB_CACHE_DIR) / blob_name(sha256)
    if cached.is_file():
        return cached
    cached.parent.mkdir(parents=True, exist_ok=True)
    try:
        body = blob_open(sha256)
    except FileNotFoundError:
        return cached
    digest = hashlib.sha256()
    fd, temp = tempfile.mkstemp(dir=cached.parent, prefix=".down-")
    try:
        with os.fdopen(fd, "wb") as out, body:
            for chunk in iter(lambda: body.read(CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise OSError(f"blob {sha256} in the object store does not match its hash")
        os.chmod(temp, 0o440)
        os.replace(temp, cached)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return cached


def blob_put_file(*, temp_path: str, sha256: str, size: int) -> None:
    """Store a hashed temporary file under its hash; the temporary file is gone afterwards.
    Content already stored is not written again."""
    storage = blob_storage()
    name = blob_name(sha256)
    if not is_remote():
        final = Path(storage.path(name))
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists() and final.stat().st_size == size:
            os.unlink(temp_path)
        else:
            os.chmod(temp_path, 0o440)
            os.replace(temp_path, final)
        return
    try:
        if not blob_exists(sha256):
            _client(storage).upload_file(
                temp_path, storage.bucket_name, _key(storage, name), Config=_transfer_config()
            )
    finally:
        os.unlink(temp_path)


class MultipartUpload:
    """Bytes streamed into the object store under ``incoming/`` as they arrive: one part
    (``OBJECT_STORE_PART_BYTES``) in memory at a time. ``adopt`` gives the finished upload
    its content-addressed name; ``abort`` drops it."""

    def __init__(self) -> None:
        self.storage = blob_storage()
        self.client = _client(self.storage)
        self.bucket = self.storage.bucket_name
        self.key = _key(self.storage, f"incoming/{uuid.uuid4().hex}")
        self.part_bytes = settings.OBJECT_STORE_PART_BYTES
        self.upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key)[
            "UploadId"
        ]
        self.parts: list[dict] = []
        self.pending: list[bytes] = []
        self.pending_bytes = 0
        self.completed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.pending.append(bytes(data))
        self.pending_bytes += len(data)
        if self.pending_bytes >= self.part_bytes:
            body = b"".join(self.pending)
            self.pending, self.pending_bytes = [], 0
            whole = len(body) - len(body) % self.part_bytes
            if whole == len(body) == self.part_bytes:
                self._send(body)
            else:
                for start in range(0, whole, self.part_bytes):
                    self._send(body[start : start + self.part_bytes])
            if whole < len(body):
                self.pending, self.pending_bytes = [body[whole:]], len(body) - whole

    def _send(self, body: bytes) -> None:
        number = len(self.parts) + 1
        answer = self.client.upload_part(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            PartNumber=number,
            Body=body,
        )
        self.parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def complete(self) -> None:
        if self.pending or not self.parts:
            self._send(b"".join(self.pending))
            self.pending, self.pending_bytes = [], 0
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )
        self.completed = True

    def abort(self) -> None:
        if self.aborted:
            return
        self.aborted = True
        self.pending, self.pending_bytes = [], 0
        if self.completed:
            self.client.delete_object(Bucket=self.bucket, Key=self.key)
        else:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=self.upload_id
            )

    def adopt(self, sha256: str) -> None:
        """Name the finished upload by its hash (a copy inside the store), or drop it when
        that content is already stored."""
        if not blob_exists(sha256):
            self.client.copy(
                {"Bucket": self.bucket, "Key": self.key},
                self.bucket,
                _key(self.storage, blob_name(sha256)),
                Config=_transfer_config(),
            )
        self.client.delete_object(Bucket=self.bucket, Key=self.key)
        self.aborted = True
