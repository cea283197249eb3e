"""Forms of the incident pages; the services decide."""

from __future__ import annotations

from django import forms

from governance.kernel.accounts.models import User
from governance.kernel.web import Form
from governance.obligations.vocab import incident_clocks


def category_choices():
    return [
        (c["key"], f"{c['label']} — {c['days']} days ({c['article']})")
        for c in incident_clocks()["categories"]
    ]


class IncidentForm(Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(choices=())
    aware_at = forms.DateTimeField(
        label="Became aware at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        required=False,
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"), label="Owner"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()


class ReportedForm(Form):
    authority = forms.CharField(max_length=200, label="Market surveillance authority")


class FollowUpForm(Form):
    text = forms.CharField(label="Follow-up", widget=forms.Textarea(attrs={"rows": 3}))
