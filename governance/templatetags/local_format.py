"""Dates and numbers in the active language, for the pages and the reports.

English keeps the ISO 8601 forms the pages and reports have always printed (2026-11-22,
2026-11-22 03:00; reports stored before languages existed must re-render byte-identical);
French and German print the local way: 22/11/2026 and 22.11.2026, decimal commas (0,8123).

Report snapshots hold dates as ISO strings and numbers as formatted strings, so the snapshot is
the same whatever the language; pages pass date and datetime objects.
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


@register.filter(expects_localtime=True)
def ldate(value):
    """A date (or the day of a time, or an ISO string of either): ``2026-11-22`` in English,
    local elsewhere."""
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT" if _local() else "Y-m-d")
    text = "" if value is None else str(value)
    if not _local():
        return text[:10]
    parsed = _parse(text)
    return formats.date_format(parsed, "SHORT_DATE_FORMAT") if parsed else text[:10]


@register.filter(expects_localtime=True)
def ldatetime(value):
    """A time to the minute: ``2026-11-22 03:00`` in English (an ISO string as stored,
    ``2026-11-22T03:00``), local elsewhere."""
    if isinstance(value, datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT" if _local() else "Y-m-d H:i")
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


@register.filter
def join_pairs(items) -> str:
    """``{"weasyprint": "63.1", "django": "5.1"}.items`` → ``weasyprint 63.1, django 5.1``: a
    list of names and values as one value of a translated sentence."""
    return ", ".join(f"{name} {value}" for name, value in items)
