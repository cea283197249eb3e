"""Upload throughput and server memory for a large artefact.

Streams a generated LightGBM-text artefact of SIZE_MB (default 1024) to a real gunicorn
worker over loopback with a streamed multipart body (the client never holds the file), then
prints MB/s and the worker's peak resident memory. Memory must stay flat: the server hashes
and writes each chunk as it arrives.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
import uuid

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import children, embedded_server, peak_rss_mb, token

CHUNK = 1024 * 1024


def artefact_chunks(size: int):
    yield b"tree\nversion=v4\nnum_class=1\n"
    line = b"# filler line so the artefact reaches the benchmark size.......\n"
    block = line * (CHUNK // len(line))
    sent = 0
    while sent < size:
        piece = block[: min(len(block), size - sent)]
        sent += len(piece)
        yield piece


def multipart(fields: dict[str, str], size: int, boundary: str, digest):
    for name, value in fields.items():
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="artefact"; '
        f'filename="big.txt"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    for chunk in artefact_chunks(size):
        digest.update(chunk)
        yield chunk
    yield f"\r\n--{boundary}--\r\n".encode()


class StreamBody:
    """A file-like view of the multipart generator with a known length, so the request has a
    Content-Length (WSGI servers do not accept chunked uploads) without holding the file."""

    def __init__(self, parts, length: int):
        self._parts = iter(parts)
        self._buffer = b""
        self._length = length

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            try:
                self._buffer += next(self._parts)
            except StopIteration:
                break
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def body_length(fields: dict[str, str], size: int, boundary: str) -> int:
    # The envelope of an empty artefact, plus the artefact's filler bytes.
    return sum(len(p) for p in multipart(fields, 0, boundary, hashlib.sha256())) + size


def main() -> None:
    size = int(float(os.environ.get("SIZE_MB", "1024")) * CHUNK)
    with embedded_server() as (url, proc):
        headers = {"Authorization": f"Bearer {token(url)}"}
        team = requests.get(f"{url}/api/v1/me/", headers=headers, timeout=30).json()["teams"][0]
        system = requests.post(
            f"{url}/api/v1/systems/",
            headers=headers,
            timeout=30,
            json={"team": team, "name": "bench"},
        ).json()
        model = requests.post(
            f"{url}/api/v1/models/",
            headers=headers,
            timeout=30,
            json={"system": system["id"], "name": "big"},
        ).json()
        worker = children(proc.pid)[0]
        rss_before = peak_rss_mb(worker)
        boundary = uuid.uuid4().hex
        digest = hashlib.sha256()
        fields = {"version": "1.0"}
        body = StreamBody(
            multipart(fields, size, boundary, digest), body_length(fields, size, boundary)
        )
        started = time.perf_counter()
        response = requests.post(
            f"{url}/api/v1/models/{model['id']}/versions/",
            data=body,
            timeout=900,
            headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        body_json = response.json()
        assert body_json["artefact"]["sha256"] == digest.hexdigest(), "hash mismatch"
        total = body_json["artefact"]["size"]
        print("upload benchmark (one gunicorn worker, loopback, streamed multipart)")
        fmt = body_json["artefact"]["format"]
        print(f"  artefact size           {total / CHUNK:10.1f} MB  ({fmt})")
        print(f"  wall time               {elapsed:10.2f} s")
        print(f"  throughput              {total / CHUNK / elapsed:10.1f} MB/s")
        print(f"  worker peak RSS before  {rss_before:10.1f} MB")
        print(f"  worker peak RSS after   {peak_rss_mb(worker):10.1f} MB  (flat = streaming)")
        print("  sha256 verified          yes")


if __name__ == "__main__":
    main()
