"""Exceptions raised by the client.

Every failure the server reports keeps its machine-readable ``code`` and HTTP ``status`` so
that scripts can branch on them; the message is the server's, written for a person.
"""

from __future__ import annotations

from typing import Any


class ClientError(Exception):
    """Base class of everything this package raises on purpose."""


class ConfigurationError(ClientError):
    """No server URL or token could be found (arguments, environment, config file)."""


class ConnectionFailed(ClientError):
    """The server could not be reached, even after the retries."""


class WaitTimeout(ClientError):
    """A check or report did not finish within the time allowed."""


class ApiError(ClientError):
    """The API answered with an error.

    Attributes:
        status: HTTP status code.
        code: the API's machine-readable error code, e.g. ``duplicate_version``.
        message: the API's explanation.
        fields: per-field problems of a validation error (empty otherwise).
        details: any other keys of the error body, e.g. ``existing_id`` or ``reasons``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str = "error",
        fields: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.details = details or {}

    def __str__(self) -> str:
        text = f"{self.message} [{self.code}, HTTP {self.status}]"
        if self.fields:
            text += f" fields: {self.fields}"
        return text


class ValidationError(ApiError):
    """400: the request was refused; ``fields`` names each bad input when there are any."""


class Unauthorized(ApiError):
    """401: missing, wrong, expired or revoked token (or wrong password at login)."""


class PermissionDenied(ApiError):
    """403: your role may not do this."""


class NotFound(ApiError):
    """404: no such object, or you may not see it."""


class Conflict(ApiError):
    """409: the object exists already, or its state forbids the change.

    ``existing_id`` is the id of the object already holding the name or label, when the API
    gives it.
    """

    @property
    def existing_id(self) -> int | None:
        value = self.details.get("existing_id")
        return int(value) if value is not None else None


class RateLimited(ApiError):
    """429 after every retry was spent."""


class ServerError(ApiError):
    """5xx after every retry was spent."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: ValidationError,
    401: Unauthorized,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}


def error_from_response(status: int, body: Any, fallback_text: str = "") -> ApiError:
    """Build the matching :class:`ApiError` subclass from an error response."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        # Proxies and the web server itself answer with HTML or plain text.
        message = (fallback_text or "").strip()[:500] or f"HTTP {status}"
        error = {"code": "http_error", "message": message}
    extra = {k: v for k, v in error.items() if k not in {"code", "message", "fields"}}
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    fields = error.get("fields")
    return cls(
        str(error.get("message") or f"HTTP {status}"),
        status=status,
        code=str(error.get("code") or "error"),
        fields=fields if isinstance(fields, dict) else None,
        details=extra,
    )
