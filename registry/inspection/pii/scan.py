"""Find columns that probably hold personal data, from their names and a sample of values.

The output feeds "suspected" PII flags that a person then confirms or dismisses, so the
detectors aim for few false positives over exhaustive recall: a reviewer who sees a flag on
every numeric column soon stops reading them. Three rules follow from that:

* A value-based hit needs a share of matching non-null values (``VALUE_SHARE_THRESHOLD``),
  so free text that mentions one e-mail address does not flag the column.
* Every value check that has a checksum uses it (IBAN mod-97, Luhn, national ID check
  digits); number shapes without a strong checksum are only trusted when the column name
  also points at the category.
* Evidence never repeats a raw value: it quotes at most one masked example, because the
  evidence string is stored, shown and exported in audit reports.

Categories cover direct identifiers and the special categories of GDPR Article 9.
``suggest_sensitive_attribute`` is a separate question: which columns are protected
attributes a fairness check should group by. This module imports nothing from Django.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import re
import statistics
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
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

DIRECT_IDENTIFIER_CATEGORIES = (
    "person_name",
    "email",
    "phone",
    "national_id",
    "iban",
    "payment_card",
    "ip_address",
    "date_of_birth",
    "postal_address",
    "geolocation",
)
#: GDPR Article 9(1) special categories of personal data.
SPECIAL_CATEGORIES = (
    "racial_ethnic_origin",
    "religion",
    "health",
    "sex_life_orientation",
    "political_opinion",
    "union_membership",
    "biometric",
    "genetic",
)
PII_CATEGORIES = DIRECT_IDENTIFIER_CATEGORIES + SPECIAL_CATEGORIES

PROTECTED_ATTRIBUTE_KINDS = (
    "sex",
    "gender",
    "age",
    "race",
    "ethnicity",
    "nationality",
    "religion",
    "disability",
    "marital_status",
)

#: Share of sampled non-null values that must pass a value check before a column is flagged.
VALUE_SHARE_THRESHOLD = 0.6
#: Fewer non-null values than this and a value check is not trusted on its own.
MIN_VALUES_FOR_VALUE_ONLY = 5

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


# --------------------------------------------------------------------------------------------
# Column names
# --------------------------------------------------------------------------------------------

_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")


def normalise_column_name(name: str) -> str:
    """Lower-case snake form without accents: ``"E-Mail Adresse"`` -> ``"e_mail_adresse"``.

    camelCase is split first so ``dateOfBirth`` and ``date_of_birth`` look alike, and
    accents are stripped so ``Längengrad`` matches the same pattern as ``laengengrad``'s
    stem. ``ß`` is spelled out because NFKD does not decompose it.
    """
    name = _CAMEL_RE.sub("_", str(name))
    name = name.replace("ß", "ss").replace("ẞ", "ss")
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_name = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM_RE.sub("_", ascii_name.lower()).strip("_")


#: Tokens that turn a PII-looking name into a derived attribute: ``email_count``,
#: ``has_phone``, ``email_verified`` describe a person's data without being it.
_DERIVED_TOKENS = frozenset(
    {
        "count", "cnt", "num", "n", "has", "is", "flag", "verified", "valid", "validated",
        "opt", "optin", "optout", "consent", "type", "kind", "domain", "provider", "length",
        "len", "missing", "status", "sent", "opened", "clicked", "bounced", "format",
        "changed", "updated", "share", "ratio", "rate", "pct", "percent",
    }
)  # fmt: skip

#: (category, strong, pattern). Patterns run on ``_<normalised name>_``. A strong pattern
#: flags the column on its own; a weak one only lends weight to value checks.
_NAME_RULES: tuple[tuple[str, bool, str], ...] = (
    ("email", True, r"_e_?mail(s|_?addr(ess)?(es)?)?_|_mail_?addr(ess)?_|_courriel_|_correo"),
    ("email", True, r"_e_?post(_?adresse)?_"),
    (
        "phone",
        True,
        r"_(tele?_?)?phone(s|_?n(umbe)?r|_?no)?_|_telefon(o|e)?(_?nummer)?_|_msisdn_"
        r"|_rufnummer_|_cellulare_|_cell_?phone_|_(mobile|cell)_?(n(umbe)?r|no)_"
        # Short or ambiguous words ("mobile_app", "cell_line") only at the end of a name.
        r"|_(tel|mobile|cell|fax|handy|movil)(_?n(umbe)?r|_?no)?_$",
    ),
    (
        "person_name",
        True,
        r"_(first|last|given|family|middle|maiden|full|sur|fore)_?names?_|_surname_"
        r"|_(vor|nach|familien)_?name_|_prenoms?_|_nom_de_famille_|_apellidos?_"
        r"|_nombre_completo_|_cognome_|_(voor|achter)_?naam_"
        r"|_(customer|client|patient|employee|person|contact|passenger|applicant|"
        r"card_?holder|account_?holder|beneficiary|member|student|guardian|parent|mother|"
        r"father|spouse|driver|tenant|borrower|debtor|insured|policy_?holder|player|"
        r"athlete|author|victim|suspect|witness)_?(full_?)?names?_",
    ),
    (
        "person_name",
        False,
        r"_(short|long|display|real|legal|known_as)_?name_|_names?_|_nom_|_nombre_|_naam_",
    ),
    (
        "date_of_birth",
        True,
        r"_d_?o_?b_|_(date|day|year)_?of_?birth_|_birth_?(date|day|year|dt)_|_birth_$"
        r"|_geburts_?(datum|tag|jahr)_|_date_?de_?naissance_"
        r"|_fecha_?de_?nacimiento_|_data_?di_?nascita_|_geboorte_?datum_|_born(_?on)?_",
    ),
    (
        "national_id",
        True,
        r"_ssn_|_social_?security(_?n(umbe)?r|_?no)?_|_national_?(id|identity|insurance)"
        r"(_?n(umbe)?r|_?no)?_|_nino_|_passport(_?n(umbe)?r|_?no|_?id)?_|_tax_?(id|payer_?id)_"
        r"|_steuer_?id(_?nr)?_|_steuer_?identifikations_?nummer_|_personal_?ausweis(_?nr)?_"
        r"|_ausweis_?(nr|nummer)_|_sozial_?versicherungs_?nummer_|_sv_?nr_|_dni_|_nie_|_nif_"
        r"|_nir_|_insee_|_codice_?fiscale_|_bsn_|_burger_?service_?nummer_|_pesel_"
        r"|_person_?nummer_|_cpr_|_aadhaar_|_id_?card(_?n(umbe)?r|_?no)?_"
        r"|_drivers?_?licen[cs]e(_?n(umbe)?r|_?no)?_|_fuhrerschein(_?nr)?_",
    ),
    (
        "iban",
        True,
        r"_iban_|_(bank_?)?account_?(n(umbe)?r|no)_|_konto_?(nr|nummer)_|_bank_?account_",
    ),
    (
        "payment_card",
        True,
        r"_(credit|debit|payment)_?card(_?n(umbe)?r|_?no|_?num)?_|_card_?(n(umbe)?r|no|num|pan)_"
        r"|_cc_?(n(umbe)?r|no|num)_|_pan_|_kredit_?karte(n_?nummer)?_|_primary_?account_?number_",
    ),
    (
        "ip_address",
        True,
        r"_ip(v[46])?(_?addr(ess)?)?_|_(client|remote|source|src|dst|dest|host|user|peer)_?ip"
        r"(_?addr(ess)?)?_|_remote_?addr_",
    ),
    (
        "postal_address",
        True,
        r"_(home|postal|street|mailing|billing|shipping|residential|delivery|post)_?"
        r"addr(ess)?(_?line_?\d?)?_|_address(_?line_?\d?)?_|_street(_?name|_?address)?_"
        r"|_strasse_|_hausnummer_|_anschrift_|_adresse_|_wohnort_|_direccion_|_indirizzo_"
        r"|_zip(_?code)?_|_post_?code_|_postal_?code_|_plz_|_postleitzahl_|_code_?postal_",
    ),
    (
        "geolocation",
        True,
        r"_latitude_|_longitude_|_geo_?(location|loc|coordinates|point|hash)_|_gps(_?\w+)?_"
        r"|_coordinates_|_lat_?lon(g)?_|_lat_?lng_|_breiten_?grad_|_langen_?grad_",
    ),
    # "long" and "lat" say little mid-name ("long_term_rate"); only as the last word.
    ("geolocation", False, r"_(lat|lon|lng|long)(_?deg(rees)?)?_$"),
    (
        "racial_ethnic_origin",
        True,
        r"_race_|_racial_|_ethnic(ity|_?origin|_?group|_?background)?_|_ethnie_|_etnia_"
        r"|_skin_?(colou?r|tone)_|_raza_|_origine_?ethnique_|_ethnische_?herkunft_",
    ),
    (
        "religion",
        True,
        r"_religio(n|us|ne)(_?\w+)?_|_faith_|_konfession_|_confession_|_denomination_"
        r"|_religionszugehorigkeit_|_belief_?system_|_philosophical_?beliefs?_",
    ),
    (
        "health",
        True,
        r"_diagnos(is|es|e|tic)(_?code)?_|_icd_?(9|10|11|o)?(_?code)?_|_disease_|_illness_"
        r"|_medical(_?\w+)?_|_medication_|_prescription_|_symptoms?_|_health(_?\w+)?_"
        r"|_hiv_|_pregnan(t|cy)_|_disabilit(y|ies)_|_disabled_|_blood_?(type|group)_"
        r"|_allerg(y|ies)_|_mental_?(health|illness|disorder)_|_therapy_|_comorbidit(y|ies)_"
        r"|_krankheit_|_diagnose_|_befund_|_sick(ness)?_?(leave|note)_|_bmi_|_vaccination_",
    ),
    # "treatment" is also the arm of an A/B test and "handicap" a golf score.
    ("health", False, r"_treatment_|_condition_|_handicap_|_covid_|_patient_"),
    (
        "sex_life_orientation",
        True,
        r"_sexual(_?orientation|ity|_?preference|_?life)?_|_sex_?life_|_lgbt\w*_"
        r"|_sexuelle_?orientierung_|_orientation_?sexuelle_",
    ),
    (
        "political_opinion",
        True,
        r"_politic(s|al)(_?\w+)?_|_party_?(affiliation|membership|preference)_|_voted?_?for_"
        r"|_voting_?(intention|preference)_|_partei(zugehorigkeit)?_|_ideology_",
    ),
    (
        "union_membership",
        True,
        r"_(trade|labou?r)_?union(_?\w+)?_|_union_?(member|membership|dues)_|_gewerkschaft\w*_"
        r"|_syndicat_|_sindicato_",
    ),
    (
        "biometric",
        True,
        r"_biometric\w*_|_finger_?print\w*_|_face_?(encoding|embedding|template|print|id|scan)_"
        r"|_facial\w*_|_iris_?(scan|code|template)_|_retina\w*_|_voice_?print_|_palm_?print_"
        r"|_gait_",
    ),
    (
        "genetic",
        True,
        r"_genetic\w*_|_genom(e|ic)\w*_|_genotype\w*_|_dna\w*_|_snps?_|_rs\d{3,}_|_allele\w*_"
        r"|_haplo_?(group|type)_|_brca\d?_|_gene_?(variant|test|expression)_",
    ),
)

_COMPILED_NAME_RULES = tuple(
    (category, strong, re.compile(pattern)) for category, strong, pattern in _NAME_RULES
)

#: Names that say "this names a thing, not a person"; they cancel weak person-name hints.
_NON_PERSON_NAME_TOKENS = frozenset(
    {
        "product", "company", "file", "filename", "item", "brand", "city", "country", "street",
        "team", "club", "org", "organisation", "organization", "business", "store", "shop",
        "host", "hostname", "server", "column", "field", "table", "dataset", "model",
        "feature", "category", "class", "project", "app", "application", "event", "place",
        "location", "species", "drug", "song", "book", "title", "school", "university",
        "hospital", "bank", "sheet", "domain", "package", "device", "region", "state",
        "district", "county", "variable", "job", "role", "department", "dept", "merchant",
        "vendor", "supplier", "game", "movie", "film", "track", "album", "channel", "group",
        "tag", "label", "metric", "service", "machine", "node", "cluster", "bucket", "key",
        "stage", "step", "task", "test", "plan", "policy", "pipeline", "sku", "color", "colour",
        "font", "image", "zone", "site", "page", "url", "link", "path", "unit", "currency",
        "language", "genre", "venue", "stadium", "airport", "station", "port", "ship",
        "vessel", "building", "user", "username", "screen", "account", "attribute", "param",
        "parameter", "setting", "index", "sensor", "instrument", "ticker", "fund", "asset",
    }
)  # fmt: skip


@dataclass(frozen=True)
class _NameMatch:
    category: str
    strong: bool
    keyword: str


#: Tokens that show an "address" is not a postal one.
_NON_POSTAL_ADDRESS_TOKENS = frozenset(
    {"ip", "ipv4", "ipv6", "email", "mail", "mac", "web", "url", "wallet", "memory", "hex",
     "remote", "server", "contract", "bitcoin", "btc", "eth", "host", "network", "bus"}
)  # fmt: skip


def _name_matches(column: str) -> list[_NameMatch]:
    norm = normalise_column_name(column)
    if not norm:
        return []
    tokens = set(norm.split("_"))
    padded = f"_{norm}_"
    matches: list[_NameMatch] = []
    seen: set[tuple[str, bool]] = set()
    for category, strong, pattern in _COMPILED_NAME_RULES:
        found = pattern.search(padded)
        if found is None:
            continue
        keyword = found.group(0).strip("_")
        # "email_count" or "has_phone" describe the data rather than hold it. Special
        # categories are exempt: "hiv_status" or "blood_type" is the health data itself.
        extra_tokens = tokens - set(keyword.split("_"))
        if category in DIRECT_IDENTIFIER_CATEGORIES and extra_tokens & _DERIVED_TOKENS:
            continue
        if category == "person_name" and tokens & _NON_PERSON_NAME_TOKENS:
            continue
        if category == "postal_address" and tokens & _NON_POSTAL_ADDRESS_TOKENS:
            continue
        if (category, strong) in seen:
            continue
        seen.add((category, strong))
        matches.append(_NameMatch(category, strong, keyword))
    return matches


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


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


def _as_text(value: object) -> str:
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


def _is_email(text: str) -> bool:
    return bool(_EMAIL_RE.fullmatch(text) or _EMAIL_WITH_NAME_RE.fullmatch(text))


_PHONE_SHAPE_RE = re.compile(
    r"\+?[\d\s().\-/]{6,24}?(?:\s*(?:x|ext\.?|extension|#)\s*\d{1,6})?", re.IGNORECASE
)
_DATE_SHAPE_RE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_DECIMAL_RE = re.compile(r"[-+]?\d+[.,]\d+")
_PHONE_REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "CH", "AT", "IN")


def _is_phone(text: str, *, hinted: bool) -> bool:
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


def _is_iban(text: str) -> bool:
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


def _card_brand(text: str) -> str | None:
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


def _is_ip(text: str) -> bool:
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


def _national_id_kind(text: str, *, hinted: bool) -> str | None:
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


def _as_date(value: object) -> dt.date | None:
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


def _is_lat_lon_pair(text: str) -> bool:
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


_STREET_WORDS = (
    "street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|"
    "terrace|square|sq|parkway|pkwy|highway|hwy|circle|cir|crescent|close|grove|gardens|row|"
    "trail|trl|alley|plaza|suite|apt|apartment|unit|floor|po box|"
    "strasse|str|weg|allee|platz|gasse|ring|damm|ufer|chaussee|"
    "rue|avenue|boulevard|chemin|impasse|allee|quai|"
    "calle|avenida|paseo|plaza|carrer|via|viale|piazza|corso|straat|laan|plein|gracht"
)
_STREET_NUMBER_FIRST_RE = re.compile(
    rf"\d{{1,6}}[a-zA-Z]?,?\s+(?:[^\W\d_][\w'.-]*\s+){{0,5}}(?:{_STREET_WORDS})\b\.?",
    re.IGNORECASE,
)
_STREET_NAME_FIRST_RE = re.compile(
    rf"(?:[^\W\d_][\w'.-]*\s+){{0,4}}[^\W\d_]*(?:{_STREET_WORDS})\.?\s+\d{{1,5}}\s?[a-zA-Z]?\b",
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


_HONORIFICS = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "herr", "frau",
        "mme", "mlle", "m", "sr", "sra", "srta", "don", "dona", "sig", "sig.ra", "master",
    }
)  # fmt: skip
_PARTICLES = frozenset(
    {
        "van", "von", "de", "da", "del", "della", "der", "den", "di", "du", "la", "le", "bin",
        "binti", "al", "el", "ibn", "ter", "ten", "zu", "y", "dos", "das", "do", "st", "st.",
    }
)  # fmt: skip
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "jnr", "snr"})


def _name_token_kind(token: str) -> str | None:
    bare = token.strip(",")
    low = bare.lower().rstrip(".")
    if low in _HONORIFICS and bare[:1].isupper():
        return "honorific"
    if low in _SUFFIXES:
        return "suffix"
    if bare in _PARTICLES:
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


def _lexicon(*terms: str) -> frozenset[str]:
    return frozenset(_normalise_value(term) for term in terms)


def _normalise_value(value: str) -> str:
    return normalise_column_name(value).replace("_", " ")


#: Values that point at a special category. "strong" terms name it unambiguously; "weak"
#: ones (white, black, orthodox, liberal) also describe products, colours or opinions about
#: cooking, so they count only beside a strong term or a matching column name.
_CATEGORY_LEXICONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "racial_ethnic_origin": (
        _lexicon(
            "asian", "hispanic", "latino", "latina", "latinx", "caucasian", "african american",
            "african-american", "native american", "american indian", "alaska native",
            "pacific islander", "native hawaiian", "amer-indian-eskimo", "asian-pac-islander",
            "middle eastern", "arab", "multiracial", "biracial", "aboriginal",
            "torres strait islander", "hispanic or latino", "not hispanic or latino",
            "black or african american", "white british", "black british", "south asian",
            "east asian", "roma", "sinti",
        ),
        _lexicon("white", "black", "other", "mixed", "mixed race", "indian", "chinese",
                 "unknown", "not stated"),
    ),
    "religion": (
        _lexicon(
            "catholic", "roman catholic", "protestant", "muslim", "islam", "islamic", "jewish",
            "judaism", "hindu", "hinduism", "buddhist", "buddhism", "christian", "christianity",
            "atheist", "agnostic", "sikh", "sikhism", "evangelical", "lutheran", "anglican",
            "baptist", "methodist", "mormon", "shia", "sunni", "katholisch", "evangelisch",
            "romisch-katholisch", "muslimisch", "judisch", "konfessionslos", "jain", "taoist",
            "shinto", "jehovah's witness", "pentecostal", "presbyterian", "quaker",
        ),
        _lexicon("orthodox", "none", "no religion", "other", "rk", "ev", "ohne"),
    ),
    "health": (
        _lexicon(
            "diabetes", "type 1 diabetes", "type 2 diabetes", "hypertension", "asthma",
            "depression", "cancer", "hiv", "aids", "hiv positive", "covid-19", "copd",
            "epilepsy", "dementia", "alzheimer's", "alzheimers", "schizophrenia",
            "bipolar disorder", "anxiety disorder", "obesity", "stroke", "heart disease",
            "coronary artery disease", "arthritis", "hepatitis", "tuberculosis", "pregnant",
            "autism", "adhd", "multiple sclerosis", "parkinson's", "leukemia", "lymphoma",
            "migraine", "chronic kidney disease", "heart failure", "pneumonia",
        ),
        _lexicon("healthy", "none", "other", "anxiety", "positive", "negative"),
    ),
    "sex_life_orientation": (
        _lexicon("heterosexual", "homosexual", "bisexual", "gay", "lesbian", "asexual",
                 "pansexual", "queer"),
        _lexicon("straight", "other", "prefer not to say"),
    ),
    "political_opinion": (
        _lexicon(
            "democrat", "republican", "democratic party", "republican party", "socialist",
            "communist", "libertarian", "green party", "labour", "labour party",
            "conservative party", "liberal democrats", "cdu", "csu", "spd", "fdp", "afd",
            "die linke", "bundnis 90/die grunen", "tory", "ukip", "sinn fein",
        ),
        _lexicon("conservative", "liberal", "independent", "green", "left", "right",
                 "centre", "center", "other", "none"),
    ),
}  # fmt: skip

_ICD10_RE = re.compile(r"[A-TV-Z]\d[0-9AB](?:\.[0-9A-KXZ]{1,4})?", re.IGNORECASE)
_ICD10_DOTTED_RE = re.compile(r"[A-TV-Z]\d[0-9AB]\.[0-9A-KXZ]{1,4}", re.IGNORECASE)
_GENOTYPE_RE = re.compile(r"[ACGT]{2}|[ACGT][/|][ACGT]|--|[ID]{2}", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Evidence masking
# --------------------------------------------------------------------------------------------


def _mask(text: str, category: str) -> str:
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


# --------------------------------------------------------------------------------------------
# Scanning
# --------------------------------------------------------------------------------------------


@dataclass
class _ValueCheck:
    category: str
    detector: str
    share: float
    matched: int
    example: str | None
    note: str = ""
    weight: float = 1.0


def _share(
    values: Sequence[str], predicate: Callable[[str], bool]
) -> tuple[float, int, str | None]:
    matched = 0
    example: str | None = None
    for text in values:
        if predicate(text):
            matched += 1
            if example is None:
                example = text
    return (matched / len(values) if values else 0.0), matched, example


def _collect_sample(values: Sequence[object], sample_size: int) -> list[object]:
    sample: list[object] = []
    for value in values:
        if _is_null(value):
            continue
        sample.append(value)
        if len(sample) >= sample_size:
            break
    return sample


def _value_checks(
    raw: list[object], texts: list[str], hints: set[str], strong_hints: set[str]
) -> list[_ValueCheck]:
    """Run every value detector and return those whose share passes the threshold."""
    checks: list[_ValueCheck] = []

    def add(
        category: str,
        detector: str,
        predicate: Callable[[str], bool],
        *,
        weight: float = 1.0,
        note: str = "",
    ) -> None:
        share, matched, example = _share(texts, predicate)
        checks.append(_ValueCheck(category, detector, share, matched, example, note, weight))

    add("email", "email_regex", _is_email)
    add("phone", "phone_number", lambda t: _is_phone(t, hinted="phone" in hints))
    add("iban", "iban_mod97", _is_iban)
    add("payment_card", "card_luhn_iin", lambda t: _card_brand(t) is not None)
    add("ip_address", "ip_address", _is_ip)
    add(
        "national_id",
        "national_id_checksum",
        lambda t: _national_id_kind(t, hinted="national_id" in hints) is not None,
    )
    add("postal_address", "address_pattern", _is_postal_address, weight=0.9)
    add("geolocation", "lat_lon_pair", _is_lat_lon_pair)
    if "person_name" in hints:
        single = "person_name" in strong_hints
        add(
            "person_name",
            "person_name_pattern",
            lambda t: _is_person_name(t, single_token_ok=single),
            weight=0.9,
        )

    checks.extend(_date_of_birth_checks(raw, texts, hinted="date_of_birth" in hints))
    checks.extend(_geo_column_checks(raw, hints))
    checks.extend(_lexicon_checks(texts, hints))
    if "health" in hints:
        add("health", "icd10_code", lambda t: bool(_ICD10_RE.fullmatch(t)))
    else:
        share, matched, example = _share(texts, lambda t: bool(_ICD10_DOTTED_RE.fullmatch(t)))
        chapters = {t[0].upper() for t in texts if _ICD10_DOTTED_RE.fullmatch(t)}
        if len(chapters) >= 3:
            checks.append(_ValueCheck("health", "icd10_code", share, matched, example))
    if "genetic" in hints:
        add("genetic", "genotype_calls", lambda t: bool(_GENOTYPE_RE.fullmatch(t)))
    return [c for c in checks if c.share >= VALUE_SHARE_THRESHOLD and c.matched > 0]


def _date_of_birth_checks(
    raw: list[object], texts: list[str], *, hinted: bool
) -> list[_ValueCheck]:
    """Birth dates: plausible birth years with a name hint, else an adult age distribution.

    Without a hint a date column is called a birth date only if the implied ages look like
    people's (mostly 14-105, median 20-75, spread of years); order or signup dates bunch
    within the last few years and fail that.
    """
    today = dt.date.today()
    dates = [_as_date(value) for value in raw]
    parsed = [(d, t) for d, t in zip(dates, texts, strict=True) if d is not None]
    if hinted and not parsed:
        years = [int(t) for t in texts if re.fullmatch(r"(19|20)\d{2}", t)]
        plausible_years = [y for y in years if 1900 <= y <= today.year]
        if texts and len(plausible_years) / len(texts) >= VALUE_SHARE_THRESHOLD:
            example = str(plausible_years[0])
            share = len(plausible_years) / len(texts)
            return [
                _ValueCheck(
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
        return [_ValueCheck("date_of_birth", "birth_date_range", share, len(past), example)]
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
            _ValueCheck(
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


def _geo_column_checks(raw: list[object], hints: set[str]) -> list[_ValueCheck]:
    """Separate latitude/longitude columns: numbers in range with street-level precision."""
    if "geolocation" not in hints or not raw:
        return []
    numbers = [_as_float(value) for value in raw]
    in_range = [
        n for n in numbers if n is not None and -180 <= n <= 180 and not float(n).is_integer()
    ]
    share = len(in_range) / len(raw)
    example = f"{in_range[0]:.4f}" if in_range else None
    return [_ValueCheck("geolocation", "coordinate_range", share, len(in_range), example)]


def _lexicon_checks(texts: list[str], hints: set[str]) -> list[_ValueCheck]:
    checks = []
    normalised = [_normalise_value(t) for t in texts]
    for category, (strong, weak) in _CATEGORY_LEXICONS.items():
        hinted = category in hints
        matched = [n for n in normalised if n in strong or (n in weak and hinted)]
        strong_distinct = {n for n in normalised if n in strong}
        weak_matched = [n for n in normalised if n in weak]
        total = len(matched) + (0 if hinted else len(weak_matched))
        if not hinted and len(strong_distinct) < 2:
            continue
        share = total / len(texts) if texts else 0.0
        example = next((t for t, n in zip(texts, normalised, strict=True) if n in strong), None)
        checks.append(_ValueCheck(category, "category_values", share, total, example))
    return checks


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


def _most_specific(checks: list[_ValueCheck]) -> list[_ValueCheck]:
    identifiers = [c for c in checks if c.category in _SPECIFICITY]
    others = [c for c in checks if c.category not in _SPECIFICITY]
    if not identifiers:
        return others
    best = min(identifiers, key=lambda c: (_SPECIFICITY.index(c.category), -c.share))
    return [best, *others]


def _scan_column(column: str, values: Sequence[object], sample_size: int) -> list[PIIHit]:
    matches = _name_matches(column)
    hints = {m.category for m in matches}
    strong_hints = {m.category for m in matches if m.strong}
    keywords = {m.category: m.keyword for m in matches}
    raw = _collect_sample(values, sample_size)
    texts = [_as_text(value) for value in raw]

    hits: dict[str, PIIHit] = {}
    value_checks = _most_specific(_value_checks(raw, texts, hints, strong_hints) if texts else [])
    enough = len(texts) >= MIN_VALUES_FOR_VALUE_ONLY
    for check in value_checks:
        name_matched = check.category in hints
        if not name_matched and not enough:
            continue
        confidence = _confidence(check.share, name_matched=name_matched, weight=check.weight)
        evidence = (
            f"{check.share:.0%} of {len(texts)} sampled values pass {check.detector}"
            + (f" ({check.note})" if check.note else "")
            + (f"; column name matches '{keywords[check.category]}'" if name_matched else "")
            + (f"; e.g. {_mask(check.example, check.category)}" if check.example else "")
        )
        previous = hits.get(check.category)
        if previous is None or previous.confidence < confidence:
            hits[check.category] = PIIHit(
                column, check.category, check.detector, confidence, evidence
            )

    value_categories_checked = {
        "email", "phone", "iban", "payment_card", "ip_address", "national_id",
        "date_of_birth", "geolocation", "person_name", "postal_address",
    }  # fmt: skip
    for match in matches:
        if not match.strong or match.category in hits:
            continue
        contradicted = match.category in value_categories_checked and enough
        if match.category in {"postal_address", "geolocation"} and contradicted:
            # Postcodes, cities and single coordinates fail the full-address checks but
            # are still location data; the name is the better witness here.
            contradicted = False
        confidence = NAME_CONTRADICTED_CONFIDENCE if contradicted else NAME_ONLY_CONFIDENCE
        evidence = f"column name matches '{match.keyword}'"
        if contradicted:
            evidence += "; sampled values do not have the usual shape (coded or hashed?)"
        elif not texts:
            evidence += "; no non-null values to check"
        hits[match.category] = PIIHit(column, match.category, "column_name", confidence, evidence)
    return sorted(hits.values(), key=lambda hit: (-hit.confidence, hit.category))


def scan_columns(
    columns: Mapping[str, Sequence[object]], *, sample_size: int = 200
) -> list[PIIHit]:
    """Return suspected personal data per column, most confident first within a column.

    ``columns`` maps a column name to its values (the profiler's ``sample_values`` or a
    slice of the data); only the first ``sample_size`` non-null values are inspected.
    """
    if sample_size < 1:
        raise ValueError("sample_size must be at least 1")
    hits: list[PIIHit] = []
    for column, values in columns.items():
        hits.extend(_scan_column(str(column), values, sample_size))
    return hits


# --------------------------------------------------------------------------------------------
# Protected attributes for fairness checks
# --------------------------------------------------------------------------------------------

#: (kind, pattern on ``_<normalised name>_``). Order matters: ``personal_status`` in German
#: Credit mixes sex and marital status, and fairness tooling treats it as marital status.
_PROTECTED_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("marital_status", r"_(marital|civil|family|personal|relationship)_?status_|_marital_"
                           r"|_married_|_familienstand_|_etat_?civil_|_estado_?civil_"
                           r"|_relationship_"),
        ("sex", r"_sex_|_sexe_|_sexo_|_geschlecht_|_biological_?sex_|_sex_?at_?birth_"),
        ("gender", r"_gender(_?identity)?_|_genero_"),
        ("age", r"_age(_?(years?|group|band|bucket|bin|range|cat(egory)?|at_?\w+))?_|_ages_"
                r"|_alter_|_edad_|_eta_|_d_?o_?b_|_(date|year)_?of_?birth_|_birth_?(date|year)_"
                r"|_geburts_?(datum|jahr)_|_age_?in_?years_"),
        ("race", r"_race_|_racial_|_raza_|_skin_?(colou?r|tone)_"),
        ("ethnicity", r"_ethnic(ity|_?origin|_?group|_?background)?_|_ethnie_|_etnia_"),
        ("nationality", r"_nationalit(y|ies|e|at)_|_citizenship_|_(native|birth)_?country_"
                        r"|_country_?of_?(birth|origin|citizenship)_|_foreign(_?worker|er)?_"
                        r"|_immigra(nt|tion)(_?status)?_|_migration_?background_"
                        r"|_staats_?angehorigkeit_|_migrationshintergrund_"),
        ("religion", r"_religio(n|us|ne)_|_faith_|_konfession_|_denomination_"),
        ("disability", r"_disabilit(y|ies)_|_disabled_|_handicap(ped)?_|_behinderung_"
                       r"|_impairment_"),
    )
)  # fmt: skip

#: Things that have an age or a status but are not people.
_NON_PERSON_ATTRIBUTE_TOKENS = frozenset(
    {
        "account", "vehicle", "car", "building", "house", "property", "loan", "credit",
        "contract", "policy", "product", "device", "file", "record", "cache", "page", "item",
        "machine", "data", "model", "tree", "equipment", "asset", "company", "firm", "business",
        "battery", "tyre", "tire", "engine", "debt", "claim", "case", "ticket", "job",
    }
)  # fmt: skip


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
    for kind, pattern in _PROTECTED_RULES:
        if not pattern.search(padded):
            continue
        if kind in {"age", "marital_status"} and tokens & _NON_PERSON_ATTRIBUTE_TOKENS:
            continue
        if kind == "sex" and tokens & {"life", "orientation", "offender", "work", "worker"}:
            continue
        return kind
    return None
