"""django-filter, strict: a query parameter it cannot read is a 400 naming it.

django-filter reads ``?active=maybe`` as "no filter" and answers every row, so a typo looks
like an answer. Booleans here accept true/false/1/0 and nothing else; the other filters
(choices, ids, dates) already refuse what they cannot parse."""

from __future__ import annotations

from django import forms
from django.db import models
from django_filters import rest_framework as drf_filters

TRUE, FALSE = {"true", "1"}, {"false", "0"}


class _RawWidget(forms.TextInput):
    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictBooleanField(forms.Field):
    widget = _RawWidget

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")


class StrictBooleanFilter(drf_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _RawWidget)
        super().__init__(*args, **kwargs)


class StrictFilterSet(drf_filters.FilterSet):
    FILTER_DEFAULTS = {
        **drf_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
        models.NullBooleanField: {"filter_class": StrictBooleanFilter},
    }


class StrictFilterBackend(drf_filters.DjangoFilterBackend):
    filterset_base = StrictFilterSet
