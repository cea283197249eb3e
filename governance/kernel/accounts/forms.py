"""Forms of the governance pages. They only parse and validate input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.kernel.accounts.models import Role, Team, User
from governance.kernel.web import Form

# The roles as the pages name them: Role's labels are English message ids.
ROLE_CHOICES = [(value, _(label)) for value, label in Role.choices]


class UserCreateForm(Form):
    username = forms.RegexField(
        regex=r"^[\w.@+-]+$",
        max_length=150,
        label=_("Username"),
        error_messages={"invalid": _("Letters, digits and @ . + - _ only.")},
    )
    first_name = forms.CharField(required=False, max_length=150, label=_("First name"))
    last_name = forms.CharField(required=False, max_length=150, label=_("Last name"))
    email = forms.EmailField(required=False, label=_("Email"))
    # No role is preselected: the first option used to be Admin, and a hurried "Create" made
    # an admin. The empty choice is refused, so the role is always picked on purpose.
    role = forms.ChoiceField(
        choices=[("", _("Choose a role…")), *ROLE_CHOICES],
        label=_("Role"),
        error_messages={"required": _("Choose the person's role.")},
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Teams"),
    )
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput,
        label=_("Password"),
        help_text=_(
            "At least 10 characters, not a common one. Leave empty for an API-only account."
        ),
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                _("The username “%(username)s” is taken.") % {"username": username}
            )
        return username


class UserUpdateForm(Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES, label=_("Role"))
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Teams"),
    )
    is_active = forms.BooleanField(required=False, label=_("Active (may sign in)"))

    def __init__(self, *args, person: User, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.person, self.actor = person, actor

    def clean(self):
        data = super().clean()
        if self.person.pk == self.actor.pk:
            # An admin locking themselves out would leave nobody to undo it.
            if data.get("role") and data["role"] != Role.ADMIN:
                self.add_error("role", _("You cannot remove your own admin role."))
            if not data.get("is_active"):
                self.add_error("is_active", _("You cannot deactivate yourself."))
        return data


class TeamForm(Form):
    name = forms.CharField(max_length=120, label=_("New team name"))

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Team.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("A team named “%(name)s” exists.") % {"name": name})
        return name


class PasswordChangeForm(Form):
    old_password = forms.CharField(
        strip=False, widget=forms.PasswordInput, label="Current password", max_length=256
    )
    new_password = forms.CharField(
        strip=False, widget=forms.PasswordInput, label="New password", max_length=256
    )
    new_password_again = forms.CharField(
        strip=False, widget=forms.PasswordInput, label="New password, again", max_length=256
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", "The two new passwords differ.")
        return data
