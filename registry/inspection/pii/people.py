"""Person names in any casing, judged over a column with name lists, not one value's shape.

"miguel hernandez" in lower case has no shape that tells it from "ford torino"; what tells
them apart is that Miguel is a given name and Hernández a family name in the lists Faker
ships for 86 locales (about 30,000 given names and 28,000 family names, MIT licensed), and
that a column of people's names has many distinct values. So:

* a value is name-like when it has one to five alphabetic tokens, no digits, and (with two
  or more tokens) a given name plus another listed name, or (alone) one listed name;
* tokens that mark places and organisations (airport, county, gmbh, university, ...) veto a
  value, because many places carry people's names;
* the column counts, not the value: enough name-like values, and enough distinct ones, so a
  colour column (green, white, brown are surnames too) or a status column never qualifies;
  a column named like names may have few distinct values (a field experiment's 36 first
  names) if nearly all of them start with a listed given name.

The lists load once, lazily, on first use (about a second). Accents and case are folded
before comparing, so "HERNÁNDEZ", "hernandez" and "Hernández" are the same token.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import faker.providers.person as faker_person

#: Tokens that make a value a place, a building or an organisation rather than a person.
NON_PERSON_TOKENS = frozenset(
    {
        "airport", "airfield", "airpark", "municipal", "international", "regional", "county",
        "field", "memorial", "university", "college", "school", "academy", "hospital", "clinic",
        "farm", "inc", "ltd", "llc", "plc", "gmbh", "ag", "sa", "srl", "bv", "nv", "corp",
        "company", "co", "group", "bank", "church", "cathedral", "park", "lake", "river",
        "mount", "mountain", "city", "town", "village", "street", "road", "avenue", "station",
        "center", "centre", "club", "hotel", "store", "shop", "market", "museum", "library",
        "bridge", "island", "valley", "beach", "harbor", "harbour", "port", "bay", "hills",
        "heights", "springs", "falls", "creek", "ridge", "forest", "base", "afb", "heliport",
        "seaplane", "strip", "ranch", "district", "province", "state", "republic", "kingdom",
        "federation", "united", "north", "south", "east", "west", "new", "san", "santa",
        "saint", "fort", "lane", "drive", "way", "plaza", "square", "hall", "house",
        "tower", "building", "services", "solutions", "systems", "technologies", "partners",
        "associates", "foundation", "institute", "society", "association", "council", "team",
    }
)  # fmt: skip

_TOKEN_SPLIT_RE = re.compile(r"[\s,;/]+")
_ALPHA_TOKEN_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|['’.-])*", re.UNICODE)
_PARTICLES = frozenset(
    {
        "van", "von", "de", "da", "del", "della", "der", "den", "di", "du", "la", "le", "bin",
        "binti", "al", "el", "ibn", "ter", "ten", "zu", "y", "dos", "das", "do", "e", "mc",
    }
)  # fmt: skip
_TITLES = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "herr", "frau",
        "mme", "mlle", "m", "sr", "sra", "srta", "don", "dona", "doña", "sig", "sig.ra", "jr",
        "ii", "iii", "iv", "phd", "md", "dds", "dvm",
    }
)  # fmt: skip

#: Share of sampled values that must be name-like: lower with a name hint in the column
#: name ("nombre", "full_name"), higher without one.
SHARE_HINTED = 0.5
SHARE_UNHINTED = 0.6
#: A column of people has many distinct names; a column of five colours does not.
MIN_DISTINCT = 8
MIN_DISTINCT_SHARE = 0.3


def fold(token: str) -> str:
    """Lower case without accents: the form the name lists are kept in."""
    token = token.lower().replace("ß", "ss").strip(".'’-")
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _names(provider, attributes: tuple[str, ...]) -> set[str]:
    found: set[str] = set()
    for attribute in attributes:
        value = getattr(provider, attribute, None)
        if isinstance(value, (dict, list, tuple, set, frozenset)):
            found.update(value)
    return found


@functools.cache
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, family names), folded, from every Faker person provider."""
    given: set[str] = set()
    family: set[str] = set()
    for module in pkgutil.iter_modules(faker_person.__path__):
        provider = getattr(
            importlib.import_module(f"{faker_person.__name__}.{module.name}"), "Provider", None
        )
        if provider is None:
            continue
        # Locales spell their lists differently: first_names_female, male_last_names,
        # unisex_last_names, ...
        attributes = [a for a in vars(provider) if not a.startswith("_")]
        given |= _names(provider, tuple(a for a in attributes if "first_names" in a))
        family |= _names(provider, tuple(a for a in attributes if "last_names" in a))
    given_folded = {fold(n) for n in given if isinstance(n, str)}
    family_folded = {fold(n) for n in family if isinstance(n, str)}
    # One-letter entries and particles are not evidence of anything.
    noise = {n for n in given_folded | family_folded if len(n) < 2} | _PARTICLES
    return frozenset(given_folded - noise), frozenset(family_folded - noise)


