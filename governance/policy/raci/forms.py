"""Forms of the governance pages. They only parse and validate input; the services decide."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone

from governance.kernel.accounts.models import User
from governance.kernel.web import Form
from governance.policy.raci.models import Raci


class ResponsibilityForm(Form):
    """Target choices are ``system:<id>``, ``model:<id>`` or ``dataset:<id>``, given by the
    view from what the acting admin may see."""

    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        label="Person",
        empty_label="Choose a person",
    )
    role = forms.ChoiceField(choices=Raci.choices, label="RACI role")
    target = forms.ChoiceField(label="On")
    ends_at = forms.DateField(
        required=False,
        label="Ends on (optional)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(required=False, max_length=300)

    def __init__(self, *args, targets: list[tuple[str, list[tuple[str, str]]]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "Choose a system, model or dataset"), *targets]

    def clean_ends_at(self):
        day = self.cleaned_data.get("ends_at")
        if day is None:
            return None
        # Ends at the start of that day in the server's time zone.
        return timezone.make_aware(datetime.combine(day, time.min))
