"""Scan columns for personal data and suggest protected attributes: the orchestration.

``scan_columns`` combines the hints from a column's name (``names``) with the evidence from
its sampled values (``values``) into ``PIIHit`` results, one per category and column, with a
confidence and a short evidence string. ``suggest_sensitive_attribute`` names the protected
attribute a column probably encodes, from its name alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .abbreviations import abbreviation_matches
from .freetext import free_text_checks
from .lexicons import (
    CATEGORY_LEXICONS,
    CLINICAL_ABBREVIATIONS,
    CODED_SCALE_NAMES,
    DIRECT_IDENTIFIER_CATEGORIES,
    NON_PERSON_ATTRIBUTE_TOKENS,
    PII_CATEGORIES,
    PROTECTED_ATTRIBUTE_KINDS,
    PROTECTED_RULES,
    SPECIAL_CATEGORIES,
    TEST_OUTCOMES,
    TEST_POSITIVE_OUTCOMES,
    WITNESSED_DUMMY_NAMES,
)
from .names import NameMatch, name_matches
from .normalise import normalise_column_name, normalise_value
from .values import (
    MIN_VALUES_FOR_VALUE_ONLY,
    VALUE_SHARE_THRESHOLD,
    ValueCheck,
    as_text,
    collect_sample,
    mask,
    value_checks,
)

__all__ = [
    "DIRECT_IDENTIFIER_CATEGORIES",
    "PII_CATEGORIES",
    "PROTECTED_ATTRIBUTE_KINDS",
    "SPECIAL_CATEGORIES",
    "VALUE_SHARE_THRESHOLD",
    "PIIHit",
    "normalise_column_name",
    "scan_columns",
    "suggest_sensitive_attribute",
]


#: Confidence of a hit from a strong column-name pattern with no value evidence either way.
NAME_ONLY_CONFIDENCE = 0.6


#: Confidence when the name matches but the sampled values do not look like the category
#: (coded, hashed or encrypted values are still personal data, so the hit stays).
NAME_CONTRADICTED_CONFIDENCE = 0.4


@dataclass(frozen=True)
class PIIHit:
    """One suspected kind of personal data in one column.

    ``detector`` names the check that fired (``column_name`` for name-only hits).
    ``evidence`` is a short human-readable reason with at most one masked example.
    """

    column: str
    category: str
    detector: str
    confidence: float
    evidence: str


def _confidence(share: float, *, name_matched: bool, weight: float) -> float:
    """Map a share from the threshold up to 1 onto 0.55-0.95.

    A matching column name adds a little; without one, heuristic detectors (``weight``
    below 1: addresses, names, age distributions) are discounted.
    """
    span = 1.0 - VALUE_SHARE_THRESHOLD
    base = 0.55 + 0.4 * min(1.0, max(0.0, share - VALUE_SHARE_THRESHOLD) / span)
    base = base + 0.04 if name_matched else base * weight
    return round(min(0.99, base), 3)


#: When several identifier checks pass on one column, the one with the stronger proof wins:
#: an SSN-shaped value is also a possible phone number, an Amex number too.
_SPECIFICITY = (
    "iban",
    "payment_card",
    "national_id",
    "email",
    "ip_address",
    "geolocation",
    "date_of_birth",
    "phone",
    "postal_address",
    "person_name",
)


def _most_specific(checks: list[ValueCheck]) -> list[ValueCheck]:
    identifiers = [c for c in checks if c.category in _SPECIFICITY and not c.embedded]
    others = [c for c in checks if c.category not in _SPECIFICITY or c.embedded]
    if not identifiers:
        return others
    best = min(identifiers, key=lambda c: (_SPECIFICITY.index(c.category), -c.share))
    return [best, *others]


#: Categories with a value detector: when a strong name match's values fail it, the name is
#: contradicted (the values may be coded or hashed) and the hit's confidence drops.
_VALUE_CHECKED_CATEGORIES = frozenset(
    {
        "email", "phone", "iban", "payment_card", "ip_address", "national_id",
        "date_of_birth", "geolocation", "person_name", "postal_address",
    }
)  # fmt: skip


def _scan_column(column: str, values: Sequence[object], sample_size: int) -> list[PIIHit]:
    """Value hits first; a strong name match adds a name-only hit where values found none."""
    matches = name_matches(column)
    raw = collect_sample(values, sample_size)
    texts = [as_text(value) for value in raw]
    hits = _value_hits(column, matches, raw=raw, texts=texts)
    enough = len(texts) >= MIN_VALUES_FOR_VALUE_ONLY
    flags = enough and _is_flag_column(texts)
    for match in matches:
        if not match.strong or match.category in hits:
            continue
        if flags and match.category in DIRECT_IDENTIFIER_CATEGORIES:
            # "email: yes/no" says whether there is an address, not what it is.
            continue
        if enough and match.category in _NEVER_SMALL_NUMBERS and _small_integers(texts):
            # "pan_day" holding 4..107: no card, phone or account number is that short.
            continue
        hits[match.category] = _name_only_hit(column, match, enough=enough, has_values=bool(texts))
    return sorted(hits.values(), key=lambda hit: (-hit.confidence, hit.category))


#: Identifiers that are never written as a number below 1000, coded or not.
_NEVER_SMALL_NUMBERS = frozenset(
    {"payment_card", "iban", "phone", "email", "ip_address", "national_id"}
)


def _small_integers(texts: list[str]) -> bool:
    return all(text.isdigit() and len(text) <= 3 for text in texts)


_FLAG_VALUES = frozenset({"yes", "no", "y", "n", "true", "false", "t", "f", "0", "1"})


def _is_flag_column(texts: list[str]) -> bool:
    return bool(texts) and all(text.lower() in _FLAG_VALUES for text in texts)


def _value_hits(
    column: str, matches: list[NameMatch], *, raw: list[object], texts: list[str]
) -> dict[str, PIIHit]:
    """The most confident passing value check per category, name hints lending weight."""
    hints = {m.category for m in matches}
    strong_hints = {m.category for m in matches if m.strong}
    keywords = {m.category: m.keyword for m in matches}
    checks = _most_specific(value_checks(raw, texts, hints, strong_hints) if texts else [])
    found = {c.category for c in checks}
    embedded = [c for c in free_text_checks(texts) if c.category not in found]
    if "postal_address" in hints | found | {c.category for c in embedded}:
        # Streets are named after people (rue Victor Hugo): names inside addresses are not
        # the people the rows are about.
        embedded = [c for c in embedded if c.category != "person_name"]
    checks += embedded
    enough = len(texts) >= MIN_VALUES_FOR_VALUE_ONLY
    hits: dict[str, PIIHit] = {}
    for check in checks:
        name_matched = check.category in hints
        if not name_matched and not enough:
            continue
        confidence = _confidence(check.share, name_matched=name_matched, weight=check.weight)
        keyword = keywords[check.category] if name_matched else None
        evidence = _value_evidence(check, n_values=len(texts), keyword=keyword)
        previous = hits.get(check.category)
        if previous is None or previous.confidence < confidence:
            hits[check.category] = PIIHit(
                column, check.category, check.detector, confidence, evidence
            )
    return hits


def _value_evidence(check: ValueCheck, *, n_values: int, keyword: str | None) -> str:
    """Share of values passing, the matching name keyword and one masked example."""
    return (
        f"{check.share:.0%} of {n_values} sampled values pass {check.detector}"
        + (f" ({check.note})" if check.note else "")
        + (f"; column name matches '{keyword}'" if keyword is not None else "")
        + (f"; e.g. {mask(check.example, check.category)}" if check.example else "")
    )


def _name_only_hit(column: str, match: NameMatch, *, enough: bool, has_values: bool) -> PIIHit:
    """A hit from a strong name pattern alone, weaker when the values contradict it."""
    contradicted = match.category in _VALUE_CHECKED_CATEGORIES and enough
    if match.category in {"postal_address", "geolocation"} and contradicted:
        # Postcodes, cities and single coordinates fail the full-address checks but
        # are still location data; the name is the better witness here.
        contradicted = False
    confidence = NAME_CONTRADICTED_CONFIDENCE if contradicted else NAME_ONLY_CONFIDENCE
    evidence = f"column name matches '{match.keyword}'"
    if contradicted:
        evidence += "; sampled values do not have the usual shape (coded or hashed?)"
    elif not has_values:
        evidence += "; no non-null values to check"
    return PIIHit(column, match.category, "column_name", confidence, evidence)


def scan_columns(
    columns: Mapping[str, Sequence[object]], *, sample_size: int = 200
) -> list[PIIHit]:
    """Return suspected personal data per column, most confident first within a column.

    ``columns`` maps a column name to its values (the profiler's ``sample_values`` or a
    slice of the data); only the first ``sample_size`` non-null values are inspected.
    """
    if sample_size < 1:
        raise ValueError("sample_size must be at least 1")
    by_column: dict[str, list[PIIHit]] = {}
    samples: dict[str, list[str]] = {}
    for column, values in columns.items():
        name = str(column)
        by_column[name] = _scan_column(name, values, sample_size)
        samples[name] = [as_text(value) for value in collect_sample(values, sample_size)]
    _merge(by_column, _coded_hits(by_column, samples))
    witnessed: dict[str, list[PIIHit]] = {}
    for name, hits in by_column.items():
        # Witnesses are the hits so far, not other witnessed ones: two blood pressures do
        # not make each other health data.
        witnessed[name] = _witnessed_dummy_hits(name, samples[name], by_column)
        if "health" not in {hit.category for hit in hits}:
            health = _clinical_measure_hits(name, samples[name], by_column)
            witnessed[name] += health or _test_outcome_hits(name, samples[name], by_column)
    _merge(by_column, witnessed)
    _merge(by_column, _abbreviation_hits(by_column, samples))
    return [hit for hits in by_column.values() for hit in hits]


def _merge(by_column: dict[str, list[PIIHit]], extra: dict[str, list[PIIHit]]) -> None:
    for name, hits in extra.items():
        if hits:
            merged = by_column[name] + hits
            by_column[name] = sorted(merged, key=lambda hit: (-hit.confidence, hit.category))


def _coded_hits(
    by_column: dict[str, list[PIIHit]], samples: dict[str, list[str]]
) -> dict[str, list[PIIHit]]:
    """Coded survey scales and yes/no columns named after a condition or a group."""
    extra = {}
    for name, hits in by_column.items():
        found = {hit.category for hit in hits}
        coded = _coded_scale_hits(name, samples[name], found)
        coded += _condition_flag_hits(name, samples[name], found | {h.category for h in coded})
        extra[name] = coded
    return extra


#: Confidence of a hit on a name that abbreviates a special-category phrase unambiguously.
STRONG_ABBREVIATION = 0.5


#: Confidence of a hit on an abbreviated name that needed the table or the values to back it.
CORROBORATED_ABBREVIATION_CONFIDENCE = 0.45


#: An abbreviation whose values take more distinct values than this is not a coded answer
#: about the person (it is an identifier, a measurement or free text), unless strong.
_ABBREVIATION_MAX_DISTINCT = 20


def _abbreviation_hits(
    by_column: dict[str, list[PIIHit]], samples: dict[str, list[str]]
) -> dict[str, list[PIIHit]]:
    """Special categories named by an abbreviation (``relig``, ``chcond``, ``badh``).

    A strong match (see ``abbreviations``) is a hit unless the values are nearly all
    different (identifiers, free text). A weak one needs coded values (a few distinct) and a
    witness: another column of the table already holding the same category, or yes/no
    values under a name that spells a whole word of the phrase.
    """
    holders: dict[str, set[str]] = {}
    for name, hits in by_column.items():
        for hit in hits:
            holders.setdefault(hit.category, set()).add(name)
    extra: dict[str, list[PIIHit]] = {}
    weak = []
    for name, texts in samples.items():
        found = {hit.category for hit in by_column[name]}
        distinct = len(set(texts))
        for match in abbreviation_matches(name):
            if match.category in found:
                continue
            if match.strong:
                if distinct > _ABBREVIATION_MAX_DISTINCT and distinct > 0.9 * len(texts):
                    continue
                evidence = f"column name reads as an abbreviation of '{match.phrase}'"
                extra.setdefault(name, []).append(
                    PIIHit(name, match.category, "abbreviated_name", STRONG_ABBREVIATION, evidence)
                )
                holders.setdefault(match.category, set()).add(name)
            elif len(texts) >= MIN_VALUES_FOR_VALUE_ONLY and distinct <= _ABBREVIATION_MAX_DISTINCT:
                weak.append((name, match))
    for name, match in weak:
        witnesses = sorted(holders.get(match.category, set()) - {name})
        if witnesses:
            shown = ", ".join(f"'{w}'" for w in witnesses[:3])
            why = f"the table holds the same category ({shown})"
        elif match.whole_word and _is_flag_column(samples[name]):
            why = "the values are yes/no"
        else:
            continue
        extra.setdefault(name, []).append(
            PIIHit(
                name,
                match.category,
                "abbreviated_name",
                CORROBORATED_ABBREVIATION_CONFIDENCE,
                f"column name may abbreviate '{match.phrase}' and {why}",
            )
        )
    return extra


#: Special categories whose value terms, used as a column name over yes/no values, say the
#: person has the condition or belongs to the group ("diabetes: 1", "catholic: yes").
_CONDITION_FLAG_CATEGORIES = ("health", "religion", "racial_ethnic_origin", "sex_life_orientation")


#: Words that may stand before the condition in such a name: ``has_diabetes``, ``hx_asthma``.
_CONDITION_FLAG_PREFIXES = frozenset({"has", "is", "ever", "hx", "history", "any", "had", "dx"})


#: Value terms that as a name mean something else: a trial arm, or Rome (Italian regional
#: data has a 0/1 column per city).
_NOT_CONDITIONS = frozenset({"placebo", "verum", "benign", "roma"})


def _condition_flag_hits(column: str, texts: list[str], found: set[str]) -> list[PIIHit]:
    """A yes/no column named after a condition or a group of a special category."""
    if len(texts) < MIN_VALUES_FOR_VALUE_ONLY or not _is_flag_column(texts):
        return []
    tokens = normalise_column_name(column).split("_")
    while len(tokens) > 1 and tokens[0] in _CONDITION_FLAG_PREFIXES:
        tokens = tokens[1:]
    if tokens and tokens[0] == "of":
        tokens = tokens[1:]
    term = " ".join(tokens)
    if len(term) < 4 or term in _NOT_CONDITIONS:
        return []
    hits = []
    for category in _CONDITION_FLAG_CATEGORIES:
        if category in found or term not in CATEGORY_LEXICONS[category][0]:
            continue
        hits.append(
            PIIHit(
                column,
                category,
                "condition_flag",
                CONFIRMED_NAME_CONFIDENCE,
                f"column name is '{term}', a term of this category, and the values are yes/no",
            )
        )
    return hits


#: Confidence of a hit that needed the values' shape or the rest of the table to confirm a
#: name that is ambiguous on its own.
CONFIRMED_NAME_CONFIDENCE = 0.5


def _numbers(texts: list[str]) -> list[float]:
    numbers = []
    for text in texts:
        try:
            value = float(text)
        except ValueError:
            continue
        if math.isfinite(value):
            numbers.append(value)
    return numbers


def _is_coded_scale(texts: list[str]) -> bool:
    """A few small integers (a 0-6 or 1-10 scale, yes/no as 0/1), nearly every value, or
    yes/no written out."""
    if len(texts) >= MIN_VALUES_FOR_VALUE_ONLY and (
        _is_flag_column(texts) or _is_negation_pair(texts)
    ):
        return True
    numbers = _numbers(texts)
    if len(numbers) < MIN_VALUES_FOR_VALUE_ONLY or len(numbers) < 0.95 * len(texts):
        return False
    if not all(float(n).is_integer() for n in numbers):
        return False
    distinct = set(numbers)
    return 2 <= len(distinct) <= 11 and min(distinct) >= -10 and max(distinct) <= 10


def _is_negation_pair(texts: list[str]) -> bool:
    """Two answers, one the other negated: "white" and "not white", "smoker", "nonsmoker"."""
    forms = {normalise_value(text) for text in texts}
    if len(forms) != 2:
        return False
    first, second = sorted(forms, key=len)
    return any(second == f"{negation}{first}" for negation in ("not ", "non ", "non", "no "))


def _coded_scale_hits(column: str, texts: list[str], found: set[str]) -> list[PIIHit]:
    """Survey scales under names that are ambiguous alone (PID, left_right), as codes."""
    padded = f"_{normalise_column_name(column)}_"
    hits = []
    for category, pattern in CODED_SCALE_NAMES:
        if category in found or not pattern.search(padded) or not _is_coded_scale(texts):
            continue
        keyword = pattern.search(padded).group(0).strip("_")
        hits.append(
            PIIHit(
                column,
                category,
                "coded_scale",
                CONFIRMED_NAME_CONFIDENCE,
                f"column name matches '{keyword}' and the values are a coded scale "
                f"({len(set(texts))} distinct answers)",
            )
        )
    return hits


_CATEGORICAL_CLINICAL = re.compile(r"_i?adls?_$")


def _witnessed_dummy_hits(
    column: str, texts: list[str], by_column: dict[str, list[PIIHit]]
) -> list[PIIHit]:
    """Dummies ("dem", "rep") that are a special category beside other data of it."""
    padded = f"_{normalise_column_name(column)}_"
    found = {hit.category for hit in by_column[column]}
    hits = []
    for category, pattern in WITNESSED_DUMMY_NAMES:
        if category in found or not pattern.search(padded) or not _is_coded_scale(texts):
            continue
        witnesses = sorted(
            other
            for other, other_hits in by_column.items()
            if other != column and any(h.category == category for h in other_hits)
        )
        if not witnesses:
            continue
        shown = ", ".join(f"'{w}'" for w in witnesses[:3])
        hits.append(
            PIIHit(
                column,
                category,
                "coded_scale",
                CORROBORATED_ABBREVIATION_CONFIDENCE,
                f"column name '{padded.strip('_')}' is a dummy of this category, the values are "
                f"coded and the table holds the same category ({shown})",
            )
        )
    return hits


def _clinical_measure_hits(
    column: str, texts: list[str], by_column: dict[str, list[PIIHit]]
) -> list[PIIHit]:
    """A clinical abbreviation (bp, chol, glu, adl) holding numbers or a few coded answers,
    beside other health data."""
    norm = normalise_column_name(column)
    if not CLINICAL_ABBREVIATIONS.search(f"_{norm}_"):
        return []
    numbers = _numbers(texts)
    measured = len(numbers) >= MIN_VALUES_FOR_VALUE_ONLY and len(numbers) >= 0.9 * len(texts)
    # Measures are numbers ("bp: up" is not a blood pressure); activities of daily living
    # are rated, so coded answers count for them.
    coded = (
        _CATEGORICAL_CLINICAL.search(f"_{norm}_") is not None
        and len(texts) >= MIN_VALUES_FOR_VALUE_ONLY
        and len(set(texts)) <= 10
    )
    if not (measured or coded):
        return []
    return _beside_health(
        column,
        by_column,
        "clinical_measure",
        f"'{norm}' names a clinical measurement, the values are "
        f"{'numbers' if measured else 'coded'}",
    )


def _beside_health(
    column: str, by_column: dict[str, list[PIIHit]], rule: str, reason: str
) -> list[PIIHit]:
    """A health hit for ``column`` when other columns of the table hold health data (they
    corroborate what the column alone would not), naming up to three of them."""
    witnesses = sorted(
        other
        for other, hits in by_column.items()
        if other != column and any(h.category == "health" for h in hits)
    )
    if not witnesses:
        return []
    shown = ", ".join(f"'{w}'" for w in witnesses[:3])
    return [
        PIIHit(
            column,
            "health",
            rule,
            CONFIRMED_NAME_CONFIDENCE,
            f"{reason} and the table holds health data ({shown})",
        )
    ]


def _test_outcome_hits(
    column: str, texts: list[str], by_column: dict[str, list[PIIHit]]
) -> list[PIIHit]:
    """Test outcomes (positive, negative, not detected) beside other health data."""
    if len(texts) < MIN_VALUES_FOR_VALUE_ONLY:
        return []
    forms = [normalise_value(text) for text in texts]
    outcomes = [form for form in forms if form in TEST_OUTCOMES]
    kinds = set(outcomes)
    if len(outcomes) < VALUE_SHARE_THRESHOLD * len(forms) or len(kinds) < 2:
        return []
    if not kinds & TEST_POSITIVE_OUTCOMES:
        return []
    return _beside_health(
        column,
        by_column,
        "test_outcome",
        f"{len(outcomes) / len(forms):.0%} of {len(forms)} sampled values are test outcomes "
        f"({', '.join(sorted(kinds)[:3])})",
    )


def suggest_sensitive_attribute(column_name: str) -> str | None:
    """Name the protected attribute a column probably encodes, for fairness group-bys.

    Returns one of ``PROTECTED_ATTRIBUTE_KINDS`` or None. Based on the name only: the
    values of ``sex`` (male/female) say nothing a name would not, and a wrong suggestion
    costs one click to undo.
    """
    norm = normalise_column_name(column_name)
    if not norm:
        return None
    padded = f"_{norm}_"
    tokens = set(norm.split("_"))
    for kind, pattern in PROTECTED_RULES:
        if not pattern.search(padded):
            continue
        if kind in {"age", "marital_status"} and tokens & NON_PERSON_ATTRIBUTE_TOKENS:
            continue
        if kind == "sex" and tokens & {"life", "orientation", "offender", "work", "worker"}:
            continue
        return kind
    return None
