"""Serializers of the governance domain endpoints: one input and one output per endpoint.

Outputs are read-only; signatures, evidence, statuses and who-did-what are never input."""

from __future__ import annotations

from rest_framework import serializers

from governance.policy.notifications.models import Notification


# --- notifications ----------------------------------------------------------------------------
class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "message",
            "target_type",
            "target_id",
            "target_repr",
            "payload",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields


class NotificationQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None)


class NotificationsReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        help_text="Notifications to mark read; omit to mark all of yours read.",
    )


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
