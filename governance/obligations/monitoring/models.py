"""The post-market monitoring plan (Art. 72) as data: how often the system is audited and
which metrics are watched against which thresholds, so it can be compared with the audit
schedule and the tier policy that actually run."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from governance.obligations.access import obligation_queryset


class MonitoringPlan(models.Model):
    system = models.OneToOneField(
        "registry.AISystem", on_delete=models.PROTECT, related_name="monitoring_plan"
    )
    objectives = models.TextField(blank=True)
    data_sources = models.TextField(blank=True)
    audit_interval_days = models.PositiveIntegerField()
    # [{"check_kind": "fairness", "metric": "disparate_impact_ratio", "threshold": 0.8}, ...]
    metrics = models.JSONField(default=list, blank=True)
    escalation = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = obligation_queryset("system__team").as_manager()

    def __str__(self) -> str:
        return f"post-market monitoring plan of {self.system} v{self.version}"
