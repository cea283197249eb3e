"""Sentences the registry computes from records, shown in English or in the reader's language.

A computed sentence is kept as a ``Phrase``: its English text with named placeholders (marked
with ``gettext_noop`` where it is written, for the catalogues) and the values to put in them.
The API, the audit trail and stored records take it in English (``shown(..., False)``); the
pages and reports take it in the active language (``shown(..., True)``), looked up whole in the
catalogues, then its values. English output is the sentence as it was always written.

A phrase that must be shown later (a notification read days after it was sent, perhaps by
someone whose language changed since) is stored as JSON (``phrase_json``) and read back with
``phrase_from_json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import formats
from django.utils.translation import get_language, gettext

from governance.kernel.languages import DEFAULT_LANGUAGE, language_or_default
from governance.kernel.sentences import Sentence, localize


class Label(str):
    """A label marked with ``gettext_noop`` where it is defined (a documentation section, a
    FRIA element, a choice's label): translated when shown."""


class Day(str):
    """A date (``2026-11-22``) or a time (``2026-11-22 03:00``) as English prints it; the
    local short form (``22/11/2026``, ``22.11.2026 03:00``) in another language."""


class Number(str):
    """A decimal number as English writes it (``2.5``); with the language's decimal separator
    in another language (``2,5``)."""


@dataclass(frozen=True)
class Stored:
    """A stored value, written as stored in English sentences, and as its label's
    translation when shown in another language."""

    value: str
    label: str


@dataclass(frozen=True)
class Joined:
    """Values shown one after the other (a list of labels, several sentences)."""

    items: tuple
    sep: str = ", "


@dataclass(frozen=True)
class Phrase:
    """A computed sentence: its English text with named placeholders and their values."""

    text: str
    params: dict[str, Any] = field(default_factory=dict)


def say(text: str, **params) -> Phrase:
    return Phrase(text, params)


def _english() -> bool:
    return language_or_default(get_language()) == DEFAULT_LANGUAGE


def _local_day(value: str) -> str:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:
        return formats.date_format(date(parsed.year, parsed.month, parsed.day), "SHORT_DATE_FORMAT")
    return formats.date_format(parsed, "SHORT_DATETIME_FORMAT")


def shown(value, localized: bool) -> str:
    """``value`` as text: in English as computed, or with ``localized`` in the active
    language (whole sentences looked up in the catalogues, then their values)."""
    if isinstance(value, Phrase):
        text = gettext(value.text) if localized else value.text
        if not value.params:
            return text
        return text % {k: shown(v, localized) for k, v in value.params.items()}
    if isinstance(value, Label):
        return gettext(value) if localized and value else str(value)
    if isinstance(value, Day):
        return _local_day(value) if localized and not _english() else str(value)
    if isinstance(value, Number):
        local = localized and not _english()
        return value.replace(".", formats.get_format("DECIMAL_SEPARATOR")) if local else str(value)
    if isinstance(value, Stored):
        return (
            value.value if _english() or not localized or not value.label else gettext(value.label)
        )
    if isinstance(value, Joined):
        return value.sep.join(shown(item, localized) for item in value.items)
    if isinstance(value, Sentence):  # the review policy's requirement texts
        return localize(value) if localized else str(value)
    return str(value)


def phrase_json(value) -> Any:
    """``value`` (a phrase and what it holds) as JSON that ``phrase_from_json`` reads back."""
    if isinstance(value, Phrase):
        return {
            "phrase": value.text,
            "params": {k: phrase_json(v) for k, v in value.params.items()},
        }
    if isinstance(value, Label):
        return {"label": str(value)}
    if isinstance(value, Day):
        return {"day": str(value)}
    if isinstance(value, Number):
        return {"number": str(value)}
    if isinstance(value, Stored):
        return {"stored": value.value, "label": value.label}
    if isinstance(value, Joined):
        return {"joined": [phrase_json(item) for item in value.items], "sep": value.sep}
    if isinstance(value, int | float):
        return value
    return str(value)


def phrase_from_json(data: Any):
    """The phrase ``phrase_json`` wrote; a plain value stays as it is."""
    if not isinstance(data, dict):
        return data
    if "phrase" in data:
        params = data.get("params") or {}
        return Phrase(str(data["phrase"]), {k: phrase_from_json(v) for k, v in params.items()})
    if "label" in data and "stored" in data:
        return Stored(str(data["stored"]), str(data["label"]))
    if "label" in data:
        return Label(data["label"])
    if "day" in data:
        return Day(data["day"])
    if "number" in data:
        return Number(data["number"])
    if "joined" in data:
        return Joined(
            tuple(phrase_from_json(i) for i in data["joined"]), str(data.get("sep", ", "))
        )
    return str(data)
