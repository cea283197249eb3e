"""Forms of the governance pages. They only parse and validate input; the services decide."""

from __future__ import annotations

import json
from datetime import datetime, time

from django import forms
from django.utils import timezone

from governance.models import (
    ACCOUNTABLE_OWNER,
    CHECK_KINDS,
    DecisionKind,
    Environment,
    Raci,
    Role,
    Team,
    User,
)

COMMENT_MAX = 4000


class Form(forms.Form):
    """Labels without Django's trailing colon; the pages style labels themselves."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DecisionForm(Form):
    decision = forms.ChoiceField(choices=DecisionKind.choices)
    comment = forms.CharField(required=False, max_length=COMMENT_MAX, widget=forms.Textarea)
    password = forms.CharField(required=False, strip=False, widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == DecisionKind.APPROVE and not data.get("password"):
            self.add_error("password", "Enter your password to sign the approval.")
        if (
            decision in (DecisionKind.REJECT, DecisionKind.REQUEST_CHANGES)
            and not (data.get("comment") or "").strip()
        ):
            self.add_error("comment", "Say why, so the data scientist knows what to change.")
        return data


class DeploymentForm(Form):
    environment = forms.ChoiceField(choices=Environment.choices)
    notes = forms.CharField(required=False, max_length=2000)


class ClassificationForm(Form):
    """One field per active questionnaire question, built from the database rows.

    Every field is optional here: which questions must be answered depends on earlier
    answers (Art. 6(3) follow-ups only after an Annex III area), and that is the rules'
    call, reported back by the service as missing answers.
    """

    notes = forms.CharField(required=False, max_length=4000, widget=forms.Textarea)

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            choices = [(o.value, o.label) for o in q.options.all()]
            if q.multiple:
                field = forms.MultipleChoiceField(
                    choices=choices, required=False, widget=forms.CheckboxSelectMultiple
                )
            else:
                field = forms.ChoiceField(choices=choices, required=False, widget=forms.RadioSelect)
            field.label = q.text
            self.fields[q.key] = field

    def answers(self) -> dict:
        return {
            q.key: self.cleaned_data[q.key]
            for q in self.questions
            if self.cleaned_data.get(q.key) not in (None, "", [])
        }


class UserCreateForm(Form):
    username = forms.RegexField(
        regex=r"^[\w.@+-]+$",
        max_length=150,
        error_messages={"invalid": "Letters, digits and @ . + - _ only."},
    )
    first_name = forms.CharField(required=False, max_length=150)
    last_name = forms.CharField(required=False, max_length=150)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices)
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    password = forms.CharField(
        required=False,
        strip=False,
        min_length=12,
        widget=forms.PasswordInput,
        help_text="At least 12 characters. Leave empty for an API-only account.",
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(f"The username {username!r} is taken.")
        return username


class UserUpdateForm(Form):
    role = forms.ChoiceField(choices=Role.choices)
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(required=False, label="Active (may sign in)")

    def __init__(self, *args, person: User, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.person, self.actor = person, actor

    def clean(self):
        data = super().clean()
        if self.person.pk == self.actor.pk:
            # An admin locking themselves out would leave nobody to undo it.
            if data.get("role") and data["role"] != Role.ADMIN:
                self.add_error("role", "You cannot remove your own admin role.")
            if not data.get("is_active"):
                self.add_error("is_active", "You cannot deactivate yourself.")
        return data


class TeamForm(Form):
    name = forms.CharField(max_length=120, label="New team name")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Team.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(f"A team named {name!r} exists.")
        return name


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


def _json_object(value: str, what: str) -> dict:
    try:
        parsed = json.loads(value or "{}")
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(f"{what} is not valid JSON: {exc.msg}.") from exc
    if not isinstance(parsed, dict):
        raise forms.ValidationError(f"{what} must be a JSON object.")
    return parsed


class PolicyForm(Form):
    submittable = forms.BooleanField(required=False, label="Versions of this tier may be submitted")
    required_checks = forms.MultipleChoiceField(
        choices=[(k, k.replace("_", " ")) for k in CHECK_KINDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Checks that must pass",
    )
    thresholds = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text='JSON: check kind → limits, e.g. {"fairness": '
        '{"demographic_parity_difference_max": 0.1}}.',
    )
    approvals_required = forms.IntegerField(min_value=0, max_value=10)
    approver_roles = forms.MultipleChoiceField(
        choices=[
            (Role.COMPLIANCE_OFFICER.value, "Compliance officer"),
            (ACCOUNTABLE_OWNER, "Accountable owner (RACI A)"),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Capacities that must be among the approvers",
    )
    requires_accountable_owner = forms.BooleanField(
        required=False, label="An accountable owner (RACI A) must be assigned"
    )
    pii_must_be_resolved = forms.BooleanField(
        required=False, label="Suspected PII flags upstream must be resolved"
    )
    required_documentation = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Documentation required"
    )
    recertify_days = forms.IntegerField(
        required=False, min_value=1, max_value=3650, label="Re-certify after (days)"
    )
    audit_interval_days = forms.IntegerField(
        required=False, min_value=1, max_value=3650, label="Scheduled audit every (days)"
    )

    def __init__(self, *args, **kwargs):
        from registry.models import DOCUMENTATION_FIELDS

        super().__init__(*args, **kwargs)
        self.fields["required_documentation"].choices = DOCUMENTATION_FIELDS

    @classmethod
    def initial_from(cls, policy) -> dict:
        return {
            "submittable": policy.submittable,
            "required_checks": list(policy.required_checks or []),
            "thresholds": json.dumps(policy.thresholds or {}, indent=2, sort_keys=True),
            "approvals_required": policy.approvals_required,
            "approver_roles": list(policy.approver_roles or []),
            "requires_accountable_owner": policy.requires_accountable_owner,
            "pii_must_be_resolved": policy.pii_must_be_resolved,
            "required_documentation": list(policy.required_documentation or []),
            "recertify_days": policy.recertify_days,
            "audit_interval_days": policy.audit_interval_days,
        }

    def clean_thresholds(self):
        return _json_object(self.cleaned_data.get("thresholds", ""), "Thresholds")

    def changes(self) -> dict:
        return dict(self.cleaned_data)
