"""Dates and numbers in a report's language.

Snapshots hold dates as ISO 8601 strings and numbers as formatted strings, so the snapshot is
the same whatever the language. English reports print them as stored (as they always have, so
stored English reports re-render byte-identical); French and German reports print them the
local way: 22/11/2026 and 22.11.2026, 0,8123.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django import template
from django.utils import formats
from django.utils.translation import get_language

register = template.Library()

NUMBER = re.compile(r"^-?\d+\.\d+$")


def _local() -> bool:
    return (get_language() or "en").split("-")[0] != "en"


def _parse(value: str):
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None


@register.filter
def ldate(value):
    """An ISO date or time as a date: ``2026-11-22`` in English, local elsewhere."""
    text = "" if value is None else str(value)
    if not _local():
        return text[:10]
    parsed = _parse(text)
    return formats.date_format(parsed, "SHORT_DATE_FORMAT") if parsed else text[:10]


@register.filter
def ldatetime(value):
    """An ISO time to the minute: ``2026-11-22T03:00`` in English, local elsewhere."""
    text = "" if value is None else str(value)
    if not _local():
        return text[:16]
    parsed = _parse(text)
    if not isinstance(parsed, datetime):
        return text[:16]
    return formats.date_format(parsed, "SHORT_DATETIME_FORMAT")


@register.filter
def lnum(value):
    """A decimal number kept as text (``0.8123``) with the language's decimal separator."""
    text = "" if value is None else str(value)
    if not _local() or not NUMBER.match(text):
        return value
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))
