"""PII evidence from sampled values: e-mails, phones, IBANs, card numbers, national IDs, IP
addresses, birth dates, coordinates, postal addresses, person names and special-category
vocabularies.

Each detector is a predicate on one value's text; ``value_checks`` runs them over a sample
and keeps those whose share of matching values reaches ``VALUE_SHARE_THRESHOLD``. Checks
with a checksum use it (IBAN mod-97, Luhn, national ID check digits). ``mask`` turns a
matching value into evidence that shows its shape, never the value.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn as stdnum_luhn
from stdnum.de import idnr as de_idnr
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.fr import nir as fr_nir
from stdnum.in_ import aadhaar as in_aadhaar
from stdnum.it import codicefiscale as it_codicefiscale
from stdnum.nl import bsn as nl_bsn
from stdnum.pl import pesel as pl_pesel
from stdnum.se import personnummer as se_personnummer
from stdnum.us import ssn as us_ssn

from .lexicons import (
    CATEGORY_LEXICONS,
    HONORIFICS,
    PARTICLES,
    PARTY_FAMILY_WORDS,
    STREET_WORDS,
    SUFFIXES,
)
from .normalise import normalise_value
from .people import SHARE_HINTED, SHARE_UNHINTED, has_listed_name, name_column_share

#: Share of sampled non-null values that must pass a value check before a column is flagged.
VALUE_SHARE_THRESHOLD = 0.6


#: Fewer non-null values than this and a value check is not trusted on its own.
MIN_VALUES_FOR_VALUE_ONLY = 5


def _is_null(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return value.strip().lower() in {"", "na", "n/a", "nan", "null", "none", "nat", "-"}
    try:
        # NaT and pandas' NA are not equal to themselves; pandas is not imported here.
        return bool(value != value)
    except (TypeError, ValueError):
        return True


def as_text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").strip()
    return str(value).strip()


_EMAIL_RE = re.compile(
    r"(?:mailto:)?[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
)


_EMAIL_WITH_NAME_RE = re.compile(r"[^<>@]*<(" + _EMAIL_RE.pattern + r")>")


def is_email(text: str) -> bool:
    return bool(_EMAIL_RE.fullmatch(text) or _EMAIL_WITH_NAME_RE.fullmatch(text))


_PHONE_SHAPE_RE = re.compile(
    r"\+?[\d\s().\-/]{6,24}?(?:\s*(?:x|ext\.?|extension|#)\s*\d{1,6})?", re.IGNORECASE
)


_DATE_SHAPE_RE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")


_DECIMAL_RE = re.compile(r"[-+]?\d+[.,]\d+")


_PHONE_REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "CH", "AT", "IN")


def is_phone(text: str, *, hinted: bool) -> bool:
    """A phone number by shape and by phonenumbers' per-country length rules.

    Bare digit strings are phone numbers only in a column named like one: otherwise every
    customer number would qualify. Dates, decimals and dotted quads are excluded first.
    """
    if not _PHONE_SHAPE_RE.fullmatch(text) or _DATE_SHAPE_RE.fullmatch(text):
        return False
    if _DECIMAL_RE.fullmatch(text) or _IPV4_SHAPE_RE.fullmatch(text):
        return False
    if _SSN_FORMATTED_RE.fullmatch(text):
        return False
    core = re.split(r"(?i)\s*(?:x|ext\.?|extension|#)\s*\d", text)[0]
    digits = re.sub(r"\D", "", core)
    if not 7 <= len(digits) <= 15:
        return False
    international = core.startswith("+") or core.startswith("00")
    separators = len(re.findall(r"[\s().\-/]+", core.strip()))
    national_trunk = core.startswith("0") and 9 <= len(digits) <= 12
    if not (hinted or international or "(" in core or separators >= 2 or national_trunk):
        return False
    candidates: Iterable[str | None]
    if core.startswith("00"):
        text = "+" + text[2:]
        candidates = (None,)
    else:
        candidates = (None,) if international else _PHONE_REGIONS
    for region in candidates:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return True
    return False


def is_iban(text: str) -> bool:
    compact = re.sub(r"[\s-]", "", text).upper()
    return bool(re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact)) and bool(
        stdnum_iban.is_valid(compact)
    )


#: (brand, prefixes as (low, high) ranges on the leading digits, allowed lengths).
_CARD_BRANDS: tuple[tuple[str, tuple[tuple[int, int], ...], frozenset[int]], ...] = (
    ("Visa", ((4, 4),), frozenset({13, 16, 19})),
    ("Mastercard", ((51, 55), (2221, 2720)), frozenset({16})),
    ("American Express", ((34, 34), (37, 37)), frozenset({15})),
    ("Discover", ((6011, 6011), (644, 649), (65, 65)), frozenset({16, 19})),
    ("JCB", ((3528, 3589),), frozenset({16, 17, 18, 19})),
    ("JCB", ((2131, 2131), (1800, 1800)), frozenset({15})),
    ("Diners Club", ((300, 305), (36, 36), (38, 39)), frozenset({14, 16, 19})),
    ("Maestro", ((50, 50), (56, 69)), frozenset(range(12, 20))),
    ("UnionPay", ((62, 62),), frozenset(range(16, 20))),
)


def card_brand(text: str) -> str | None:
    """Brand of a card number that passes Luhn and its brand's prefix and length rules."""
    if not re.fullmatch(r"\d[\d -]{10,22}\d", text):
        return None
    digits = re.sub(r"[ -]", "", text)
    if not 12 <= len(digits) <= 19 or len(set(digits)) < 3:
        return None
    if not stdnum_luhn.is_valid(digits):
        return None
    for brand, ranges, lengths in _CARD_BRANDS:
        if len(digits) not in lengths:
            continue
        for low, high in ranges:
            width = len(str(low))
            if low <= int(digits[:width]) <= high:
                return brand
    return None


