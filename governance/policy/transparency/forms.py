"""The form of the transparency page: it parses input; the service decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.kernel.web import Form
from governance.policy.transparency.services import MAX_CHARS


class TransparencyMeasureForm(Form):
    duty = forms.ChoiceField(label=_("Duty"))
    measure = forms.CharField(
        max_length=MAX_CHARS,
        label=_("What is done"),
        help_text=_("The notice people see, the marking applied to generated content..."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = forms.CharField(
        max_length=MAX_CHARS,
        label=_("Evidence"),
        help_text=_("Where a reviewer can check it: a screenshot's location, a test, a document."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, duties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duty"].choices = [
            (d, f"{gettext('Art.')} {p}: {gettext(label)}") for p, d, label in duties
        ]
