"""JSON errors with a machine-readable code, for every failure of the API.

Shape: ``{"error": {"code": "...", "message": "...", "fields": {...}}}``. ``fields`` appears for
validation errors and names each bad input.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from governance.kernel.errors import ServiceError


class ApiError(exceptions.APIException):
    """An error with an explicit status, code and message, raised from views or services."""

    def __init__(self, status_code: int, code: str, message: str, **extra: Any):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.extra = extra


_DEFAULT_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


def _first_code(detail: Any) -> str | None:
    codes = detail
    while isinstance(codes, (list, dict)) and codes:
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return codes if isinstance(codes, str) else None


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        body = {"code": exc.code, "message": exc.message, **exc.extra}
        return Response({"error": body}, status=exc.status_code)
    if isinstance(exc, ApiError):
        body = {"code": exc.code, "message": exc.message, **exc.extra}
        return Response({"error": body}, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    status_code = response.status_code
    code = _DEFAULT_CODES.get(status_code, "error")
    body: dict[str, Any] = {"code": code}
    if isinstance(exc, exceptions.ValidationError):
        body["message"] = "The request has invalid fields."
        body["fields"] = exc.detail if isinstance(exc.detail, dict) else {"non_field": exc.detail}
        body["code"] = "invalid"
    else:
        detail = getattr(exc, "detail", str(exc))
        body["message"] = str(detail)
        specific = _first_code(exc.get_codes()) if hasattr(exc, "get_codes") else None
        if specific and specific not in {"error", "invalid"}:
            body["code"] = specific
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["retry_after_seconds"] = int(exc.wait)
    response.data = {"error": body}
    return response


def json_error_view(status_code: int, code: str, message: str):
    def view(request, *args, **kwargs):
        return JsonResponse({"error": {"code": code, "message": message}}, status=status_code)

    return view


server_error = json_error_view(
    status.HTTP_500_INTERNAL_SERVER_ERROR, "server_error", "Internal error; quote X-Request-ID."
)
