"""Streaming uploads into content-addressed storage.

On local disk the upload handler writes each incoming chunk straight into a temporary file
next to the blob store while SHA-256 is computed, so a 2 GB artefact costs one pass over the
bytes, one file write and a constant amount of memory; the final ``os.replace`` targets the
hash's path, so identical content is stored once.

With an object store (``OBJECT_STORE_BUCKET``) nothing of the upload is written to the web
process's disk: each chunk goes, as it arrives, into a multipart upload (one part in memory at
a time); the request then recognises the format, checks the header and profiles a small data
file by reading byte ranges of that incoming object, and once accepted it is copied inside
the store to the hash's name, or dropped when that content is already stored. Over the size
limit the handler stops reading and the view answers 413; a refused or broken-off upload is
aborted in the store.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.kernel.errors import ServiceError
from governance.kernel.objectstore import MultipartUpload, blob_put_file, is_remote
from registry.models import Blob

CHUNK = 1024 * 1024


def incoming_dir() -> Path:
    path = Path(settings.BLOB_ROOT) / ".incoming"
    path.mkdir(parents=True, exist_ok=True)
    return path


class HashedUploadedFile(UploadedFile):
    """An uploaded file with its hash and size known: a temporary file in the blob volume
    (local disk), or the bytes already in the object store under incoming/ (``remote``),
    read by byte ranges."""

    def __init__(
        self,
        name: str,
        content_type: str,
        charset,
        sha256: str,
        size: int,
        path: str | None = None,
        remote: MultipartUpload | None = None,
    ):
        stream = open(path, "rb") if path is not None else remote.reader()  # noqa: SIM115
        super().__init__(stream, name, content_type, size, charset)
        self.temporary_path = path
        self.sha256 = sha256
        self.remote = remote

    def close(self):
        # At the end of the request: bytes that no blob adopted leave the object store.
        if self.remote is not None and not self.remote.aborted:
            self.remote.abort()
        try:
            return self.file.close()
        except FileNotFoundError:
            pass


class HashingUploadHandler(FileUploadHandler):
    """Streams file fields to disk, or into the object store, while hashing; enforces
    ``MAX_UPLOAD_BYTES``. ``discard_unfinished`` drops a file cut off mid-way (a client
    that went away, a malformed body): the view calls it when the request ends."""

    def __init__(self, request=None, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = max_bytes if max_bytes is not None else settings.MAX_UPLOAD_BYTES
        self.too_large = False
        self._unfinished = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._digest = hashlib.sha256()
        self._size = 0
        self._fh = self._path = self._remote = None
        self._unfinished = True
        if is_remote():
            self._remote = MultipartUpload()
        else:
            fd, self._path = tempfile.mkstemp(dir=incoming_dir(), prefix="up-")
            self._fh = os.fdopen(fd, "wb")

    def receive_data_chunk(self, raw_data, start):
        self._size += len(raw_data)
        if self._size > self.max_bytes:
            self._discard()
            self._mark_too_large()
            raise StopUpload(connection_reset=True)
        self._digest.update(raw_data)
        if self._fh is not None:
            self._fh.write(raw_data)
        if self._remote is not None:
            self._remote.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self._fh is not None:
            self._fh.close()
        if self._remote is not None:
            self._remote.complete()
        self._unfinished = False
        return HashedUploadedFile(
            name=self.file_name,
            content_type=self.content_type,
            charset=self.charset,
            sha256=self._digest.hexdigest(),
            size=self._size,
            path=self._path,
            remote=self._remote,
        )

    def upload_interrupted(self):
        self._discard()

    def discard_unfinished(self) -> None:
        if self._unfinished:
            self._discard()

    def _discard(self):
        self._unfinished = False
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


@dataclass
class Incoming:
    """An upload hashed and held while it is judged: a local temporary file (``path``, on
    local disk) or the bytes under the object store's incoming/ (``remote``). ``source`` is
    what the detectors read; ``store`` keeps it as a blob; ``discard`` drops whatever is
    left (call it in a ``finally``)."""

    sha256: str
    size: int
    path: str | None = None
    remote: MultipartUpload | None = None
    _reader: BinaryIO | None = field(default=None, repr=False)

    @property
    def source(self) -> str | BinaryIO:
        if self.path is not None:
            return self.path
        if self._reader is None:
            self._reader = self.remote.reader()
        return self._reader

    def store(self, *, detected_format: str) -> StoredBlob:
        stored = blob_store(
            temp_path=self.path,
            sha256=self.sha256,
            size=self.size,
            detected_format=detected_format,
            remote=self.remote,
        )
        self.path = None
        return stored

    def discard(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self.path is not None and os.path.exists(self.path):
            os.unlink(self.path)
        self.path = None
        if self.remote is not None and not self.remote.aborted:
            self.remote.abort()


def _too_large() -> ServiceError:
    return ServiceError(
        "file_too_large",
        _("The file exceeds the limit of %(limit)s bytes.") % {"limit": settings.MAX_UPLOAD_BYTES},
        status_code=413,
    )


def spool_to_incoming(uploaded) -> Incoming:
    """The upload, hashed: as the handler left it, or (files that did not come through
    HashingUploadHandler: tests, commands) streamed the same way, into the object store
    when there is one and into a temporary file otherwise."""
    if isinstance(uploaded, HashedUploadedFile):
        return Incoming(
            uploaded.sha256, uploaded.size, path=uploaded.temporary_path, remote=uploaded.remote
        )
    digest = hashlib.sha256()
    size = 0
    uploaded.seek(0)
    chunks = iter(lambda: uploaded.read(CHUNK), b"")
    if is_remote():
        remote = MultipartUpload()
        try:
            for chunk in chunks:
                size += len(chunk)
                if size > settings.MAX_UPLOAD_BYTES:
                    raise _too_large()
                digest.update(chunk)
                remote.write(chunk)
            remote.complete()
        except BaseException:
            remote.abort()
            raise
        return Incoming(digest.hexdigest(), size, remote=remote)
    fd, path = tempfile.mkstemp(dir=incoming_dir(), prefix="up-")
    with os.fdopen(fd, "wb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > settings.MAX_UPLOAD_BYTES:
                out.close()
                os.unlink(path)
                raise _too_large()
            digest.update(chunk)
            out.write(chunk)
    return Incoming(digest.hexdigest(), size, path=path)


def blob_store(
    *,
    temp_path: str | None,
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
        if temp_path is not None:
            os.unlink(temp_path)
    else:
        blob_put_file(temp_path=temp_path, sha256=sha256, size=size)
    # One statement whether or not the content is known: the insert gives way to an existing
    # row (concurrent uploads of the same bytes included), which is then read. It replaced a
    # read, a savepoint, the insert and its release: four round trips on every registration.
    created_at = timezone.now()
    connection = connections[router.db_for_write(Blob)]
    with connection.cursor() as cursor:
        cursor.execute(
            _insert_blob_sql(connection.alias),
            [sha256, size, detected_format, connection.ops.adapt_datetimefield_value(created_at)],
        )
        row = cursor.fetchone()
    if row is None:
        return StoredBlob(Blob.objects.get(sha256=sha256), False)
    blob = Blob.from_db(
        connection.alias,
        ["id", *BLOB_COLUMNS],
        [row[0], sha256, size, detected_format, created_at],
    )
    return StoredBlob(blob, True)


BLOB_COLUMNS = ("sha256", "size", "detected_format", "created_at")


@functools.cache
def _insert_blob_sql(alias: str) -> str:
    """``INSERT ... ON CONFLICT (sha256) DO NOTHING RETURNING id`` for the blob table, names
    from the model's metadata (PostgreSQL, and SQLite from 3.35)."""
    qn = connections[alias].ops.quote_name
    meta = Blob._meta
    columns = [meta.get_field(name).column for name in BLOB_COLUMNS]
    return (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({qn(meta.get_field('sha256').column)}) DO NOTHING "
        f"RETURNING {qn(meta.pk.column)}"
    )
