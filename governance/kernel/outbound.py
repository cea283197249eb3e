"""Outbound requests that cannot be pointed inside: webhook deliveries and artefact fetches.

A webhook URL is chosen by an admin, an artefact URI by whoever registers a model version, but
whatever it names, the worker connects to it: left
alone, ``http://127.0.0.1:6379/`` or ``http://169.254.169.254/`` (cloud metadata) would be
reached from inside the network, redirects would lead anywhere, and the recorded delivery
errors ("connection refused" vs "timed out") would map internal ports. So:

* https only, unless ``WEBHOOK_ALLOW_HTTP`` (development);
* the host is resolved once and every address it resolves to must be public: loopback,
  private, link-local, multicast, reserved, unspecified, shared (CGNAT) and IPv4-mapped or
  -translated forms of those are refused, unless ``WEBHOOK_ALLOWED_NETWORKS`` names them;
* the connection goes to the address that was checked (no second lookup an attacker's DNS
  could answer differently), with the URL's host in the Host header and as TLS SNI, and the
  certificate verified for that host;
* no redirects (a 3xx is a failed delivery), bounded connect and read time, at most
  ``WEBHOOK_MAX_RESPONSE_BYTES`` of the answer read;
* failures are recorded with a generic reason; the details go to the server log only.

``post`` delivers a webhook; ``get_streamed`` downloads a body (an artefact) in chunks under the
same rules, bounded in size and in total time.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from django.conf import settings

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class WebhookRefused(Exception):
    """The URL may not be called. ``reason`` is safe to show to the admin who configured it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked IP the connection goes to


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(n.strip(), strict=False) for n in settings.WEBHOOK_ALLOWED_NETWORKS
    ]


def _embedded_ipv4(ip: Address) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
        if ip in ipaddress.ip_network("64:ff9b::/96"):  # NAT64 well-known prefix
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_allowed(ip: Address) -> bool:
    """Public unicast addresses, or ones an admin listed in WEBHOOK_ALLOWED_NETWORKS."""
    if any(ip in network for network in _allowed_networks() if network.version == ip.version):
        return True
    inner = _embedded_ipv4(ip)
    if inner is not None and not address_allowed(inner):
        return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _resolve(host: str, port: int) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookRefused(f"The host {host!r} does not resolve.") from exc
    addresses = []
    for info in infos:
        text = info[4][0].split("%", 1)[0]  # drop an IPv6 zone id
        addresses.append(ipaddress.ip_address(text))
    if not addresses:
        raise WebhookRefused(f"The host {host!r} does not resolve.")
    return addresses


def check_url(url: str) -> Target:
    """Parse, resolve and vet a webhook URL; raise ``WebhookRefused`` with a reason."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookRefused("The URL is malformed.") from exc
    scheme = parts.scheme.lower()
    allowed_schemes = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if scheme not in allowed_schemes:
        raise WebhookRefused(
            "Webhook URLs must use https."
            if scheme == "http"
            else f"The scheme {scheme or '(none)'!r} is not allowed."
        )
    if parts.username or parts.password:
        raise WebhookRefused("Put credentials in the shared secret, not in the URL.")
    host = parts.hostname
    if not host:
        raise WebhookRefused("The URL has no host.")
    port = port or (443 if scheme == "https" else 80)
    addresses = _resolve(host, port)
    refused = [ip for ip in addresses if not address_allowed(ip)]
    if refused:
        # Every address must pass: otherwise the connection could pick the refused one.
        raise WebhookRefused(
            f"The host {host!r} resolves to an internal or reserved address ({refused[0]}); "
            "webhooks may only reach public addresses."
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, connect_timeout: float, read_timeout: float):
        super().__init__(target.host, target.port, timeout=connect_timeout)
        self._target, self._read_timeout = target, read_timeout

    def connect(self):
        self.sock = socket.create_connection(
            (self._target.address, self._target.port), timeout=self.timeout
        )
        self.sock.settimeout(self._read_timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, connect_timeout: float, read_timeout: float):
        super().__init__(
            target.host, target.port, timeout=connect_timeout, context=ssl.create_default_context()
        )
        self._target, self._read_timeout = target, read_timeout

    def connect(self):
        raw = socket.create_connection((self._target.address, self._target.port), self.timeout)
        # SNI and certificate check for the URL's host, on the socket to the checked address.
        self.sock = self._context.wrap_socket(raw, server_hostname=self._target.host)
        self.sock.settimeout(self._read_timeout)


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the HTTP status, None when nothing usable answered
    error: str  # generic, safe to store and show; empty on success
    refused: bool = False  # the URL may not be called at all: retrying cannot help

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


UNREACHABLE = "The endpoint could not be reached or did not answer in time."


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST ``body`` to a vetted webhook URL, pinned to the checked address."""
    try:
        target = check_url(url)
    except WebhookRefused as exc:
        return Outcome(None, f"Refused: {exc.reason}", refused=True)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    read_timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS)
    conn = connection_class(target, settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS, read_timeout)
    deadline = time.monotonic() + settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS + read_timeout
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        response = conn.getresponse()
        limit, read = settings.WEBHOOK_MAX_RESPONSE_BYTES, 0
        # Read (and discard) a bounded amount, so a receiver cannot stream forever.
        while read < limit and time.monotonic() < deadline:
            chunk = response.read(min(8192, limit - read))
            if not chunk:
                break
            read += len(chunk)
        status = response.status
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        logger.info("webhook to %s failed: %s: %s", target.host, type(exc).__name__, exc)
        return Outcome(None, UNREACHABLE)
    finally:
        conn.close()
    if 300 <= status < 400:
        return Outcome(status, f"HTTP {status}: redirects are not followed.")
    if not 200 <= status < 300:
        return Outcome(status, f"HTTP {status}.")
    return Outcome(status, "")