_IPV4_SHAPE_RE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def is_ip(text: str) -> bool:
    if "." not in text and ":" not in text:
        return False
    if ":" in text and not re.fullmatch(r"[0-9A-Fa-f:.%a-zA-Z0-9]+", text):
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


_NINO_RE = re.compile(
    r"(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]"
)


_SSN_FORMATTED_RE = re.compile(r"\d{3}-\d{2}-\d{4}")


_CODICE_FISCALE_RE = re.compile(r"[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]", re.IGNORECASE)


#: (label, shape, validator). The shape regex runs first so stdnum only sees candidates.
_IdCheck = tuple[str, re.Pattern[str], Callable[[str], bool]]


#: National IDs whose format or check digit is distinctive enough to trust on values alone.
_STRONG_NATIONAL_IDS: tuple[_IdCheck, ...] = (
    ("US SSN", _SSN_FORMATTED_RE, us_ssn.is_valid),
    ("UK NINO", _NINO_RE, lambda t: True),
    ("Spanish DNI", re.compile(r"\d{8}-?[A-Z]"), es_dni.is_valid),
    ("Spanish NIE", re.compile(r"[XYZ]-?\d{7}-?[A-Z]"), es_nie.is_valid),
    ("Italian codice fiscale", _CODICE_FISCALE_RE, it_codicefiscale.is_valid),
    ("French NIR", re.compile(r"[12378][\d ]{14,20}"), fr_nir.is_valid),
    ("Swedish personnummer", re.compile(r"(\d{2})?\d{6}[-+]\d{4}"), se_personnummer.is_valid),
)


#: Pure digit strings with weak check digits: trusted only in a column named like an ID.
_HINTED_NATIONAL_IDS: tuple[_IdCheck, ...] = (
    ("US SSN", re.compile(r"\d{9}"), us_ssn.is_valid),
    ("German tax ID", re.compile(r"\d{11}"), de_idnr.is_valid),
    ("Dutch BSN", re.compile(r"\d{9}"), nl_bsn.is_valid),
    ("Polish PESEL", re.compile(r"\d{11}"), pl_pesel.is_valid),
    ("Aadhaar", re.compile(r"\d{4} ?\d{4} ?\d{4}"), in_aadhaar.is_valid),
)


def national_id_kind(text: str, *, hinted: bool) -> str | None:
    candidate = text.upper()
    checks = _STRONG_NATIONAL_IDS + (_HINTED_NATIONAL_IDS if hinted else ())
    for label, shape, validator in checks:
        if not shape.fullmatch(candidate):
            continue
        try:
            valid = bool(validator(candidate))
        except (ValueError, TypeError, ArithmeticError):
            # stdnum raises its own ValidationError (a ValueError) on odd input.
            valid = False
        if valid:
            return label
    return None


