"""The post-market plan endpoint's shapes."""

from __future__ import annotations

from rest_framework import serializers

from audits.checks.vocabulary import REQUIRABLE_CHECK_KINDS


class PlanMetricSerializer(serializers.Serializer):
    check_kind = serializers.ChoiceField(choices=REQUIRABLE_CHECK_KINDS)
    metric = serializers.CharField(max_length=80)
    threshold = serializers.FloatField(required=False, allow_null=True)


class MonitoringPlanInputSerializer(serializers.Serializer):
    objectives = serializers.CharField(required=False, allow_blank=True, default="")
    data_sources = serializers.CharField(required=False, allow_blank=True, default="")
    escalation = serializers.CharField(required=False, allow_blank=True, default="")
    audit_interval_days = serializers.IntegerField(min_value=1)
    metrics = PlanMetricSerializer(many=True, required=False, default=list)
