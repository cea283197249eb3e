"""The forms of the risk register page; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audits.checks.vocabulary import CHECK_KIND_CHOICES
from governance.kernel.accounts.models import User
from governance.kernel.web import Form
from governance.obligations.risks.models import EvidenceType, RiskStatus
from governance.obligations.vocab import risk_scales


def _levels(scale: str, blank: bool = False):
    levels = [
        (str(x["value"]), f"{x['value']} {gettext(x['label'])}") for x in risk_scales()[scale]
    ]
    return [("", gettext("not assessed yet")), *levels] if blank else levels


class RiskForm(Form):
    title = forms.CharField(max_length=200, label=_("Hazard"))
    hazard = forms.CharField(
        required=False, label=_("How harm could arise"), widget=forms.Textarea(attrs={"rows": 3})
    )
    likelihood = forms.TypedChoiceField(coerce=int, choices=(), label=_("Likelihood"))
    severity = forms.TypedChoiceField(coerce=int, choices=(), label=_("Severity"))
    affected_groups = forms.CharField(required=False, label=_("Affected groups of people"))
    fundamental_rights = forms.MultipleChoiceField(
        required=False,
        choices=(),
        label=_("Fundamental rights"),
        widget=forms.CheckboxSelectMultiple,
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        label=_("Risk owner"),
    )
    residual_likelihood = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, choices=(), label=_("Residual likelihood")
    )
    residual_severity = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, choices=(), label=_("Residual severity")
    )
    review_date = forms.DateField(
        label=_("Review date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(value, _(label)) for value, label in RiskStatus.choices],
        initial=RiskStatus.OPEN,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["likelihood"].choices = _levels("likelihood")
        self.fields["severity"].choices = _levels("severity")
        self.fields["residual_likelihood"].choices = _levels("likelihood", blank=True)
        self.fields["residual_severity"].choices = _levels("severity", blank=True)
        self.fields["fundamental_rights"].choices = [
            (r["key"], gettext(r["label"])) for r in risk_scales()["fundamental_rights"]
        ]


class MitigationForm(Form):
    description = forms.CharField(label=_("Mitigation"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence_type = forms.ChoiceField(
        choices=[(value, _(label)) for value, label in EvidenceType.choices],
        label=_("Evidence"),
    )
    check_kind = forms.ChoiceField(
        required=False, choices=[("", "—"), *CHECK_KIND_CHOICES], label=_("Check kind")
    )
    check_run = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, choices=(), label=_("Check run")
    )
    policy = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, choices=(), label=_("Policy")
    )
    oversight_measure = forms.ChoiceField(required=False, choices=(), label=_("Oversight measure"))

    def __init__(self, *args, check_runs=(), policies=(), measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["check_run"].choices = [
            ("", "—"),
            *((r.pk, f"#{r.pk} {r.kind} ({r.status})") for r in check_runs),
        ]
        self.fields["policy"].choices = [("", "—"), *((p.pk, str(p)) for p in policies)]
        self.fields["oversight_measure"].choices = [
            ("", "—"),
            *((m["measure"], m["measure"]) for m in measures),
        ]
