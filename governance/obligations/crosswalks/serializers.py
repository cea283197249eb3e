"""The crosswalk endpoints' shapes."""

from __future__ import annotations

from rest_framework import serializers


class ApplicabilityInputSerializer(serializers.Serializer):
    control = serializers.CharField(max_length=24, help_text="The control's identifier")
    applicable = serializers.BooleanField()
    justification = serializers.CharField(max_length=4000)
