"""Small display filters shared by the browser pages (templates hold no logic)."""

from __future__ import annotations

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext

from audits.checks.vocabulary import CHECK_KIND_CHOICES
from audits.runs.metric_labels import METRIC_LABELS
from governance.kernel.sentences import localize, sentence_from_data
from governance.policy.policies.models import POLICY_TIERS
from governance.review.evaluation import REQUIREMENT_TEXTS

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, or the key itself when it is missing."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


@register.filter
def humanize(value) -> str:
    """``demographic_parity_difference`` → ``demographic parity difference``."""
    return str(value).replace("_", " ").strip()


@register.filter
def metric_label(value) -> str:
    """A metric's key (``roc_auc``) or its words as a report snapshot keeps them (``roc auc``):
    its name in the language of the page or report. In English, and for a metric without a
    label, the key in words, as it was always printed."""
    label = METRIC_LABELS.get(str(value).strip().replace(" ", "_"))
    return gettext(label) if label else humanize(value)


@register.filter
def tier_label(value) -> str:
    """``high_risk`` → ``High risk (Art. 6)``: the label the policies use, translated."""

    return translated(dict(POLICY_TIERS).get(value, value))


@register.filter
def translated(value):
    """A label kept as an English message id (a choice's label, a check kind, a tier) in the
    language of the page; anything else (a value with no label, an empty one) as it is."""
    if isinstance(value, Promise):
        value = str(value)
    return gettext(value) if isinstance(value, str) and value else value


@register.filter
def split(value, sep: str = " ") -> list[str]:
    """``"a b c"|split`` → ``["a", "b", "c"]`` (fixed lists written in a template)."""
    return [part for part in str(value).split(sep or None) if part]


@register.filter
def check_kind(value) -> str:
    """``data_quality`` → ``Data quality``, in the language of the page."""
    return translated(dict(CHECK_KIND_CHOICES).get(value, humanize(value).capitalize()))


@register.filter
def sentence(value) -> str:
    """A sentence the registry computed in English (``governance.kernel.sentences``), in the
    language of the page; other text as it is."""
    return localize(value)


@register.filter
def requirement_text(requirement, name: str) -> str:
    """The ``label``, ``reason`` or ``basis`` of a requirement of the governance payload in
    the language of the page: from its sentence's data, or its English text as kept (a state
    kept before the data was) when there is none."""
    data = (requirement.get(REQUIREMENT_TEXTS) or {}).get(name)
    if data is None:
        return localize(requirement.get(name) or "")
    return localize(sentence_from_data(data))
