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
attributes a fairness check should group by. The package imports nothing from Django.

Modules: ``lexicons`` (category vocabularies, name patterns, word lists), ``normalise`` (the
forms names and values are compared in), ``names`` (hints from column names), ``values``
(evidence from sampled values) and ``scan`` (``scan_columns``, ``suggest_sensitive_attribute``
and the public result types).
"""

from .scan import (
    DIRECT_IDENTIFIER_CATEGORIES,
    NAME_CONTRADICTED_CONFIDENCE,
    NAME_ONLY_CONFIDENCE,
    PII_CATEGORIES,
    PROTECTED_ATTRIBUTE_KINDS,
    SPECIAL_CATEGORIES,
    VALUE_SHARE_THRESHOLD,
    PIIHit,
    normalise_column_name,
    scan_columns,
    suggest_sensitive_attribute,
)

__all__ = [
    "DIRECT_IDENTIFIER_CATEGORIES",
    "NAME_CONTRADICTED_CONFIDENCE",
    "NAME_ONLY_CONFIDENCE",
    "PII_CATEGORIES",
    "PROTECTED_ATTRIBUTE_KINDS",
    "SPECIAL_CATEGORIES",
    "VALUE_SHARE_THRESHOLD",
    "PIIHit",
    "normalise_column_name",
    "scan_columns",
    "suggest_sensitive_attribute",
]
