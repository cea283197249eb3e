from __future__ import annotations

from rest_framework import serializers

from governance.policy.transparency.models import DUTY_CHOICES, TransparencyMeasure


class TransparencyMeasureSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = TransparencyMeasure
        fields = ["id", "system", "duty", "measure", "evidence", "recorded_by", "recorded_at"]


class TransparencyDutySerializer(serializers.Serializer):
    paragraph = serializers.CharField()
    duty = serializers.CharField()
    label = serializers.CharField()
    met = serializers.BooleanField()
    measure = TransparencyMeasureSerializer(allow_null=True)


class TransparencyMeasureCreateSerializer(serializers.Serializer):
    duty = serializers.ChoiceField(choices=DUTY_CHOICES)
    measure = serializers.CharField(max_length=10_000)
    evidence = serializers.CharField(max_length=10_000)
