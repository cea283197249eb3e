"""Sentences the registry computes in English and shows in the reader's language.

A computed sentence is a record first: the API, the audit trail and kept states carry its
English text, the same whatever language the request, worker or command that computed it was
running in. Each one is also a ``Sentence``: that English text (it *is* a ``str``, so JSON,
comparisons and f-strings see only the English) which remembers its message id (English, with
named placeholders, marked with ``gettext_noop`` where it is written) and the values put into
it. A page or a report says it again in the active language with ``localize``.

The values are kept apart by what they are:

* plain values (names, numbers, run numbers, text people wrote or the registry recorded in
  English) are put in as they are, in every language;
* ``Term``: a word of a vocabulary (a tier, a role, a check kind, a model task, a status, a
  field's label). English shows it as it always has (often the stored key, ``high_risk``),
  other languages the translation of its label (``Term(label)`` alone: a marked label, which
  English shows as written);
* ``Day``: a date, ISO 8601 in English, the local short form elsewhere;
* ``Moment``: a date and time to the minute, likewise;
* ``Number``: a decimal number, with the language's decimal separator;
* ``Listing``: values one after the other (``, `` between them);
* another ``Sentence``, translated in turn.

``shown`` serves code that gives the same value to the API (English) and to a page or a report
(``localized``).

``sentence_data`` and ``sentence_from_data`` write a sentence as JSON and read it back, for
what keeps a computation to show it later (a notification read days after it was sent, perhaps
by someone whose language changed since; states stored before a sentence was kept with its data
simply show their English text).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.utils import formats
from django.utils.translation import get_language, gettext

from governance.kernel.languages import DEFAULT_LANGUAGE, language_or_default


class Sentence(str):
    """English text computed from ``msgid`` and ``params``, able to say itself again in
    another language."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, /, **params: Any) -> Sentence:
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid, text.params = msgid, params
        return text

    # Copies and pickles are made again from the message and its values.
    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Any]]:
        return (self.msgid,), self.params


class Term(str):
    """A word of a vocabulary inside a sentence: ``english`` as English prints it, ``label``
    (an English message id, marked where the vocabulary is defined) for other languages."""

    label: str

    def __new__(cls, label: str, english: str | None = None) -> Term:
        # A lazy label is taken as it reads when the sentence is written, as plain text is.
        label = str(label)
        word = super().__new__(cls, label if english is None else english)
        word.label = label
        return word

    def __getnewargs__(self) -> tuple[str, str]:
        return self.label, str(self)


class Day(str):
    """A date: ``2026-11-22`` in English, ``22/11/2026`` or ``22.11.2026`` elsewhere."""

    def __new__(cls, day: date) -> Day:
        return super().__new__(cls, day.strftime("%Y-%m-%d"))

    def __getnewargs__(self) -> tuple[date]:
        return (date.fromisoformat(self),)


class Moment(str):
    """A date and time to the minute: ``2026-11-22 03:00`` in English, ``22/11/2026 03:00``
    or ``22.11.2026 03:00`` elsewhere."""

    def __new__(cls, moment: datetime) -> Moment:
        return super().__new__(cls, moment.strftime("%Y-%m-%d %H:%M"))

    def __getnewargs__(self) -> tuple[datetime]:
        return (datetime.fromisoformat(self),)


class Number(str):
    """A decimal number as English writes it (``2.5``, formatted by the caller); with the
    language's decimal separator elsewhere (``2,5``)."""


class Listing(str):
    """Values shown one after the other, each in the active language."""

    items: tuple[Any, ...]
    sep: str

    def __new__(cls, items: Iterable[Any], sep: str = ", ") -> Listing:
        items = tuple(items)
        text = super().__new__(cls, sep.join(str(item) for item in items))
        text.items, text.sep = items, sep
        return text

    def __getnewargs__(self) -> tuple[tuple[Any, ...], str]:
        return self.items, self.sep


def localize(value: Any) -> str:
    """``value`` in the active language: its English text when English is active (what the
    registry has always printed), else looked up in the catalogues part by part."""
    if language_or_default(get_language()) == DEFAULT_LANGUAGE:
        return str(value)
    return _translated(value)


def shown(value: Any, localized: bool) -> str:
    """``value`` as its English text (the API, stored records) or, with ``localized``, in the
    active language (a page, a report), for code that computes both from the same records."""
    return localize(value) if localized else str(value)


def _translated(value: Any) -> str:
    if isinstance(value, Sentence):
        text = gettext(value.msgid)
        if not value.params:
            return text
        return text % {name: _translated(param) for name, param in value.params.items()}
    if isinstance(value, Term):
        return gettext(value.label) if value.label else str(value)
    if isinstance(value, Day):
        return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if isinstance(value, Moment):
        return formats.date_format(datetime.fromisoformat(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, Number):
        return value.replace(".", formats.get_format("DECIMAL_SEPARATOR"))
    if isinstance(value, Listing):
        return value.sep.join(_translated(item) for item in value.items)
    return str(value)


def sentence_data(value: Any) -> Any:
    """``value`` as JSON that ``sentence_from_data`` reads back: text, numbers, booleans and
    ``None`` as they are, any other value as the text it gave the sentence."""
    if isinstance(value, Sentence):
        return {
            "msgid": value.msgid,
            "params": {name: sentence_data(param) for name, param in value.params.items()},
        }
    if isinstance(value, Term):
        return {"term": value.label, "english": str(value)}
    if isinstance(value, Day):
        return {"day": str(value)}
    if isinstance(value, Moment):
        return {"moment": str(value)}
    if isinstance(value, Number):
        return {"number": str(value)}
    if isinstance(value, Listing):
        return {"items": [sentence_data(item) for item in value.items], "sep": value.sep}
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def sentence_from_data(data: Any) -> Any:
    """The value ``sentence_data`` wrote: its English text is the same as when it was kept."""
    if not isinstance(data, Mapping):
        return data
    if "msgid" in data:
        params = data.get("params") or {}
        return Sentence(
            data["msgid"], **{name: sentence_from_data(p) for name, p in params.items()}
        )
    if "term" in data:
        return Term(data["term"], data.get("english"))
    if "day" in data:
        return Day(date.fromisoformat(data["day"]))
    if "moment" in data:
        return Moment(datetime.fromisoformat(data["moment"]))
    if "number" in data:
        return Number(data["number"])
    if "items" in data:
        return Listing((sentence_from_data(item) for item in data["items"]), data["sep"])
    raise ValueError(f"not a kept sentence: {data!r}")