_DATE_CANDIDATE_RE = re.compile(r"\d{1,4}[-./]\d{1,2}[-./]\d{1,4}|\d{8}")


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%Y%m%d",
)


def as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        # pandas.Timestamp and numpy datetime64 are handled by their string form.
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        else:
            return None
    text = value.strip()
    if len(text) > 10 and text[10] in "T ":
        text = text[:10]
    if not _DATE_CANDIDATE_RE.fullmatch(text):
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


_LAT_LON_PAIR_RE = re.compile(r"\(?\s*(-?\d{1,2}\.\d{3,})\s*[,; ]\s*(-?\d{1,3}\.\d{3,})\s*\)?")


def is_lat_lon_pair(text: str) -> bool:
    match = _LAT_LON_PAIR_RE.fullmatch(text)
    if match is None:
        return False
    lat, lon = float(match.group(1)), float(match.group(2))
    return -90 <= lat <= 90 and -180 <= lon <= 180


def _as_float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,3}(\.\d+)?\s*", value):
        return float(value)
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


_STREET_NUMBER_FIRST_RE = re.compile(
    rf"\d{{1,6}}[a-zA-Z]?,?\s+(?:[^\W\d_][\w'.-]*\s+){{0,5}}(?:{STREET_WORDS})\b\.?",
    re.IGNORECASE,
)


_STREET_NAME_FIRST_RE = re.compile(
    rf"(?:[^\W\d_][\w'.-]*\s+){{0,4}}[^\W\d_]*(?:{STREET_WORDS})\.?\s+\d{{1,5}}\s?[a-zA-Z]?\b",
    re.IGNORECASE,
)


_POSTCODE_LINE_RE = re.compile(
    r"(?:,|\n)\s*(?:[^\W\d_][\w .'-]*,?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?"  # City, ST 12345
    r"|\d{4,5}\s+[^\W\d_][\w .'-]+"  # 10115 Berlin
    r"|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b)",  # UK postcode
    re.IGNORECASE,
)


def _is_postal_address(text: str) -> bool:
    """A street line with a house number, or a line followed by a postcode line."""
    if len(text) < 8 or len(text) > 200 or not re.search(r"\d", text):
        return False
    first_line = re.split(r"[\n,]", text, maxsplit=1)[0]
    if _STREET_NUMBER_FIRST_RE.match(first_line) or _STREET_NAME_FIRST_RE.match(first_line):
        return True
    return bool(_POSTCODE_LINE_RE.search(text)) and bool(re.match(r"\d{1,6}\s+\w", text))


def _name_token_kind(token: str) -> str | None:
    bare = token.strip(",")
    low = bare.lower().rstrip(".")
    if low in HONORIFICS and bare[:1].isupper():
        return "honorific"
    if low in SUFFIXES:
        return "suffix"
    if bare in PARTICLES:
        return "particle"
    if re.fullmatch(r"[^\W\d_]\.", bare) and bare[0].isupper():
        return "initial"
    if (
        bare[:1].isupper()
        and any(ch.islower() for ch in bare)
        and all(ch.isalpha() or ch in "-'’" for ch in bare)
        and 2 <= len(bare) <= 30
    ):
        return "word"
    return None


def _is_person_name(text: str, *, single_token_ok: bool) -> bool:
    """``Firstname Lastname``-like: capitalised words, initials, particles and titles.

    Needs two or more tokens, one of them a real word, unless the column name already says
    it holds first or last names. Digits, lower-case words and long strings rule it out,
    which keeps sentences and product names away.
    """
    if not text or len(text) > 80 or text.count(",") > 1:
        return False
    tokens = text.split()
    if not 1 <= len(tokens) <= 6:
        return False
    kinds = [_name_token_kind(token) for token in tokens]
    if any(kind is None for kind in kinds):
        return False
    words = kinds.count("word")
    if words == 0:
        return False
    if len(tokens) == 1:
        return single_token_ok
    titled = "honorific" in kinds or "suffix" in kinds
    return words + kinds.count("initial") >= 2 or (words >= 1 and titled)


