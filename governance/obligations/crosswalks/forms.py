"""The applicability form of one control on the crosswalk page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ApplicabilityForm(forms.Form):
    control = forms.CharField(max_length=24, widget=forms.HiddenInput)
    applicable = forms.TypedChoiceField(
        choices=[("yes", _("Applies")), ("no", _("Excluded"))],
        coerce=lambda v: v == "yes",
        label=_("Applicability"),
    )
    justification = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), label=_("Justification")
    )
