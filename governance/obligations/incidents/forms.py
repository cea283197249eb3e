"""Forms of the incident pages; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from governance.kernel.accounts.models import User
from governance.kernel.web import Form
from governance.obligations.vocab import incident_clocks


def category_choices():
    return [
        (
            c["key"],
            ngettext(
                "%(label)s — %(days)s day (%(article)s)",
                "%(label)s — %(days)s days (%(article)s)",
                c["days"],
            )
            % {"label": gettext(c["label"]), "days": c["days"], "article": c["article"]},
        )
        for c in incident_clocks()["categories"]
    ]


class IncidentForm(Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(choices=(), label=_("Category"))
    aware_at = forms.DateTimeField(
        label=_("Became aware at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        required=False,
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"), label=_("Owner")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()


class ReportedForm(Form):
    authority = forms.CharField(max_length=200, label=_("Market surveillance authority"))


class FollowUpForm(Form):
    text = forms.CharField(label=_("Follow-up"), widget=forms.Textarea(attrs={"rows": 3}))
