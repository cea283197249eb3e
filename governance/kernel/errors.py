"""Domain refusals raised by services; the API and the pages turn them into 4xx answers.

A refusal's ``message`` is translated (``gettext``) where it is raised: the pages show it in
the reader's language, the API (always English) as it has always read. The ``code`` never
changes. A message that is kept (a job's error, an audit event) stays English."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import get_language, gettext

from governance.kernel.languages import DEFAULT_LANGUAGE


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


def vocabulary_term(english: str, label) -> str:
    """A value of a vocabulary (a status, a role, a tier, a kind) as a refusal names it.

    In English it is ``english``, the text the message always had: the API answers in English
    and its clients parse and log these messages. On a page read in another language it is
    ``label`` translated (a label the catalogues lack stays in English)."""
    if (get_language() or DEFAULT_LANGUAGE).split("-")[0] == DEFAULT_LANGUAGE:
        return english
    return gettext(str(label))


def named_value(value, choices, *, english: str | None = None) -> str:
    """``vocabulary_term`` for a stored value: in English the value as the API has always
    written it (or ``english`` when the message spelt it otherwise), on a page its label in
    ``choices`` (a ``TextChoices`` class or (value, label) pairs), translated."""
    label = dict(getattr(choices, "choices", choices)).get(value)
    english_text = str(value) if english is None else english
    return english_text if label is None else vocabulary_term(english_text, label)


def conflict_with_existing(model, *, lookup: dict[str, Any], code: str, message: str) -> Conflict:
    """The one shape of "that name is taken": a 409 that names the row holding it, so a client
    can fetch it (``existing_id``; None if the row vanished meanwhile)."""
    existing = model._default_manager.filter(**lookup).values("pk").first()
    return Conflict(code, message, existing_id=existing["pk"] if existing else None)


def create_or_conflict(model, *, lookup: dict[str, Any], code: str, message: str, **fields):
    """Create a row whose ``lookup`` values must be unique, or raise ``conflict_with_existing``.

    The database's unique constraint decides (two concurrent requests cannot both win); the
    savepoint keeps the caller's transaction usable after the refused insert.
    """
    try:
        with transaction.atomic():
            return model._default_manager.create(**lookup, **fields)
    except IntegrityError as exc:
        conflict = conflict_with_existing(model, lookup=lookup, code=code, message=message)
        if conflict.extra["existing_id"] is None:
            raise  # another constraint failed: not a duplicate
        raise conflict from exc
