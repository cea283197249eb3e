"""What the API shows of a background job's status row."""

from __future__ import annotations

from rest_framework import serializers

from governance.kernel.jobs.models import BackgroundJob


class BackgroundJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = BackgroundJob
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "progress_message",
            "attempts",
            "queued_at",
            "started_at",
            "finished_at",
            "error_code",
            "error_message",
            "result",
        ]
        read_only_fields = fields