_ICD10_RE = re.compile(r"[A-TV-Z]\d[0-9AB](?:\.[0-9A-KXZ]{1,4})?", re.IGNORECASE)


_ICD10_DOTTED_RE = re.compile(r"[A-TV-Z]\d[0-9AB]\.[0-9A-KXZ]{1,4}", re.IGNORECASE)


_GENOTYPE_RE = re.compile(r"[ACGT]{2}|[ACGT][/|][ACGT]|--|[ID]{2}", re.IGNORECASE)


def mask(text: str, category: str) -> str:
    """Show the shape of a value, not the value: the evidence string is stored and exported."""
    text = text.replace("\n", " ")
    if category in {"iban", "payment_card", "national_id", "phone"}:
        visible = 4 if category != "phone" else 2
        chars = list(text)
        alnum_positions = [i for i, ch in enumerate(chars) if ch.isalnum()]
        keep = set(alnum_positions[-visible:])
        if category == "iban":
            keep |= set(alnum_positions[:2])
        masked = "".join(
            ch if (i in keep or not ch.isalnum()) else "•" for i, ch in enumerate(chars)
        )
    elif category == "email":
        local, _, domain = text.partition("@")
        tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
        masked = f"{local[:1]}•••@•••.{tld}"
    elif category == "ip_address":
        masked = re.sub(r"[0-9A-Fa-f]", "•", text)
    elif category == "date_of_birth":
        masked = re.sub(r"\d", "•", text)
    else:
        masked = re.sub(r"(?<=\w)\w", "•", text)
    return masked[:40]


@dataclass
class ValueCheck:
    category: str
    detector: str
    share: float
    matched: int
    example: str | None
    note: str = ""
    weight: float = 1.0
    #: Share of values that must pass; free-text finds need fewer (see ``freetext``).
    threshold: float = VALUE_SHARE_THRESHOLD
    #: Found inside longer text: several categories may then hold in one column.
    embedded: bool = False


def _share(
    values: Sequence[str], predicate: Callable[[str], bool], threshold: float = 0.0
) -> tuple[float, int, str | None]:
    """Share of values passing ``predicate``, the count and the first passing value.

    Each distinct value is tested once (categorical columns repeat a few values), and the
    test stops as soon as enough values failed that ``threshold`` is out of reach: the
    share returned then is only known to be below it.
    """
    total = len(values)
    if not total:
        return 0.0, 0, None
    allowed_misses = total - math.ceil(threshold * total)
    matched = misses = 0
    example: str | None = None
    for text, count in Counter(values).items():
        if predicate(text):
            matched += count
            if example is None:
                example = text
        else:
            misses += count
            if misses > allowed_misses:
                break
    return matched / total, matched, example


def collect_sample(values: Sequence[object], sample_size: int) -> list[object]:
    sample: list[object] = []
    for value in values:
        if _is_null(value):
            continue
        sample.append(value)
        if len(sample) >= sample_size:
            break
    return sample


