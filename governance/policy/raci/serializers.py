"""Serializers of the governance domain endpoints: one input and one output per endpoint.

Outputs are read-only; signatures, evidence, statuses and who-did-what are never input."""

from __future__ import annotations

from rest_framework import serializers

from governance.kernel.accounts.models import User
from governance.policy.raci.models import Raci, Responsibility
from registry.models import AISystem, Dataset, Model


# --- responsibilities -------------------------------------------------------------------------
class ResponsibilitySerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    assigned_by = serializers.CharField(source="assigned_by.username", read_only=True)
    target_type = serializers.CharField(source="target_kind", read_only=True)
    target_name = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField()

    class Meta:
        model = Responsibility
        fields = [
            "id",
            "user",
            "username",
            "role",
            "target_type",
            "system",
            "model",
            "dataset",
            "target_name",
            "starts_at",
            "ends_at",
            "active",
            "note",
            "assigned_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_target_name(self, obj: Responsibility) -> str:
        return str(obj.target)

    def get_active(self, obj: Responsibility) -> bool:
        return obj.is_active()


class ResponsibilityCreateSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=Raci.choices)
    system = serializers.PrimaryKeyRelatedField(queryset=AISystem.objects.all(), required=False)
    model = serializers.PrimaryKeyRelatedField(queryset=Model.objects.all(), required=False)
    dataset = serializers.PrimaryKeyRelatedField(queryset=Dataset.objects.all(), required=False)
    ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    def validate(self, attrs):
        targets = [k for k in ("system", "model", "dataset") if attrs.get(k) is not None]
        if len(targets) != 1:
            raise serializers.ValidationError(
                "Give exactly one of system, model or dataset.", code="one_target"
            )
        attrs["target"] = attrs.pop(targets[0])
        return attrs


class ResponsibilityUpdateSerializer(serializers.Serializer):
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ResponsibilityQuerySerializer(serializers.Serializer):
    """Filters of the RACI list: ids bounded, the role one of the four, active a boolean."""

    user = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    system = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    model = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    dataset = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    role = serializers.ChoiceField(required=False, choices=Raci.choices)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)