class FetchFailed(Exception):
    """A download did not complete. ``code`` is machine-readable, ``reason`` safe to show."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def get_streamed(
    url: str,
    sink: Callable[[bytes], None],
    *,
    max_bytes: int,
    total_seconds: float,
    headers: dict[str, str] | None = None,
) -> int:
    """GET a vetted URL, pinned to the checked address, handing the body to ``sink`` in chunks.

    At most ``max_bytes`` are read (an announced larger body is refused before reading) and the
    whole download must finish within ``total_seconds``. Returns the number of bytes read;
    raises ``FetchFailed`` with a generic reason otherwise.
    """
    try:
        target = check_url(url)
    except WebhookRefused as exc:
        raise FetchFailed("refused", f"Refused: {exc.reason}") from exc
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    read_timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS)
    conn = connection_class(target, settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS, read_timeout)
    deadline = time.monotonic() + total_seconds
    read = 0
    try:
        conn.request("GET", target.path, headers=headers or {})
        response = conn.getresponse()
        status = response.status
        if 300 <= status < 400:
            raise FetchFailed("redirect", f"HTTP {status}: redirects are not followed.")
        if not 200 <= status < 300:
            raise FetchFailed("http_status", f"HTTP {status}.")
        announced = response.getheader("Content-Length")
        if announced and announced.isdigit() and int(announced) > max_bytes:
            raise FetchFailed(
                "too_large", f"The file is {announced} bytes; the limit is {max_bytes} bytes."
            )
        while True:
            if time.monotonic() > deadline:
                raise FetchFailed(
                    "timeout", f"The download did not finish within {total_seconds:.0f} seconds."
                )
            chunk = response.read(1024 * 1024)
            if not chunk:
                break
            read += len(chunk)
            if read > max_bytes:
                raise FetchFailed("too_large", f"The file exceeds the limit of {max_bytes} bytes.")
            sink(chunk)
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        logger.info("download from %s failed: %s: %s", target.host, type(exc).__name__, exc)
        raise FetchFailed("unreachable", UNREACHABLE) from exc
    finally:
        conn.close()
    return read


# Query parameters that carry a credential in a pre-signed or token-bearing URL: AWS
# Signature Version 2 and 4, Google Cloud Storage, Azure shared access signatures, and the
# usual token names. Their values are never written to a record (what the URL names stays).
SECRET_QUERY_PARAMETERS = frozenset(
    name.lower()
    for name in (
        "X-Amz-Signature",
        "X-Amz-Credential",
        "X-Amz-Security-Token",
        "Signature",
        "AWSAccessKeyId",
        "X-Goog-Signature",
        "X-Goog-Credential",
        "GoogleAccessId",
        "sig",
        "token",
        "access_token",
        "id_token",
        "api_key",
        "apikey",
        "key",
        "secret",
        "password",
        "auth",
        "code",
    )
)
REDACTED = "REDACTED"


def url_without_secrets(url: str) -> str:
    """``url`` as it may be recorded and shown: a password in the authority and the values of
    credential-bearing query parameters replaced by ``REDACTED``; everything else (scheme,
    host, path, other parameters such as an expiry) kept byte for byte."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, has_password, _ = userinfo.partition(":")
        netloc = f"{user}:{REDACTED}@{host}" if has_password else netloc
    query = parts.query
    if query:
        fields = []
        for field in query.split("&"):
            name, has_value, _ = field.partition("=")
            secret = unquote_plus(name).lower() in SECRET_QUERY_PARAMETERS
            fields.append(f"{name}={REDACTED}" if secret and has_value else field)
        query = "&".join(fields)
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