def value_checks(
    raw: list[object], texts: list[str], hints: set[str], strong_hints: set[str]
) -> list[ValueCheck]:
    """Run every value detector and return those whose share passes the threshold."""
    checks: list[ValueCheck] = []

    def add(
        category: str,
        detector: str,
        predicate: Callable[[str], bool],
        *,
        weight: float = 1.0,
        note: str = "",
    ) -> None:
        share, matched, example = _share(texts, predicate, VALUE_SHARE_THRESHOLD)
        checks.append(ValueCheck(category, detector, share, matched, example, note, weight))

    add("email", "email_regex", is_email)
    add("phone", "phone_number", lambda t: is_phone(t, hinted="phone" in hints))
    add("iban", "iban_mod97", is_iban)
    add("payment_card", "card_luhn_iin", lambda t: card_brand(t) is not None)
    add("ip_address", "ip_address", is_ip)
    add(
        "national_id",
        "national_id_checksum",
        lambda t: national_id_kind(t, hinted="national_id" in hints) is not None,
    )
    add("postal_address", "address_pattern", _is_postal_address, weight=0.9)
    add("geolocation", "lat_lon_pair", is_lat_lon_pair)
    if "person_name" in hints:
        single = "person_name" in strong_hints
        add(
            "person_name",
            "person_name_pattern",
            # A weak hint ("name") also fits airports and products: then a listed given
            # name, or an initial with a listed family name, must be there too.
            lambda t: _is_person_name(t, single_token_ok=single) and (single or has_listed_name(t)),
            weight=0.9,
        )
    checks.extend(_listed_name_checks(texts, hinted="person_name" in hints))

    checks.extend(_date_of_birth_checks(raw, texts, hinted="date_of_birth" in hints))
    checks.extend(_geo_column_checks(raw, hints))
    checks.extend(_lexicon_checks(texts, hints))
    if "health" in hints:
        add("health", "icd10_code", lambda t: bool(_ICD10_RE.fullmatch(t)))
    else:
        share, matched, example = _share(texts, lambda t: bool(_ICD10_DOTTED_RE.fullmatch(t)))
        chapters = {t[0].upper() for t in texts if _ICD10_DOTTED_RE.fullmatch(t)}
        if len(chapters) >= 3:
            checks.append(ValueCheck("health", "icd10_code", share, matched, example))
    add("health", "blood_group", _is_blood_group)
    add("health", "hiv_status", lambda t: bool(_HIV_STATUS_RE.fullmatch(t)))
    checks.extend(_atc_checks(texts, hinted="health" in hints))
    if "genetic" in hints:
        add("genetic", "genotype_calls", lambda t: bool(_GENOTYPE_RE.fullmatch(t)))
    if not any(re.match(r"(?i)(ab|o|0)\s?[+-pn]", t) for t in texts):
        # A+, B- are school grades too; only blood groups have AB and O.
        checks = [c for c in checks if c.detector != "blood_group"]
    return [c for c in checks if c.share >= c.threshold and c.matched > 0]


#: "HIV+", "HIV-neg", "hiv positive": an HIV status whichever way it is written.
_HIV_STATUS_RE = re.compile(
    r"(?:hiv|vih)[\s_-]*(?:\+|-|pos(?:itive|itiv|itif|itivo)?|neg(?:ative|ativ|atif|ativo)?"
    r"|\+ve|-ve)",
    re.IGNORECASE,
)


#: An ATC code of the WHO drug classification: anatomical group, therapeutic subgroup,
#: then optionally the pharmacological and chemical subgroups and the substance (A10BA02).
_ATC_FULL_RE = re.compile(r"[ABCDGHJLMNPRSV]\d{2}[A-HJ-NP-Z]{2}\d{2}")
_ATC_ANY_RE = re.compile(r"[ABCDGHJLMNPRSV]\d{2}(?:[A-HJ-NP-Z](?:[A-HJ-NP-Z](?:\d{2})?)?)?")


def _atc_checks(texts: list[str], *, hinted: bool) -> list[ValueCheck]:
    """Medication as ATC codes: any level beside a health name, else full codes only, from
    at least two anatomical groups (one repeated code is more likely a part number)."""
    pattern = _ATC_ANY_RE if hinted else _ATC_FULL_RE
    share, matched, example = _share(texts, lambda t: bool(pattern.fullmatch(t.upper())))
    if not matched:
        return []
    if not hinted:
        groups = {t[0].upper() for t in set(texts) if pattern.fullmatch(t.upper())}
        if len(groups) < 2:
            return []
    return [ValueCheck("health", "atc_code", share, matched, example, note="ATC drug codes")]


_BLOOD_GROUP_RE = re.compile(r"(A|B|AB|O|0)\s?(\+|-|pos(itive)?|neg(ative)?|rh\+|rh-)", re.I)


def _is_blood_group(text: str) -> bool:
    return bool(_BLOOD_GROUP_RE.fullmatch(text.strip()))


def _listed_name_checks(texts: list[str], *, hinted: bool) -> list[ValueCheck]:
    """Names in any casing, from the name lists and the column's statistics (``people``)."""
    share, matched, example = name_column_share(texts, hinted=hinted)
    if not share:
        return []
    return [
        ValueCheck(
            "person_name",
            "listed_person_names",
            share,
            matched,
            example,
            note="given and family names from name lists",
            weight=0.95,
            threshold=SHARE_HINTED if hinted else SHARE_UNHINTED,
        )
    ]


