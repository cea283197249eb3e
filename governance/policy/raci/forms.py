"""Forms of the governance pages. They only parse and validate input; the services decide."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.kernel.accounts.models import User
from governance.kernel.web import Form
from governance.policy.raci.models import Raci


class ResponsibilityForm(Form):
    """Target choices are ``system:<id>``, ``model:<id>`` or ``dataset:<id>``, given by the
    view from what the acting admin may see."""

    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        label=_("Person"),
        empty_label=_("Choose a person"),
    )
    role = forms.ChoiceField(
        choices=[(value, _(label)) for value, label in Raci.choices], label=_("RACI role")
    )
    target = forms.ChoiceField(label=_("On"))
    ends_at = forms.DateField(
        required=False,
        label=_("Ends on (optional)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(required=False, max_length=300, label=_("Note"))

    def __init__(self, *args, targets: list[tuple[str, list[tuple[str, str]]]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("Choose a system, model or dataset")), *targets]

    def clean_ends_at(self):
        day = self.cleaned_data.get("ends_at")
        if day is None:
            return None
        # Ends at the start of that day in the server's time zone.
        return timezone.make_aware(datetime.combine(day, time.min))
