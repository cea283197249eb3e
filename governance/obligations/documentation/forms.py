"""The documentation form: one text area per section, and the oversight measures as rows."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.kernel.web import Form
from governance.obligations.documentation.selectors import LABELS
from governance.obligations.documentation.services import MEASURE_KEYS, TEXT_SECTIONS

EXTRA_MEASURE_ROWS = 2


class DocumentationForm(Form):
    note = forms.CharField(required=False, max_length=300, label=_("What changed (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in TEXT_SECTIONS:
            self.fields[name] = forms.CharField(
                required=False,
                max_length=20000,
                label=gettext(LABELS[name]),
                widget=forms.Textarea(attrs={"rows": 3}),
            )


def measures_from_post(data) -> list[dict]:
    """Rows ``m-<i>-<key>`` of the measures table, in order."""
    rows = []
    i = 0
    while f"m-{i}-measure" in data:
        rows.append({key: data.get(f"m-{i}-{key}", "") for key in MEASURE_KEYS})
        i += 1
    return rows


def measure_rows(measures: list[dict]) -> list[dict]:
    return [*measures, *(dict.fromkeys(MEASURE_KEYS, "") for _ in range(EXTRA_MEASURE_ROWS))]
