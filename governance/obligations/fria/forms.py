"""The guided FRIA form: one field per element of Art. 27(1), with the article's wording as
its label and what to write as its help."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.kernel.web import Form
from governance.obligations.fria.models import FRIA_ELEMENTS
from governance.obligations.vocab import risk_scales


class FriaForm(Form):
    rights_at_stake = forms.MultipleChoiceField(
        choices=(),
        required=False,
        label=_("Fundamental rights at stake"),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(max_length=300, required=False, label=_("What changed in this revision"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for name, label, point, guidance in FRIA_ELEMENTS:
            fields[name] = forms.CharField(
                required=False,
                max_length=20000,
                label=f"{gettext(label)} ({point})",
                help_text=gettext(guidance),
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        # The rights at stake belong with the risks of point (d).
        ordered = {}
        for name, field in fields.items():
            ordered[name] = field
            if name == "specific_risks":
                ordered["rights_at_stake"] = self.fields["rights_at_stake"]
        self.fields = {**ordered, "note": self.fields["note"]}
        self.fields["rights_at_stake"].choices = [
            (r["key"], gettext(r["label"])) for r in risk_scales()["fundamental_rights"]
        ]
