"""What the API shows of audit events and of a chain verification."""

from __future__ import annotations

from rest_framework import serializers

from governance.kernel.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "sequence",
            "created_at",
            "actor",
            "actor_username",
            "actor_role",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "payload",
            "request_id",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class ChainVerificationSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checked = serializers.IntegerField()
    first_broken_sequence = serializers.IntegerField(allow_null=True)
    first_broken_id = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    checkpoints = serializers.IntegerField(help_text="signed checkpoints verified")
    last_checkpoint_sequence = serializers.IntegerField(allow_null=True)
    last_checkpoint_at = serializers.CharField(allow_null=True)
    unsigned_tail = serializers.IntegerField(
        help_text="events after the newest checkpoint, protected by the chain alone for now"
    )
    sink = serializers.CharField(allow_blank=True, help_text="the checkpoint sink's path")
    warnings = serializers.ListField(child=serializers.CharField())


MAX_ID = 2**63 - 1  # the largest id the databases store; beyond it is a 400, not a 500


class AuditQuerySerializer(serializers.Serializer):
    """The audit trail's filters: each one parsed and bounded, or a 400 naming it."""

    target_type = serializers.CharField(required=False, max_length=100)
    target_id = serializers.CharField(required=False, max_length=64)
    action = serializers.CharField(required=False, max_length=64)
    actor = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
