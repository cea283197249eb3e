"""Forms of the sign-in settings page. They only parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.kernel.accounts.forms import ROLE_CHOICES
from governance.kernel.accounts.models import Team
from governance.kernel.web import Form


class GroupMappingForm(Form):
    group = forms.CharField(max_length=200, label=_("Identity provider group"))
    role = forms.ChoiceField(
        choices=[("", _("— no role —")), *ROLE_CHOICES], required=False, label=_("Role")
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label=_("— no team —"),
        label=_("Team"),
    )

    def clean(self):
        data = super().clean()
        if not data.get("role") and not data.get("team"):
            raise forms.ValidationError(_("A rule gives a role, a team, or both."))
        return data


class SignInPolicyForm(Form):
    mfa_required_roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Roles that must use a second factor"),
    )
