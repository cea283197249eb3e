"""Where stored files live: local disk (the embedded default) or an S3-compatible bucket.

Blobs are named by their SHA-256 (``ab/cd/<sha256>``) in the ``blobs`` storage of
``STORAGES``. On local disk a blob's file is the blob. On an object store:

- an upload streams into a multipart upload under ``incoming/`` while it is hashed (one part
  in memory at a time), and when its hash is known it is copied inside the store to its
  final name, or dropped when that content is already there (identical content is stored
  once);
- a file written by the server itself (a report, a chart, a fetched artefact) is uploaded
  from its temporary file in parts, unless the content is already stored;
- the web process reads an upload it is still judging (its format, its header, a small
  file's profile) by byte ranges of the incoming object (``ObjectReader``), never from a
  local copy;
- a process that needs a blob as a file (a worker running a check, profiling) downloads it
  once into ``BLOB_CACHE_DIR``, verifying the hash as the bytes arrive; the web process and
  the workers share no disk. The cache is kept under ``BLOB_CACHE_MAX_BYTES`` by removing the
  copies used least recently (see ``blob_cache_prune``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import os
import posixpath
import tempfile
import time
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
        return _get(storage, blob_name(sha256))[0]
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"blob {sha256} is not in the object store") from exc


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
    ``BLOB_CACHE_DIR`` and its hash checked before it is used; each use marks it recently
    used, and copies used least recently make room for a new one (``blob_cache_prune``)."""
    storage = blob_storage()
    if not is_remote():
        return Path(storage.path(blob_name(sha256)))
    cached = Path(settings.BLOB_CACHE_DIR) / blob_name(sha256)
    if _touch(cached):
        return cached
    try:
        body, size = _get(storage, blob_name(sha256))
    except FileNotFoundError:
        return cached
    with body:
        blob_cache_prune(room=size)
        cached.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        # Written under a temporary name and renamed when complete and verified: a reader
        # in another process sees the whole copy or none.
        fd, temp = tempfile.mkstemp(dir=cached.parent, prefix=DOWNLOAD_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out:
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


#: Name prefix of a copy still being downloaded into the cache.
DOWNLOAD_PREFIX = ".down-"
#: A download left behind this long (a worker killed mid-copy) is removed by the next prune.
STALE_DOWNLOAD_SECONDS = 24 * 3600
_PRUNE_LOCK = ".prune.lock"


def _get(storage, name: str):
    """The object's body and size (FileNotFoundError when it is not stored)."""
    try:
        answer = _client(storage).get_object(Bucket=storage.bucket_name, Key=_key(storage, name))
    except ClientError as exc:
        if _missing(exc):
            raise FileNotFoundError(f"{name} is not in the object store") from exc
        raise
    return answer["Body"], int(answer.get("ContentLength") or 0)


def _touch(path: Path) -> bool:
    """Mark a cached copy as just used (its modification time: access times are often not
    kept); False when there is no such copy. Done while no prune runs, so a copy found here
    is recent for every later prune."""
    root = Path(settings.BLOB_CACHE_DIR)
    if not path.is_file():
        return False
    with _prune_lock(root, shared=True):
        try:
            os.utime(path)
        except FileNotFoundError:
            return False
    return True


def blob_cache_prune(*, room: int = 0) -> int:
    """Remove the copies used least recently from ``BLOB_CACHE_DIR`` until the copies kept
    plus ``room`` bytes fit in ``BLOB_CACHE_MAX_BYTES``; returns the bytes freed.

    Safe with several workers on one machine: one prunes at a time (a lock file; the others
    skip, the cap is only exceeded by what they add meanwhile); a copy used in the last
    ``BLOB_CACHE_MIN_AGE_SECONDS`` is kept even over the cap, so a path just handed to a task
    is still there when it opens it; a copy removed while another process reads it stays
    readable through its open handle (POSIX), and copies being downloaded are only removed
    when a crash left them behind."""
    root = Path(settings.BLOB_CACHE_DIR)
    cap = settings.BLOB_CACHE_MAX_BYTES
    if cap <= 0 or not root.is_dir():
        return 0
    with _prune_lock(root) as locked:
        if not locked:
            return 0
        now = time.time()
        copies: list[tuple[float, int, str]] = []
        total = 0
        for path, stat in _cache_files(root):
            if os.path.basename(path).startswith(DOWNLOAD_PREFIX):
                if now - stat.st_mtime > STALE_DOWNLOAD_SECONDS:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(path)
                continue
            total += stat.st_size
            copies.append((stat.st_mtime, stat.st_size, path))
        freed = 0
        recent = now - settings.BLOB_CACHE_MIN_AGE_SECONDS
        for mtime, size, path in sorted(copies):
            if total - freed + room <= cap or mtime > recent:
                break
            # Used again since the listing: it is no longer the least recent.
            with contextlib.suppress(FileNotFoundError):
                if os.stat(path).st_mtime > mtime:
                    continue
                os.unlink(path)
                freed += size
        return freed


@contextlib.contextmanager
def _prune_lock(root: Path, *, shared: bool = False):
    """Shared: a use of a copy (waits for a prune to end). Exclusive: a prune (skipped,
    yielding False, while another prune or a use holds the lock)."""
    fd = os.open(root / _PRUNE_LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def _cache_files(root: Path):
    """(path, stat) of every file under the cache's two levels of folders."""
    for first in os.scandir(root):
        if not first.is_dir(follow_symlinks=False):
            continue
        for second in os.scandir(first.path):
            if not second.is_dir(follow_symlinks=False):
                continue
            for entry in os.scandir(second.path):
                with contextlib.suppress(FileNotFoundError):
                    if entry.is_file(follow_symlinks=False):
                        yield entry.path, entry.stat(follow_symlinks=False)


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
        self.size = 0
        self.completed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.pending.append(bytes(data))
        self.pending_bytes += len(data)
        self.size += len(data)
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

    def reader(self) -> BinaryIO:
        """The completed upload's bytes, read by byte ranges from the store (nothing is
        copied to this machine); seekable, so a detector can read the head and the tail."""
        if not self.completed:
            raise ValueError("the upload is not complete")
        return ObjectReader.open(self.client, self.bucket, self.key, self.size)

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


class ObjectReader(io.RawIOBase):
    """A read-only, seekable file over one stored object: each read is a ranged GET of the
    bytes asked for. ``open`` wraps it in a small read-ahead buffer, so the few-byte reads of
    a header walk cost one request per buffer, and large reads go through in one request."""

    BUFFER_BYTES = 256 * 1024

    def __init__(self, client, bucket: str, key: str, size: int) -> None:
        super().__init__()
        self.client, self.bucket, self.key, self.size = client, bucket, key, size
        self.requests = 0
        self._pos = 0

    @classmethod
    def open(cls, client, bucket: str, key: str, size: int) -> io.BufferedReader:
        return io.BufferedReader(cls(client, bucket, key, size), buffer_size=cls.BUFFER_BYTES)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise OSError("negative seek position")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer) -> int:
        want = min(len(buffer), self.size - self._pos)
        if want <= 0:
            return 0
        end = self._pos + want - 1
        self.requests += 1
        body = self.client.get_object(
            Bucket=self.bucket, Key=self.key, Range=f"bytes={self._pos}-{end}"
        )["Body"]
        view = memoryview(buffer)
        done = 0
        with body:
            while done < want:
                chunk = body.read(min(CHUNK, want - done))
                if not chunk:
                    break
                view[done : done + len(chunk)] = chunk
                done += len(chunk)
        if done < want:
            raise OSError(f"{self.key}: the store sent {done} of {want} bytes")
        self._pos += done
        return done
