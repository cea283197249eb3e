"""Request-scoped context: a request id for logs and audit events, and a strict CSP."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Work that this request queued but could not hand to the broker (see governance.jobs).
_delayed_work: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "delayed_work", default=None
)
DELAYED_HEADER = "X-Delayed-Work"


def note_delayed_work(description: str) -> None:
    """Record, for the response's ``X-Delayed-Work`` header, work that will start late."""
    delayed = _delayed_work.get()
    if delayed is not None:
        delayed.append(description)


def current_request_id() -> str:
    """The id of the request (or task) being served, '' outside of one."""
    return _request_id.get()


def bind_request_id(value: str) -> contextvars.Token:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


class RequestIdMiddleware:
    """Gives every request an id, taken from a well-formed ``X-Request-ID`` or made fresh.

    The id travels into every AuditEvent written while serving the request and is echoed in
    the response so a client can quote it when asking what happened. When the request queued
    background work that could not reach the task queue, ``X-Delayed-Work`` names it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = bind_request_id(request_id)
        delayed_token = _delayed_work.set([])
        try:
            response = self.get_response(request)
            delayed = _delayed_work.get()
        finally:
            reset_request_id(token)
            _delayed_work.reset(delayed_token)
        response["X-Request-ID"] = request_id
        if delayed:
            response[DELAYED_HEADER] = (
                "task queue unreachable; queued until it returns: " + ", ".join(delayed)
            )[:1000]
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class ContentSecurityPolicyMiddleware:
    """No inline script anywhere: scripts and styles come from our own origin only."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'; object-src 'none'"
    )
    # The interactive API docs page loads its own bundled assets and needs inline bootstrapping.
    RELAXED_PREFIXES = ("/api/v1/docs/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.RELAXED_PREFIXES):
            response.setdefault("Content-Security-Policy", self.policy())
        return response

    def policy(self) -> str:
        issuer = urlsplit(settings.OIDC_ISSUER) if settings.OIDC_ISSUER else None
        if issuer is None or not issuer.netloc:
            return self.POLICY
        # Signing out and re-authenticating post a form here that the browser then follows to
        # the identity provider; form-action applies to such redirects too.
        origin = f"{issuer.scheme}://{issuer.netloc}"
        return self.POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached (restarting, failing over) answers 503 with a reason
    and a Retry-After, in JSON for the API, instead of a bare 500. Connections are re-opened
    on the next request (``CONN_HEALTH_CHECKS``), so nothing needs restarting afterwards."""

    RETRY_AFTER_SECONDS = 5
    MESSAGE = "The database cannot be reached at the moment; nothing was changed. Retry shortly."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):

        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logging.getLogger(__name__).error("database unavailable: %s", exception)
        for conn in connections.all(initialized_only=True):
            conn.close_if_unusable_or_obsolete()
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"error": {"code": "database_unavailable", "message": self.MESSAGE}}, status=503
            )
        else:
            response = HttpResponse(self.MESSAGE, status=503, content_type="text/plain")
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
