"""Streaming uploads into content-addressed storage.

The upload handler writes each incoming chunk straight into a temporary file next to the blob
store while SHA-256 is computed, so a 2 GB artefact costs one pass over the bytes, one file
write and a constant amount of memory. Over the size limit it stops reading and the view
answers 413. Identical content is stored once: the final ``os.replace`` targets the hash's path.

With an object store (``OBJECT_STORE_BUCKET``) each chunk also goes, as it arrives, into a
multipart upload (one part in memory at a time); once the hash is known the upload is copied
inside the store to the hash's name, or dropped when that content is already stored. The
temporary file is what the request reads to recognise the format; it is removed when the
request ends.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import IntegrityError, transaction

from governance.kernel.errors import ServiceError
from governance.kernel.objectstore import MultipartUpload, blob_put_file, is_remote
from registry.models import Blob

CHUNK = 1024 * 1024


def incoming_dir() -> Path:
    path = Path(settings.BLOB_ROOT) / ".incoming"
    path.mkdir(parents=True, exist_ok=True)
    return path


class HashedUploadedFile(UploadedFile):
    """An uploaded file already on disk in the blob volume, with its hash and size known."""

    def __init__(
        self,
        name: str,
        content_type: str,
        charset,
        path: str,
        sha256: str,
        size: int,
        remote: MultipartUpload | None = None,
    ):
        super().__init__(open(path, "rb"), name, content_type, size, charset)  # noqa: SIM115
        self.temporary_path = path
        self.sha256 = sha256
        # The bytes already in the object store under incoming/, when there is one.
        self.remote = remote

    def temporary_file_path(self) -> str:
        return self.temporary_path

    def close(self):
        # At the end of the request: bytes that no blob adopted leave the object store.
        if self.remote is not None and not self.remote.aborted:
            self.remote.abort()
        try:
            return self.file.close()
        except FileNotFoundError:
            pass


class HashingUploadHandler(FileUploadHandler):
    """Streams file fields to disk while hashing; enforces ``MAX_UPLOAD_BYTES``."""

    def __init__(self, request=None, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = max_bytes if max_bytes is not None else settings.MAX_UPLOAD_BYTES
        self.too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._digest = hashlib.sha256()
        self._size = 0
        fd, self._path = tempfile.mkstemp(dir=incoming_dir(), prefix="up-")
        self._fh = os.fdopen(fd, "wb")
        self._remote = MultipartUpload() if is_remote() else None

    def receive_data_chunk(self, raw_data, start):
        self._size += len(raw_data)
        if self._size > self.max_bytes:
            self._discard()
            self._mark_too_large()
            raise StopUpload(connection_reset=True)
        self._digest.update(raw_data)
        self._fh.write(raw_data)
        if self._remote is not None:
            self._remote.write(raw_data)
        return None

    def file_complete(self, file_size):
        self._fh.close()
        if self._remote is not None:
            self._remote.complete()
        return HashedUploadedFile(
            name=self.file_name,
            content_type=self.content_type,
            charset=self.charset,
            path=self._path,
            sha256=self._digest.hexdigest(),
            size=self._size,
            remote=self._remote,
        )

    def upload_interrupted(self):
        self._discard()

    def _discard(self):
        fh = getattr(self, "_fh", None)
        if fh is not None and not fh.closed:
            fh.close()
        path = getattr(self, "_path", None)
        if path and os.path.exists(path):
            os.unlink(path)
        remote = getattr(self, "_remote", None)
        if remote is not None:
            remote.abort()

    def _mark_too_large(self):
        self.too_large = True
        if self.request is not None:
            self.request.upload_too_large = True


@dataclass(frozen=True)
class StoredBlob:
    blob: Blob
    created: bool


def remote_upload(uploaded) -> MultipartUpload | None:
    """The object-store upload the handler already made of this file, if any."""
    return getattr(uploaded, "remote", None) if isinstance(uploaded, HashedUploadedFile) else None


def spool_to_incoming(uploaded) -> tuple[str, str, int]:
    """For files that did not come through HashingUploadHandler (e.g. tests, commands)."""
    if isinstance(uploaded, HashedUploadedFile):
        return uploaded.temporary_path, uploaded.sha256, uploaded.size
    digest = hashlib.sha256()
    size = 0
    fd, path = tempfile.mkstemp(dir=incoming_dir(), prefix="up-")
    with os.fdopen(fd, "wb") as out:
        uploaded.seek(0)
        for chunk in iter(lambda: uploaded.read(CHUNK), b""):
            size += len(chunk)
            if size > settings.MAX_UPLOAD_BYTES:
                out.close()
                os.unlink(path)
                raise ServiceError(
                    "file_too_large",
                    f"The file exceeds the limit of {settings.MAX_UPLOAD_BYTES} bytes.",
                    status_code=413,
                )
            digest.update(chunk)
            out.write(chunk)
    return path, digest.hexdigest(), size


def blob_store(
    *,
    temp_path: str,
    sha256: str,
    size: int,
    detected_format: str,
    remote: MultipartUpload | None = None,
) -> StoredBlob:
    """Move a hashed temporary file into the store, or drop it when the content exists.
    ``remote`` is the same bytes already streamed into the object store by the upload
    handler: it is renamed there instead of uploading the file again."""
    if remote is not None:
        remote.adopt(sha256)
        os.unlink(temp_path)
    else:
        blob_put_file(temp_path=temp_path, sha256=sha256, size=size)
    existing = Blob.objects.filter(sha256=sha256).first()
    if existing is not None:
        return StoredBlob(existing, False)
    try:
        with transaction.atomic():
            blob = Blob.objects.create(sha256=sha256, size=size, detected_format=detected_format)
    except IntegrityError:
        # Another request stored the same content at the same moment: use its row.
        return StoredBlob(Blob.objects.get(sha256=sha256), False)
    return StoredBlob(blob, True)
