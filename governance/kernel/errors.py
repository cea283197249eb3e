"""Domain refusals raised by services; the API and the pages turn them into 4xx answers."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule said no. ``code`` is machine-readable, ``message`` tells a person what to do."""

    status_code = 400

    def __init__(self, code: str, message: str, *, status_code: int | None = None, **extra):
        super().__init__(message)
        self.code = code
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        self.extra = extra


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    status_code = 409


class Forbidden(ServiceError):
    status_code = 403
