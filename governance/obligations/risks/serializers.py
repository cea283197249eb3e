"""Risk register endpoints: one input and one output shape each."""

from __future__ import annotations

from rest_framework import serializers

from audits.checks.vocabulary import CHECK_KINDS
from audits.runs.models.checks import CheckRun
from governance.kernel.accounts.models import User
from governance.obligations.risks.models import EvidenceType, Mitigation, Risk, RiskStatus
from governance.obligations.vocab import rights_labels
from governance.policy.policies.models import Policy


class MitigationSerializer(serializers.ModelSerializer):
    evidence = serializers.CharField(source="evidence_label", read_only=True)

    class Meta:
        model = Mitigation
        fields = [
            "id",
            "description",
            "evidence_type",
            "check_kind",
            "check_run",
            "policy",
            "oversight_measure",
            "evidence",
            "created_at",
        ]
        read_only_fields = fields


class RiskSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True, default=None)
    band = serializers.JSONField(read_only=True)
    residual_band = serializers.JSONField(read_only=True)
    overdue = serializers.SerializerMethodField()
    mitigations = MitigationSerializer(many=True, read_only=True)

    class Meta:
        model = Risk
        fields = [
            "id",
            "system",
            "title",
            "hazard",
            "likelihood",
            "severity",
            "band",
            "affected_groups",
            "fundamental_rights",
            "owner",
            "residual_likelihood",
            "residual_severity",
            "residual_band",
            "review_date",
            "overdue",
            "status",
            "mitigations",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Risk) -> bool:
        return obj.is_overdue()


LEVEL = {"min_value": 1, "max_value": 5}


class RiskInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    hazard = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    likelihood = serializers.IntegerField(**LEVEL)
    severity = serializers.IntegerField(**LEVEL)
    affected_groups = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    fundamental_rights = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(rights_labels())), required=False
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    residual_likelihood = serializers.IntegerField(required=False, allow_null=True, **LEVEL)
    residual_severity = serializers.IntegerField(required=False, allow_null=True, **LEVEL)
    review_date = serializers.DateField()
    status = serializers.ChoiceField(choices=RiskStatus.choices, required=False)


class MitigationInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    evidence_type = serializers.ChoiceField(choices=EvidenceType.choices, default="none")
    check_kind = serializers.ChoiceField(choices=CHECK_KINDS, required=False)
    check_run = serializers.PrimaryKeyRelatedField(
        queryset=CheckRun.objects.all(), required=False, allow_null=True
    )
    policy = serializers.PrimaryKeyRelatedField(
        queryset=Policy.objects.all(), required=False, allow_null=True
    )
    oversight_measure = serializers.CharField(required=False, allow_blank=True, max_length=500)