def _date_of_birth_checks(raw: list[object], texts: list[str], *, hinted: bool) -> list[ValueCheck]:
    """Birth dates: plausible birth years with a name hint, else an adult age distribution.

    Without a hint a date column is called a birth date only if the implied ages look like
    people's (mostly 14-105, median 20-75, spread of years); order or signup dates bunch
    within the last few years and fail that.
    """
    today = dt.date.today()
    dates = [as_date(value) for value in raw]
    parsed = [(d, t) for d, t in zip(dates, texts, strict=True) if d is not None]
    if hinted and not parsed:
        years = [int(t) for t in texts if re.fullmatch(r"(19|20)\d{2}", t)]
        plausible_years = [y for y in years if 1900 <= y <= today.year]
        if texts and len(plausible_years) / len(texts) >= VALUE_SHARE_THRESHOLD:
            example = str(plausible_years[0])
            share = len(plausible_years) / len(texts)
            return [
                ValueCheck(
                    "date_of_birth", "birth_year_range", share, len(plausible_years), example
                )
            ]
        return []
    if not parsed or not texts:
        return []
    share_dates = len(parsed) / len(texts)
    plausible = [(d, t) for d, t in parsed if d.year >= 1900 and d <= today]
    if hinted:
        # With a birth-date column name any past date counts: archives, genealogy and
        # historical registers hold birth dates of people born long before 1900.
        past = [(d, t) for d, t in parsed if d <= today]
        share = len(past) / len(texts)
        example = past[0][1] if past else None
        return [ValueCheck("date_of_birth", "birth_date_range", share, len(past), example)]
    if len(parsed) < MIN_VALUES_FOR_VALUE_ONLY or share_dates < VALUE_SHARE_THRESHOLD:
        return []
    ages = sorted((today - d).days / 365.25 for d, _ in plausible)
    if len(ages) < MIN_VALUES_FOR_VALUE_ONLY:
        return []
    adult_share = sum(14 <= age <= 105 for age in ages) / len(ages)
    median = statistics.median(ages)
    quartiles = statistics.quantiles(ages, n=4)
    if adult_share >= 0.8 and 20 <= median <= 75 and quartiles[2] - quartiles[0] >= 8:
        return [
            ValueCheck(
                "date_of_birth",
                "age_distribution",
                share_dates * adult_share,
                len(ages),
                plausible[0][1],
                note=f"implied ages have median {median:.0f}",
                weight=0.75,
            )
        ]
    return []


def _geo_column_checks(raw: list[object], hints: set[str]) -> list[ValueCheck]:
    """Separate latitude/longitude columns: numbers in range with street-level precision."""
    if "geolocation" not in hints or not raw:
        return []
    numbers = [_as_float(value) for value in raw]
    in_range = [
        n for n in numbers if n is not None and -180 <= n <= 180 and not float(n).is_integer()
    ]
    share = len(in_range) / len(raw)
    example = f"{in_range[0]:.4f}" if in_range else None
    return [ValueCheck("geolocation", "coordinate_range", share, len(in_range), example)]


def _lexicon_checks(texts: list[str], hints: set[str]) -> list[ValueCheck]:
    checks = []
    forms = {t: normalise_value(t) for t in set(texts)}
    normalised = [forms[t] for t in texts]
    for category, (listed, weak) in CATEGORY_LEXICONS.items():
        hinted = category in hints
        strong = _strong_forms(category, set(normalised), listed)
        matched = [n for n in normalised if n in strong or (n in weak and hinted)]
        strong_distinct = {n for n in normalised if n in strong}
        weak_matched = [n for n in normalised if n in weak]
        total = len(matched) + (0 if hinted else len(weak_matched))
        if not hinted and len(strong_distinct) < 2:
            continue
        share = total / len(texts) if texts else 0.0
        example = next((t for t, n in zip(texts, normalised, strict=True) if n in strong), None)
        checks.append(ValueCheck(category, "category_values", share, total, example))
    return checks


def _strong_forms(category: str, forms: set[str], listed: frozenset[str]) -> frozenset[str]:
    """The listed terms, and for political opinion any value naming a party family as a
    word ("Strong Democrat", "Not Str Republican", "Independent-Democrat")."""
    if category != "political_opinion":
        return listed
    return listed | frozenset(f for f in forms if not PARTY_FAMILY_WORDS.isdisjoint(f.split()))