def _tokens(text: str) -> list[str] | None:
    """The name tokens of a value, or None when it cannot be a name (digits, symbols)."""
    if not text or len(text) > 80 or any(ch.isdigit() for ch in text) or "@" in text:
        return None
    raw = [t for t in _TOKEN_SPLIT_RE.split(text.strip()) if t]
    if not 1 <= len(raw) <= 6 or text.count(",") > 1:
        return None
    tokens = []
    for token in raw:
        if not _ALPHA_TOKEN_RE.fullmatch(token):
            return None
        folded = fold(token)
        if folded in _TITLES or folded in _PARTICLES or len(folded) <= 1:
            continue  # titles, particles and initials neither prove nor disprove
        tokens.append(folded)
    return tokens if 1 <= len(tokens) <= 5 else None


def is_listed_name(text: str) -> bool:
    """One value: made of listed names, with a given name when it has several tokens."""
    tokens = _tokens(text)
    if not tokens or any(t in NON_PERSON_TOKENS for t in tokens):
        return False
    given, family = name_lists()
    if len(tokens) == 1:
        return tokens[0] in given or tokens[0] in family
    listed = [t in given or t in family for t in tokens]
    return any(t in given for t in tokens) and sum(listed) >= max(2, len(tokens) - 1)


def has_listed_name(text: str) -> bool:
    """A listed given name, or an initial as people's names have them ("L. Messi")."""
    given, _ = name_lists()
    words = text.split()
    folded = [fold(w) for w in words]
    if any(t in NON_PERSON_TOKENS for t in folded):
        return False
    if any(w in given for w in folded if len(w) > 1):
        return True
    return any(re.fullmatch(r"[^\W\d_]\.", w) for w in words)


def name_column_share(texts: Sequence[str], *, hinted: bool) -> tuple[float, int, str | None]:
    """Share of values that are listed names, if the column as a whole looks like people.

    Returns ``(share, matched, example)``; the share is 0 when the column fails the
    distinctness test (too few different names to be people rather than categories).
    """
    if not texts:
        return 0.0, 0, None
    listed = {t: is_listed_name(t) for t in set(texts)}
    matched = [t for t in texts if listed[t]]
    distinct = {fold(t) for t in matched}
    needed = min(MIN_DISTINCT, max(3, len(texts) // 2))
    few = len(distinct) < needed or len(distinct) < MIN_DISTINCT_SHARE * len(matched)
    if few and not (hinted and _nearly_all_given_names(texts, len(distinct))):
        return 0.0, len(matched), matched[0] if matched else None
    share = len(matched) / len(texts)
    threshold = SHARE_HINTED if hinted else SHARE_UNHINTED
    return (share if share >= threshold else 0.0), len(matched), matched[0] if matched else None


#: Share of values that must start with a listed given name for a column named like names
#: to count with few distinct values (a field experiment's 36 first names over 5,000 rows).
FEW_NAMES_GIVEN_SHARE = 0.9
#: Even then, at least this many different names: one or two repeated values are a label.
FEW_NAMES_MIN_DISTINCT = 3


def _nearly_all_given_names(texts: Sequence[str], distinct: int) -> bool:
    """Nearly every value starts with a given name, over a few different names.

    Only asked when the column name already says "name": colours and statuses repeat a
    few values too, but seldom are they all given names (family names do not count, since
    Green, White and Brown are both).
    """
    if distinct < FEW_NAMES_MIN_DISTINCT:
        return False
    given, _ = name_lists()
    counts = Counter(texts)
    starts_given = sum(
        n for text, n in counts.items() if (tokens := _tokens(text)) and tokens[0] in given
    )
    return starts_given >= FEW_NAMES_GIVEN_SHARE * len(texts)


def find_names_in_text(text: str) -> str | None:
    """A "given family" pair of listed names inside free text, in any casing, or None."""
    given, family = name_lists()
    words = list(re.findall(r"[^\W\d_][\w'’-]*", text))
    folded = [fold(w) for w in words]
    for i in range(len(folded) - 1):
        first, second = folded[i], folded[i + 1]
        if len(first) < 2 or len(second) < 2:
            continue
        if first in given and (second in family or second in given):
            if first in NON_PERSON_TOKENS or second in NON_PERSON_TOKENS:
                continue
            # Ordinary lower-case prose ("will", "may", "rose") collides with given names;
            # a pair where both words are also among the commonest words is skipped.
            if first in COMMON_WORDS and second in COMMON_WORDS:
                continue
            return f"{words[i]} {words[i + 1]}"
    return None


#: Frequent words of the project's languages that are also listed names ("will grant",
#: "may rose"); two of them in a row are prose, not a person.
COMMON_WORDS = frozenset(
    {
        "will", "may", "can", "mark", "grant", "rose", "june", "april", "august", "long",
        "young", "bill", "frank", "rich", "joy", "hope", "faith", "grace", "price", "king",
        "green", "white", "black", "brown", "gray", "grey", "summer", "winter", "page", "hall",
        "street", "the", "and", "for", "said", "last", "next", "more", "less", "over", "under",
        "back", "call", "reply", "paid", "ship", "born", "login", "from", "with", "about",
        "de", "la", "le", "les", "des", "el", "los", "las", "der", "die", "das", "und", "van",
        "het", "een", "il", "lo", "gli", "da", "di", "do", "em", "para", "con", "per", "sur",
    }
)  # fmt: skip
