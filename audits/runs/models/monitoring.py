"""Operational metrics reported for a model version running in an environment."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from governance.kernel.permissions import team_scoped_queryset


class OperationalMetric(models.Model):
    """One reporting window. Rows are append-only: a correction is a new window report."""

    model_version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.PROTECT, related_name="operational_metrics"
    )
    environment = models.CharField(max_length=8)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField(db_index=True)
    latency_p95_ms = models.FloatField(null=True, blank=True)
    throughput_rps = models.FloatField(null=True, blank=True)
    error_rate = models.FloatField(null=True, blank=True)
    cpu_percent = models.FloatField(null=True, blank=True)
    gpu_percent = models.FloatField(null=True, blank=True)
    memory_mb = models.FloatField(null=True, blank=True)
    thresholds = models.JSONField(default=dict, blank=True)
    check_run = models.OneToOneField(
        "audits.CheckRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="operational_metric",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = team_scoped_queryset("model_version__model__system__team").as_manager()

    class Meta:
        ordering = ["-window_end", "-id"]
        indexes = [models.Index(fields=["model_version", "environment", "-window_end"])]

    def __str__(self) -> str:
        return f"metrics of {self.model_version_id} in {self.environment} to {self.window_end}"
