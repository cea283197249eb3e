"""PII hints from a column's name: which categories its name points at, and how strongly.

A strong pattern flags the column on its own; a weak one only lends weight to value checks.
Derived attributes (``email_count``, ``has_phone``) and names of things rather than people
(``product_name``) are not hits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicons import (
    AGGREGATE_TOKENS,
    DERIVED_TOKENS,
    DIRECT_IDENTIFIER_CATEGORIES,
    NAME_RULES,
    NATIVITY_TOKENS,
    NON_OPINION_POLITICAL_TOKENS,
    NON_PERSON_NAME_TOKENS,
    NON_POSTAL_ADDRESS_TOKENS,
)
from .normalise import normalise_column_name

_COMPILED_NAME_RULES = tuple(
    (category, strong, re.compile(pattern)) for category, strong, pattern in NAME_RULES
)


@dataclass(frozen=True)
class NameMatch:
    category: str
    strong: bool
    keyword: str


_TRAILING_DIGITS_RE = re.compile(r"(?<=[a-z])\d+(?=_|$)")


def name_matches(column: str) -> list[NameMatch]:
    norm = normalise_column_name(column)
    if not norm:
        return []
    matches = _matches(norm)
    stripped = _TRAILING_DIGITS_RE.sub("", norm)
    if not matches and stripped != norm:
        # A year or a wave glued to the word ("hiv2004", "relig3") names the same thing;
        # only for special categories: "tel1" or "cc2" are too short to trust.
        matches = [m for m in _matches(stripped) if m.category not in DIRECT_IDENTIFIER_CATEGORIES]
    return matches


def _matches(norm: str) -> list[NameMatch]:
    tokens = set(norm.split("_"))
    padded = f"_{norm}_"
    matches: list[NameMatch] = []
    seen: set[tuple[str, bool]] = set()
    for category, strong, pattern in _COMPILED_NAME_RULES:
        found = pattern.search(padded)
        if found is None:
            continue
        keyword = found.group(0).strip("_")
        # "email_count" or "has_phone" describe the data rather than hold it. Special
        # categories are exempt: "hiv_status" or "blood_type" is the health data itself.
        extra_tokens = tokens - set(keyword.split("_"))
        if category in DIRECT_IDENTIFIER_CATEGORIES and extra_tokens & DERIVED_TOKENS:
            continue
        if category == "person_name" and tokens & NON_PERSON_NAME_TOKENS:
            continue
        if category == "postal_address" and tokens & NON_POSTAL_ADDRESS_TOKENS:
            continue
        if category == "date_of_birth" and tokens & NATIVITY_TOKENS:
            continue
        if category == "political_opinion" and tokens & NON_OPINION_POLITICAL_TOKENS:
            continue
        if category not in DIRECT_IDENTIFIER_CATEGORIES and tokens & AGGREGATE_TOKENS:
            continue
        if (category, strong) in seen:
            continue
        seen.add((category, strong))
        matches.append(NameMatch(category, strong, keyword))
    return matches
