"""Forms of the conformity page; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.kernel.web import Form
from governance.obligations.conformity.models import DerogationCondition


def _text(label, rows=2, required=False):
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


class DeclarationForm(Form):
    provider_name = forms.CharField(
        max_length=300, required=False, label=_("Provider: name and type (Annex V 1)")
    )
    provider_address = _text(_("Provider or authorised representative: address (Annex V 1)"))
    system_reference = _text(_("AI system: name, type and unambiguous reference (Annex V 2)"))
    other_union_law = _text(_("Other Union law the system conforms with (Annex V 4)"))
    processes_personal_data = forms.BooleanField(
        required=False, label=_("The system processes personal data (Annex V 5)")
    )
    standards = _text(_("Harmonised standards or common specifications (Annex V 6)"))
    notified_body = _text(_("Notified body, procedure and certificate (Annex V 7)"))


class SignForm(Form):
    signatory_name = forms.CharField(max_length=200, label=_("Name of the person signing"))
    signatory_function = forms.CharField(max_length=200, label=_("Function"))
    on_behalf_of = forms.CharField(max_length=300, label=_("For and on behalf of"))
    place_of_issue = forms.CharField(max_length=200, label=_("Place of issue"))


class DerogationForm(Form):
    annex_iii_area = forms.CharField(max_length=200, label=_("Annex III area"))
    conditions = forms.MultipleChoiceField(
        choices=[(value, _(label)) for value, label in DerogationCondition.choices],
        required=False,
        label=_("Conditions of Art. 6(3) that hold"),
        widget=forms.CheckboxSelectMultiple,
    )
    profiling = forms.BooleanField(required=False, label=_("The system profiles natural persons"))
    significant_risk = forms.BooleanField(
        required=False,
        label=_(
            "The system poses a significant risk of harm to health, safety or fundamental rights"
        ),
    )
    reasoning = _text(_("Reasoning"), rows=5, required=True)
