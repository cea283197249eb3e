"""One input and one output serializer per endpoint; they validate, never act.

Kind, status and severity are plain strings here (validated by the services, listed in
help texts) so their enums do not collide with other apps' "kind"/"status" in the schema."""

from __future__ import annotations

from rest_framework import serializers

from audits.programme.models import AuditRun, AuditSchedule


# --- schedules and audit runs ---------------------------------------------------------------
class AuditScheduleSerializer(serializers.ModelSerializer):
    system_name = serializers.CharField(source="system.name", read_only=True)

    class Meta:
        model = AuditSchedule
        fields = [
            "id",
            "system",
            "system_name",
            "interval_days",
            "next_due",
            "active",
            "from_policy",
            "last_run_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AuditScheduleCreateSerializer(serializers.Serializer):
    system = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    interval_days = serializers.IntegerField(min_value=1, max_value=3660)
    next_due = serializers.DateTimeField(required=False)
    active = serializers.BooleanField(required=False, default=True)


class AuditRunCreateSerializer(serializers.Serializer):
    system = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class AuditScheduleUpdateSerializer(serializers.Serializer):
    interval_days = serializers.IntegerField(min_value=1, max_value=3660, required=False)
    next_due = serializers.DateTimeField(required=False)
    active = serializers.BooleanField(required=False)


class AuditRunSerializer(serializers.ModelSerializer):
    system_name = serializers.CharField(source="system.name", read_only=True)
    summary = serializers.JSONField(read_only=True)

    class Meta:
        model = AuditRun
        fields = [
            "id",
            "schedule",
            "system",
            "system_name",
            "trigger",
            "due_at",
            "status",
            "progress",
            "progress_message",
            "attempts",
            "queued_at",
            "started_at",
            "finished_at",
            "error_code",
            "error_message",
            "summary",
        ]
        read_only_fields = fields
