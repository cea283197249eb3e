"""A worker's local copies of blobs read from the bucket stay under BLOB_CACHE_MAX_BYTES: the
copies used least recently go first, a copy just handed out or being read is never pulled
from under its reader, and a half-written copy is never served."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from governance.kernel import objectstore
from governance.kernel.objectstore import (
    DOWNLOAD_PREFIX,
    blob_cache_prune,
    blob_local_path,
    blob_name,
    blob_put_file,
)

KiB = 1024


def store(content: bytes) -> str:
    """Put bytes in the bucket as a blob; its hash."""
    sha = hashlib.sha256(content).hexdigest()
    fd, path = tempfile.mkstemp()
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    blob_put_file(temp_path=path, sha256=sha, size=len(content))
    return sha


def cached(sha: str) -> Path:
    return Path(settings.BLOB_CACHE_DIR) / blob_name(sha)


def cache_bytes() -> int:
    root = Path(settings.BLOB_CACHE_DIR)
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and p.parent != root)


def copies() -> set[str]:
    """The names of the complete copies in the cache."""
    root = Path(settings.BLOB_CACHE_DIR)
    return {p.name for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")}


def age(path: Path, seconds: float) -> None:
    """Mark a copy as last used ``seconds`` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.fixture
def blobs(s3_blobs, tmp_path):
    """Six distinct 100 KiB blobs in the bucket and an empty cache of this test's own."""
    with override_settings(BLOB_CACHE_DIR=str(tmp_path / "cache"), BLOB_CACHE_MIN_AGE_SECONDS=0):
        yield [store(bytes([n]) * 100 * KiB) for n in range(6)]


def test_the_copies_used_least_recently_make_room_under_the_cap(blobs):
    a, b, c, d, *_ = blobs
    with override_settings(BLOB_CACHE_MAX_BYTES=350 * KiB):
        for age_seconds, sha in zip((300, 200, 100), (a, b, c), strict=True):
            age(blob_local_path(sha), age_seconds)
        assert cache_bytes() == 300 * KiB
        # Using a again makes it the most recent: b is now the least recently used.
        assert blob_local_path(a) == cached(a)
        blob_local_path(d)
        assert not cached(b).exists()
        assert all(cached(sha).is_file() for sha in (a, c, d))
        assert cache_bytes() <= settings.BLOB_CACHE_MAX_BYTES
        # Each copy served is whole and checked against its hash.
        for sha in (a, c, d):
            assert hashlib.sha256(cached(sha).read_bytes()).hexdigest() == sha


def test_the_cap_holds_over_many_reads_and_removes_no_more_than_needed(blobs):
    with override_settings(BLOB_CACHE_MAX_BYTES=250 * KiB):
        for round_ in range(3):
            for n, sha in enumerate(blobs):
                age(blob_local_path(sha), 1000 - 10 * (round_ * 6 + n))
                assert cache_bytes() <= settings.BLOB_CACHE_MAX_BYTES
        # Two copies fit: the two used last are kept.
        assert copies() == set(blobs[-2:])


def test_recently_used_copies_are_kept_even_over_the_cap(blobs):
    a, b, c, *_ = blobs
    with override_settings(BLOB_CACHE_MAX_BYTES=150 * KiB, BLOB_CACHE_MIN_AGE_SECONDS=60):
        blob_local_path(a)
        blob_local_path(b)
        # a was handed to a task a moment ago: it may not have opened it yet.
        assert cached(a).is_file() and cached(b).is_file()
        age(cached(a), 120)
        blob_local_path(c)
        assert not cached(a).exists() and cached(b).is_file() and cached(c).is_file()


def test_no_cap_and_an_explicit_prune(blobs):
    with override_settings(BLOB_CACHE_MAX_BYTES=0):
        for sha in blobs:
            blob_local_path(sha)
        assert cache_bytes() == 600 * KiB
        assert blob_cache_prune() == 0
    with override_settings(BLOB_CACHE_MAX_BYTES=200 * KiB):
        for n, sha in enumerate(blobs):
            age(cached(sha), 100 - n)
        assert blob_cache_prune() == 400 * KiB
        assert copies() == set(blobs[-2:])


