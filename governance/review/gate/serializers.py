"""Serializers of the governance domain endpoints: one input and one output per endpoint.

Outputs are read-only; signatures, evidence, statuses and who-did-what are never input."""

from __future__ import annotations

from rest_framework import serializers

from governance.policy.deployments.models import Deployment, DeploymentAction, Environment


class GateReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class GateSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    environment = serializers.CharField()
    model_version = serializers.IntegerField()
    tier = serializers.CharField()
    reasons = GateReasonSerializer(many=True)
    evaluated_at = serializers.DateTimeField()


class GateQuerySerializer(serializers.Serializer):
    environment = serializers.ChoiceField(choices=Environment.choices, default=Environment.PROD)


# --- deployments ------------------------------------------------------------------------------
class DeploymentCreateSerializer(serializers.Serializer):
    environment = serializers.ChoiceField(choices=Environment.choices)
    action = serializers.ChoiceField(
        choices=DeploymentAction.choices, default=DeploymentAction.DEPLOY
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class DeploymentSerializer(serializers.ModelSerializer):
    deployed_by = serializers.CharField(source="deployed_by.username", read_only=True)
    version = serializers.CharField(source="model_version.version", read_only=True)

    class Meta:
        model = Deployment
        fields = [
            "id",
            "model",
            "model_version",
            "version",
            "environment",
            "action",
            "deployed_by",
            "deployed_at",
            "approval",
            "replaces",
            "notes",
        ]
        read_only_fields = fields


class DeploymentQuerySerializer(serializers.Serializer):
    model = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    model_version = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    environment = serializers.ChoiceField(choices=Environment.choices, required=False)
    at = serializers.DateTimeField(required=False)

    def validate(self, attrs):
        if "at" in attrs and not ("model" in attrs and "environment" in attrs):
            raise serializers.ValidationError(
                {"at": ["'at' needs both 'model' and 'environment'."]}, code="at_needs_scope"
            )
        return attrs
