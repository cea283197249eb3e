"""Forms of the governance pages. They only parse and validate input; the services decide."""

from __future__ import annotations

import json

from django import forms

from audits.checks.vocabulary import EVIDENCE_RELATION_CHOICES, REQUIRABLE_CHECK_KINDS
from governance.kernel.accounts.models import Role
from governance.kernel.web import Form
from governance.policy.policies.models import ACCOUNTABLE_OWNER
from registry.models import DOCUMENTATION_FIELDS


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
        choices=[(k, k.replace("_", " ")) for k in REQUIRABLE_CHECK_KINDS],
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
    evidence_datasets = forms.MultipleChoiceField(
        choices=[(k, k.replace("_", " ")) for k in EVIDENCE_RELATION_CHOICES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Check runs count as evidence only on data the version was",
        help_text="Training data (trained on) makes a model look better than it is; allow it "
        "only where the tier's checks are about the data itself.",
    )
    protected_attributes = forms.CharField(
        required=False,
        label="Protected attributes",
        help_text="Comma-separated column names a fairness check must always include when "
        "the data has them, e.g. sex, age.",
    )
    recertify_days = forms.IntegerField(
        required=False, min_value=1, max_value=3650, label="Re-certify after (days)"
    )
    audit_interval_days = forms.IntegerField(
        required=False, min_value=1, max_value=3650, label="Scheduled audit every (days)"
    )

    def __init__(self, *args, **kwargs):

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
            "evidence_datasets": list(policy.evidence_datasets or []),
            "protected_attributes": ", ".join(policy.protected_attributes or []),
            "recertify_days": policy.recertify_days,
            "audit_interval_days": policy.audit_interval_days,
        }

    def clean_thresholds(self):
        return _json_object(self.cleaned_data.get("thresholds", ""), "Thresholds")

    def clean_protected_attributes(self):
        raw = self.cleaned_data.get("protected_attributes", "")
        return list(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))

    def changes(self) -> dict:
        return dict(self.cleaned_data)
