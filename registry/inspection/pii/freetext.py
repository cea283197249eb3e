"""Personal data inside free text: notes, messages, tickets, log lines.

A column of prose never passes a whole-value check ("is this value an e-mail address?"),
yet a CRM note column where every third note quotes a phone number is personal data. Each
detector here searches inside a value and validates what it finds with the same checks as
the whole-value detectors (mod-97, Luhn, phone length rules, national id check digits), so
"order 1234-5678" does not become a card number.

Only columns that read as prose are searched (``is_free_text``), and a category is reported
when it appears in at least ``FREE_TEXT_SHARE`` of the sampled values and ``FREE_TEXT_MIN``
of them: one e-mail address quoted once is not what the column holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from . import values as v
from .lexicons import STREET_WORDS
from .people import find_names_in_text

FREE_TEXT_SHARE = 0.2
FREE_TEXT_MIN = 3

_EMAIL_IN_TEXT_RE = re.compile(
    r"[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
)
_IBAN_IN_TEXT_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{2,4}){3,8}\b")
_CARD_IN_TEXT_RE = re.compile(r"\b\d(?:[ -]?\d){11,18}\b")
_PHONE_IN_TEXT_RE = re.compile(r"(?:\+|00)?\(?\d[\d\s().\-/]{5,20}\d(?:\s*(?:x|ext\.?)\s*\d{1,6})?")
_IPV4_IN_TEXT_RE = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
_IPV6_IN_TEXT_RE = re.compile(r"\b[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7}\b")
_ID_IN_TEXT_RE = re.compile(
    r"\b(?:\d{3}-\d{2}-\d{4}|[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]|\d{8}-?[A-Z]"
    r"|[XYZ]-?\d{7}-?[A-Z]|[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z])\b"
)
_BIRTH_WORDS = (
    r"born|birth|dob|d\.o\.b\.?|date of birth|geb\.?|geboren|geburtsdatum|n[ée]e?|naissance"
    r"|nacid[oa]|nacimiento|nat[oa]|nascit[ao]|nascid[oa]|nascimento|geboortedatum"
)
_DOB_IN_TEXT_RE = re.compile(
    rf"(?:{_BIRTH_WORDS})\W{{0,3}}(?:on\s+|le\s+|am\s+|el\s+|il\s+|em\s+|op\s+)?"
    r"(\d{1,4}[-./]\d{1,2}[-./]\d{1,4})",
    re.IGNORECASE,
)
_COORDS_IN_TEXT_RE = re.compile(r"-?\d{1,2}\.\d{3,}\s*[,;]\s*-?\d{1,3}\.\d{3,}")
_STREET_IN_TEXT_RE = re.compile(
    rf"\b\d{{1,5}}[a-zA-Z]?,?\s+(?:[^\W\d_][\w'.-]*\s+){{0,4}}(?:{STREET_WORDS})\b"
    rf"|\b(?:[^\W\d_][\w'.-]*\s+){{0,3}}[^\W\d_]*(?:{STREET_WORDS})\.?\s+\d{{1,5}}\b",
    re.IGNORECASE,
)


_WORD_RE = re.compile(r"[^\W\d_]{2,}")


def is_free_text(texts: Sequence[str]) -> bool:
    """Prose: most values have some length and several words of letters (an IBAN or a
    phone number written in groups has length and spaces, but no words)."""
    if not texts:
        return False
    wordy = sum(1 for t in texts if len(t) >= 25 and len(_WORD_RE.findall(t)) >= 3)
    return wordy / len(texts) >= 0.5


def _first(pattern: re.Pattern[str], accept: Callable[[str], bool]) -> Callable[[str], str | None]:
    def find(text: str) -> str | None:
        for match in pattern.finditer(text):
            candidate = match.group(match.lastindex or 0).strip()
            if accept(candidate):
                return candidate
        return None

    return find


def _phone(candidate: str) -> bool:
    return not _COORDS_IN_TEXT_RE.fullmatch(candidate) and v.is_phone(candidate, hinted=False)


def _dob(candidate: str) -> bool:
    return v.as_date(candidate) is not None


def _card(candidate: str) -> bool:
    return v.card_brand(candidate) is not None


def _national_id(candidate: str) -> bool:
    return v.national_id_kind(candidate, hinted=False) is not None


def _ip(candidate: str) -> bool:
    return v.is_ip(candidate)


#: (category, detector, finder): each finder returns the first validated match or None.
FINDERS: tuple[tuple[str, str, Callable[[str], str | None]], ...] = (
    ("email", "email_in_text", _first(_EMAIL_IN_TEXT_RE, v.is_email)),
    ("iban", "iban_in_text", _first(_IBAN_IN_TEXT_RE, v.is_iban)),
    ("payment_card", "card_in_text", _first(_CARD_IN_TEXT_RE, _card)),
    ("national_id", "national_id_in_text", _first(_ID_IN_TEXT_RE, _national_id)),
    ("ip_address", "ip_in_text", _first(_IPV4_IN_TEXT_RE, _ip)),
    ("ip_address", "ip_in_text", _first(_IPV6_IN_TEXT_RE, _ip)),
    ("geolocation", "coordinates_in_text", _first(_COORDS_IN_TEXT_RE, v.is_lat_lon_pair)),
    ("date_of_birth", "birth_date_in_text", _first(_DOB_IN_TEXT_RE, _dob)),
    ("postal_address", "address_in_text", _first(_STREET_IN_TEXT_RE, lambda c: True)),
    ("phone", "phone_in_text", _first(_PHONE_IN_TEXT_RE, _phone)),
    ("person_name", "name_in_text", find_names_in_text),
)  # fmt: skip


def free_text_checks(texts: Sequence[str]) -> list[v.ValueCheck]:
    """One check per category found inside enough of the values."""
    if not is_free_text(texts):
        return []
    found: dict[str, list[str]] = {}
    detectors: dict[str, str] = {}
    for text in texts:
        seen: set[str] = set()
        for category, detector, finder in FINDERS:
            if category in seen:
                continue
            match = finder(text)
            if match is not None:
                seen.add(category)
                found.setdefault(category, []).append(match)
                detectors[category] = detector
    checks = []
    for category, matches in found.items():
        share = len(matches) / len(texts)
        if share >= FREE_TEXT_SHARE and len(matches) >= FREE_TEXT_MIN:
            checks.append(
                v.ValueCheck(
                    category,
                    detectors[category],
                    share,
                    len(matches),
                    matches[0],
                    note="found inside free text",
                    weight=0.85,
                    threshold=FREE_TEXT_SHARE,
                    embedded=True,
                )
            )
    return checks