def test_a_copy_removed_while_it_is_read_stays_readable_to_its_reader(blobs):
    a, b, *_ = blobs
    with override_settings(BLOB_CACHE_MAX_BYTES=100 * KiB):
        with blob_local_path(a).open("rb") as reading:
            first = reading.read(10 * KiB)
            age(cached(a), 100)
            blob_local_path(b)  # evicts a while it is open
            assert not cached(a).exists()
            rest = reading.read()
        assert hashlib.sha256(first + rest).hexdigest() == a


def test_a_half_written_copy_is_never_served_and_a_stale_one_is_removed(blobs, monkeypatch):
    a = blobs[0]
    with override_settings(BLOB_CACHE_MAX_BYTES=10 * 1024 * KiB):
        folder = cached(a).parent
        folder.mkdir(parents=True)
        # What a worker killed mid-download leaves: a partial copy under a temporary name.
        stale = folder / f"{DOWNLOAD_PREFIX}killed"
        stale.write_bytes(b"\x00" * KiB)
        age(stale, objectstore.STALE_DOWNLOAD_SECONDS + 60)
        fresh = folder / f"{DOWNLOAD_PREFIX}running"
        fresh.write_bytes(b"\x00" * KiB)
        # A download that dies half-way leaves no copy under the blob's name.
        real_get = objectstore._get

        class Broken:
            def __init__(self, body):
                self.body, self.sent = body, 0

            def read(self, n=-1):
                if self.sent:
                    raise OSError("connection reset")
                self.sent += 1
                return self.body.read(10 * KiB)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.body.close()

        def broken_get(storage, name):
            body, size = real_get(storage, name)
            return Broken(body), size

        monkeypatch.setattr(objectstore, "_get", broken_get)
        with pytest.raises(OSError):
            blob_local_path(a)
        assert not cached(a).exists()
        monkeypatch.setattr(objectstore, "_get", real_get)
        path = blob_local_path(a)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == a
        assert not stale.exists() and fresh.exists()
        assert [p.name for p in folder.iterdir() if p.name.startswith(DOWNLOAD_PREFIX)] == [
            fresh.name
        ]


def test_concurrent_workers_on_one_machine_read_whole_copies_under_the_cap(blobs, monkeypatch):
    """Several readers (threads here: the lock is per open file, as between processes)
    fetch, use and evict copies at the same time; every read sees a whole, verified copy,
    and the cache ends under the cap."""
    errors: list[BaseException] = []
    evicted: list[int] = []
    real_prune = objectstore.blob_cache_prune

    def counting_prune(**kwargs):
        freed = real_prune(**kwargs)
        evicted.append(freed)
        return freed

    def worker(offset: int) -> None:
        try:
            for i in range(10):
                sha = blobs[(offset + i) % len(blobs)]
                with blob_local_path(sha).open("rb") as fh:
                    assert hashlib.sha256(fh.read()).hexdigest() == sha
                time.sleep(0.8)
        except BaseException as exc:
            errors.append(exc)

    monkeypatch.setattr(objectstore, "blob_cache_prune", counting_prune)
    # A copy handed out is opened at once; one not used for 1.2 s may go (generous, so
    # that a busy machine pausing a reader between getting the path and opening it does not
    # make the test fail). Pairs of readers go through the blobs in step, so they also fetch
    # the same blob at once.
    with override_settings(BLOB_CACHE_MAX_BYTES=250 * KiB, BLOB_CACHE_MIN_AGE_SECONDS=1.2):
        threads = [threading.Thread(target=worker, args=(n,)) for n in (0, 0, 3, 3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        assert sum(evicted) >= 100 * KiB  # copies were evicted while others were read
        for sha in blobs:
            if cached(sha).exists():
                age(cached(sha), 10)
        real_prune()
        assert cache_bytes() <= settings.BLOB_CACHE_MAX_BYTES
