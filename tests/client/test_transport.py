"""The client's HTTP behaviour against a scripted local server: retries, backoff, Retry-After,
error mapping and streamed uploads. No database."""

from __future__ import annotations

import json
import socket
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aigov_client import (
    Client,
    Conflict,
    ConnectionFailed,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    Unauthorized,
    ValidationError,
)
from aigov_client.transport import FilePart, MultipartStream, RetryPolicy, retry_after_seconds


class Scripted(ThreadingHTTPServer):
    """Answers each request with the next scripted (status, headers, body); records them."""

    daemon_threads = True

    def __init__(self, script):
        self.script = list(script)
        self.seen: list[dict] = []
        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": dict(self.headers),
                "body": body,
                "at": time.monotonic(),
            }
        )
        status, headers, payload = (
            self.server.script.pop(0)
            if self.server.script
            else (
                500,
                {},
                {"error": {"code": "script_exhausted", "message": "no more answers"}},
            )
        )
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _answer


@pytest.fixture
def scripted():
    servers = []

    def start(*script):
        srv = Scripted(script)
        threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def client_for(srv, **kwargs) -> Client:
    kwargs.setdefault("backoff", 0.01)
    return Client(srv.url, "gov_abcd1234_secret", **kwargs)


ME = {"id": 1, "username": "ana", "role": "data_scientist", "teams": ["credit"]}


@pytest.mark.parametrize("status", [502, 503, 504, 429])
def test_transient_statuses_are_retried(scripted, status):
    srv = scripted((status, {}, {"error": {"code": "busy", "message": "later"}}), (200, {}, ME))
    me = client_for(srv).whoami()
    assert me.username == "ana" and me.teams == ["credit"]
    assert [r["path"] for r in srv.seen] == ["/api/v1/me/", "/api/v1/me/"]
    assert srv.seen[0]["headers"]["Authorization"] == "Bearer gov_abcd1234_secret"


def test_backoff_grows_exponentially_and_gives_up_with_the_last_error(scripted):
    busy = (503, {}, {"error": {"code": "unavailable", "message": "maintenance"}})
    srv = scripted(busy, busy, busy, busy)
    with pytest.raises(ServerError) as info:
        client_for(srv, retries=3, backoff=0.1).whoami()
    assert info.value.status == 503 and info.value.code == "unavailable"
    assert len(srv.seen) == 4
    gaps = [b["at"] - a["at"] for a, b in zip(srv.seen, srv.seen[1:], strict=False)]
    # 0.1, 0.2, 0.4 s plus at most 10 % jitter each.
    for gap, expected in zip(gaps, [0.1, 0.2, 0.4], strict=True):
        assert expected <= gap < expected * 1.1 + 0.15, gaps


def test_retry_after_is_respected(scripted):
    srv = scripted(
        (429, {"Retry-After": "1"}, {"error": {"code": "throttled", "message": "slow down"}}),
        (200, {}, ME),
    )
    client_for(srv, backoff=0.0).whoami()
    assert srv.seen[1]["at"] - srv.seen[0]["at"] >= 1.0


def test_429_after_every_retry_is_rate_limited(scripted):
    throttled = (429, {"Retry-After": "0"}, {"error": {"code": "throttled", "message": "no"}})
    srv = scripted(throttled, throttled)
    with pytest.raises(RateLimited):
        client_for(srv, retries=1).whoami()
    assert len(srv.seen) == 2


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (
            400,
            {"error": {"code": "invalid", "message": "bad", "fields": {"version": ["x"]}}},
            ValidationError,
        ),
        (401, {"error": {"code": "not_authenticated", "message": "who?"}}, Unauthorized),
        (403, {"error": {"code": "permission_denied", "message": "no"}}, PermissionDenied),
        (404, {"error": {"code": "not_found", "message": "none"}}, NotFound),
        (
            409,
            {"error": {"code": "duplicate_version", "message": "taken", "existing_id": 7}},
            Conflict,
        ),
    ],
)
def test_client_errors_map_to_exceptions_and_are_never_retried(scripted, status, body, cls):
    srv = scripted((status, {}, body), (200, {}, ME))
    with pytest.raises(cls) as info:
        client_for(srv).whoami()
    error = info.value
    assert error.status == status and error.code == body["error"]["code"]
    assert error.message == body["error"]["message"]
    assert len(srv.seen) == 1
    if cls is ValidationError:
        assert error.fields == {"version": ["x"]}
    if cls is Conflict:
        assert error.existing_id == 7


def test_non_json_error_bodies_still_raise_with_status(scripted):
    srv = scripted((500, {"Content-Type": "text/html"}, b"<h1>Server Error</h1>"))
    with pytest.raises(ServerError) as info:
        client_for(srv, retries=0).whoami()
    assert info.value.status == 500 and "Server Error" in info.value.message


def test_connection_errors_are_retried_then_reported():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port now: every attempt is refused.
    client = Client(f"http://127.0.0.1:{port}", "gov_x_y", retries=2, backoff=0.05)
    started = time.monotonic()
    with pytest.raises(ConnectionFailed, match="Cannot reach"):
        client.whoami()
    assert time.monotonic() - started >= 0.15  # waited 0.05 + 0.1 between the three attempts


def test_upload_is_streamed_with_a_length_and_sent_again_on_retry(scripted, tmp_path):
    artefact = tmp_path / "model.json"
    artefact.write_bytes(b'{"learner": {}, "version": [2, 1, 0]}' * 1000)
    row = {"id": 5}
    srv = scripted((503, {}, {"error": {"code": "busy", "message": "x"}}), (201, {}, row))
    client = client_for(srv)
    answer = client._http.request(
        "POST",
        "models/1/versions/",
        form={"version": "1.0"},
        files=[FilePart("artefact", "model.json", path=artefact)],
    )
    assert answer == row
    first, second = srv.seen
    # The whole body again (with a new boundary): the first was consumed by the failed send.
    assert len(first["body"]) == len(second["body"])
    assert artefact.read_bytes() in first["body"]
    assert second["headers"]["Content-Length"] == str(len(second["body"]))
    assert "Transfer-Encoding" not in second["headers"]
    assert artefact.read_bytes() in second["body"]
    assert b'name="version"\r\n\r\n1.0\r\n' in second["body"]


def test_multipart_stream_reads_in_small_blocks(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(bytes(range(256)) * 20000)
    stream = MultipartStream({"a": "b"}, [FilePart("file", "big.bin", path=path)])
    pieces = []
    while block := stream.read(8192):
        assert len(block) <= 8192
        pieces.append(block)
    body = b"".join(pieces)
    assert len(body) == len(stream)
    assert path.read_bytes() in body


@pytest.mark.parametrize(
    ("value", "expected"), [("7", 7.0), ("", None), (None, None), ("soon", None)]
)
def test_retry_after_values(value, expected):
    assert retry_after_seconds(value) == expected


def test_retry_after_http_date_and_cap():
    seconds = retry_after_seconds(formatdate(time.time() + 30, usegmt=True))
    assert 28 <= seconds <= 31
    policy = RetryPolicy(max_retry_after=5)

    class Fake:
        headers = {"Retry-After": "3600"}

    assert policy.delay(0, Fake()) == 5
