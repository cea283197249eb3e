"""Serializers of the governance domain endpoints: one input and one output per endpoint.

Outputs are read-only; signatures, evidence, statuses and who-did-what are never input."""

from __future__ import annotations

from rest_framework import serializers

from audits.checks.vocabulary import (
    EVIDENCE_RELATION_CHOICES,
    MODEL_TASKS,
    REQUIRABLE_CHECK_KINDS,
)
from governance.policy.policies.models import Policy


# --- policies ---------------------------------------------------------------------------------
class PolicySerializer(serializers.ModelSerializer):
    updated_by = serializers.CharField(
        source="updated_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Policy
        fields = [
            "id",
            "tier",
            "submittable",
            "required_checks",
            "check_applicability",
            "thresholds",
            "approvals_required",
            "approver_roles",
            "requires_accountable_owner",
            "pii_must_be_resolved",
            "required_documentation",
            "evidence_datasets",
            "protected_attributes",
            "recertify_days",
            "audit_interval_days",
            "version",
            "updated_at",
            "updated_by",
        ]
        read_only_fields = fields


MAX_POLICY_DAYS = 3650


class PolicyUpdateSerializer(serializers.Serializer):
    submittable = serializers.BooleanField(required=False)
    required_checks = serializers.ListField(
        child=serializers.ChoiceField(choices=REQUIRABLE_CHECK_KINDS), required=False
    )
    check_applicability = serializers.DictField(
        child=serializers.ListField(child=serializers.ChoiceField(choices=MODEL_TASKS)),
        required=False,
        help_text="Check kind -> the model tasks it is required of, e.g. "
        '{"fairness": ["binary_classification"], "generative": ["generative"]}. A required '
        "kind that does not apply to a version's task is listed as not applicable.",
    )
    thresholds = serializers.DictField(child=serializers.DictField(), required=False)
    approvals_required = serializers.IntegerField(min_value=0, max_value=10, required=False)
    approver_roles = serializers.ListField(child=serializers.CharField(), required=False)
    requires_accountable_owner = serializers.BooleanField(required=False)
    pii_must_be_resolved = serializers.BooleanField(required=False)
    required_documentation = serializers.ListField(child=serializers.CharField(), required=False)
    evidence_datasets = serializers.ListField(
        child=serializers.ChoiceField(choices=EVIDENCE_RELATION_CHOICES),
        required=False,
        help_text="Lineage relations whose data counts as evidence (default tested_on, "
        "validated_on).",
    )
    protected_attributes = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False
    )
    # Ten years, as on the admin page's form: the value is added to dates (approval expiry,
    # next scheduled audit), which overflow long before the column's 32-bit limit does.
    recertify_days = serializers.IntegerField(
        min_value=1, max_value=MAX_POLICY_DAYS, allow_null=True, required=False
    )
    audit_interval_days = serializers.IntegerField(
        min_value=1, max_value=MAX_POLICY_DAYS, allow_null=True, required=False
    )
