"""Forms of the sign-in settings page. They only parse input; the services decide."""

from __future__ import annotations

from django import forms

from governance.kernel.accounts.models import Role, Team
from governance.kernel.web import Form


class GroupMappingForm(Form):
    group = forms.CharField(max_length=200, label="Identity provider group")
    role = forms.ChoiceField(choices=[("", "— no role —"), *Role.choices], required=False)
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label="— no team —"
    )

    def clean(self):
        data = super().clean()
        if not data.get("role") and not data.get("team"):
            raise forms.ValidationError("A rule gives a role, a team, or both.")
        return data


class SignInPolicyForm(Form):
    mfa_required_roles = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Roles that must use a second factor",
    )
