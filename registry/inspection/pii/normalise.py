"""Normal forms that column names and category values are compared in.

Both the name patterns and the value vocabularies are written against these forms, so a
column called ``E-Mail Adresse`` and a value ``Roman Catholic`` meet their patterns however
they were spelled. Pure: no Django, no third-party libraries.
"""

from __future__ import annotations

import re
import unicodedata

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


def normalise_value(value: str) -> str:
    return normalise_column_name(value).replace("_", " ")
