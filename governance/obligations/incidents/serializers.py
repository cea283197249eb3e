"""Incident endpoints: one output and the inputs of each action."""

from __future__ import annotations

from rest_framework import serializers

from governance.kernel.accounts.models import User
from governance.obligations.incidents.models import Incident, IncidentFollowUp
from governance.obligations.vocab import incident_clocks
from registry.models import ModelVersion


class FollowUpSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = IncidentFollowUp
        fields = ["id", "text", "author", "created_at"]
        read_only_fields = fields


class IncidentSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    reported_by = serializers.CharField(source="reported_by.username", default=None)
    days_left = serializers.SerializerMethodField()
    late = serializers.SerializerMethodField()
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "system",
            "model_version",
            "finding",
            "title",
            "description",
            "category",
            "clock_days",
            "aware_at",
            "deadline",
            "days_left",
            "late",
            "owner",
            "status",
            "authority",
            "reported_at",
            "reported_by",
            "follow_ups",
            "created_at",
        ]
        read_only_fields = fields

    def get_days_left(self, obj: Incident) -> float:
        return round(obj.days_left(), 2)

    def get_late(self, obj: Incident) -> bool:
        return obj.is_late()


def _categories():
    return [c["key"] for c in incident_clocks()["categories"]]


class IncidentCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000)
    category = serializers.ChoiceField(choices=_categories())
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    aware_at = serializers.DateTimeField(required=False, allow_null=True)
    model_version = serializers.PrimaryKeyRelatedField(
        queryset=ModelVersion.objects.all(), required=False, allow_null=True
    )


class ProposeSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=_categories(), default="standard")


class ReportedSerializer(serializers.Serializer):
    authority = serializers.CharField(max_length=200)


class FollowUpInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000)
