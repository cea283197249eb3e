"""HTTP with retries and streamed multipart uploads, on top of ``requests`` alone."""

from __future__ import annotations

import email.utils
import io
import json
import logging
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import requests

from aigov_client.errors import ConnectionFailed, error_from_response

log = logging.getLogger("aigov_client")

RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    Attempt ``n`` (0-based) waits ``backoff * 2**n`` seconds, at most ``max_backoff``, with up
    to 10 % jitter so that many CI jobs hitting a restarted server do not retry in lockstep. A
    ``Retry-After`` header from the server replaces that wait (at most ``max_retry_after``).
    4xx answers other than 429 are never retried: sending the same request again cannot fix
    them.
    """

    retries: int = 4
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 120.0

    def delay(self, attempt: int, response: requests.Response | None = None) -> float:
        if response is not None:
            after = retry_after_seconds(response.headers.get("Retry-After"))
            if after is not None:
                return min(after, self.max_retry_after)
        base = min(self.backoff * (2**attempt), self.max_backoff)
        return base + random.uniform(0, base * 0.1)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# --- multipart ------------------------------------------------------------------------------
@dataclass(frozen=True)
class FilePart:
    """A file field of a multipart body: from bytes in memory or from a path on disk."""

    field: str
    filename: str
    path: Path | None = None
    content: bytes | None = None
    content_type: str = "application/octet-stream"

    def size(self) -> int:
        return self.path.stat().st_size if self.path is not None else len(self.content or b"")

    def open(self) -> IO[bytes]:
        return self.path.open("rb") if self.path is not None else io.BytesIO(self.content or b"")


class MultipartStream:
    """A ``multipart/form-data`` body read piece by piece, so a multi-gigabyte artefact is sent
    from disk without being held in memory (``requests`` would build the whole body first).

    It knows its length in advance, so the request carries ``Content-Length`` and the server
    can refuse an oversized upload before reading it. It is deliberately not an ``io`` class:
    ``requests`` would call ``tell()`` on one, fail, and fall back to chunked encoding, which
    many WSGI servers refuse.
    """

    def __init__(self, fields: Mapping[str, str], files: list[FilePart]):
        self.boundary = uuid.uuid4().hex
        self._pieces: list[bytes | FilePart] = []
        for name, value in fields.items():
            self._pieces.append(
                self._header(f'form-data; name="{_quote(name)}"') + value.encode() + b"\r\n"
            )
        for part in files:
            disposition = (
                f'form-data; name="{_quote(part.field)}"; filename="{_quote(part.filename)}"'
            )
            self._pieces.append(self._header(disposition, part.content_type))
            self._pieces.append(part)
            self._pieces.append(b"\r\n")
        self._pieces.append(f"--{self.boundary}--\r\n".encode())
        self.length = sum(p.size() if isinstance(p, FilePart) else len(p) for p in self._pieces)
        self._iter: Iterator[bytes] = self._chunks()
        self._buffer = b""
        self._pos = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def _header(self, disposition: str, content_type: str | None = None) -> bytes:
        lines = [f"--{self.boundary}", f"Content-Disposition: {disposition}"]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def _chunks(self, size: int = 1024 * 1024) -> Iterator[bytes]:
        for piece in self._pieces:
            if isinstance(piece, bytes):
                yield piece
                continue
            with piece.open() as fh:
                while chunk := fh.read(size):
                    yield chunk

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(64 * 1024):
            yield chunk

    def read(self, n: int = -1) -> bytes:
        # An offset into the current chunk instead of re-slicing a growing buffer: the socket
        # asks for small blocks, and copying the rest of a 1 MiB chunk each time adds up.
        if n is None or n < 0:
            out = [self._buffer[self._pos :], *self._iter]
            self._buffer, self._pos = b"", 0
            return b"".join(out)
        if self._pos >= len(self._buffer):
            self._buffer, self._pos = next(self._iter, b""), 0
        out = self._buffer[self._pos : self._pos + n]
        self._pos += len(out)
        return out


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "").replace("\n", "")


# --- transport ------------------------------------------------------------------------------
class Transport:
    """Sends requests to ``{base_url}/api/v1/...`` and turns error answers into exceptions."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        user_agent: str = "ai-governance-client",
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_url = self.base_url + "/api/v1/"
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept"] = "application/json"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self._sleep = sleep

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        if path.startswith("/api/v1/"):
            return self.base_url + path
        return self.api_url + path.lstrip("/")

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        files: list[FilePart] | None = None,
        stream: bool = False,
        expect_json: bool = True,
    ) -> Any:
        """Send one request, retrying transient failures; return the decoded JSON body (or the
        raw response when ``expect_json`` is false)."""
        url = self.url(path)
        attempt = 0
        while True:
            kwargs: dict[str, Any] = {"params": params, "timeout": self.timeout, "stream": stream}
            headers: dict[str, str] = {}
            if files is not None:
                # A fresh body per attempt: the previous one was consumed by the failed send.
                body = MultipartStream(form or {}, files)
                headers["Content-Type"] = body.content_type
                headers["Content-Length"] = str(body.length)
                kwargs["data"] = body
            elif form is not None:
                kwargs["data"] = dict(form)
            elif json_body is not None:
                kwargs["json"] = json_body
            try:
                response = self.session.request(method, url, headers=headers, **kwargs)
            except requests.ConnectionError as exc:
                if attempt >= self.retry.retries:
                    raise ConnectionFailed(
                        f"Cannot reach {self.base_url} ({method} {path}): {exc}"
                    ) from exc
                delay = self.retry.delay(attempt)
                log.warning("%s %s: %s; retrying in %.1f s", method, path, exc, delay)
            else:
                if response.status_code < 400:
                    if not expect_json:
                        return response
                    if response.status_code == 204 or not response.content:
                        return None
                    return response.json()
                if response.status_code not in RETRY_STATUSES or attempt >= self.retry.retries:
                    raise _error(response)
                delay = self.retry.delay(attempt, response)
                log.warning(
                    "%s %s: HTTP %s; retrying in %.1f s", method, path, response.status_code, delay
                )
                response.close()
            attempt += 1
            self._sleep(delay)


def _error(response: requests.Response):
    try:
        body = response.json()
    except ValueError:
        body = None
    text = "" if body is not None else response.text
    return error_from_response(response.status_code, body, text)


def dumps_compact(value: Any) -> str:
    """JSON for multipart text fields (the API parses them as JSON text). NaN and infinity
    are refused here, with a Python traceback, rather than by the server as invalid JSON."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str, allow_nan=False)


def file_part_from_path(field: str, path: str | os.PathLike[str], filename: str | None = None):
    path = Path(path)
    return FilePart(field=field, filename=filename or path.name, path=path)
