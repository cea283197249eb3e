"""Findings: what a check, a metric report or a scheduled audit asks a person to look at."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from governance.kernel.permissions import team_scoped_queryset


class Severity(models.TextChoices):
    INFO = "info", "Info"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class FindingSource(models.TextChoices):
    CHECK = "check", "Check run"
    OPERATIONAL = "operational", "Operational metrics"
    AUDIT = "audit", "Scheduled audit"


FindingQuerySet = team_scoped_queryset(
    "model_version__model__system__team",
    writer_roles=(),
    # Resolving a finding is an oversight decision, not the author's to make.
    cross_team_writer_roles=("admin", "compliance_officer"),
)


class Finding(models.Model):
    model_version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.PROTECT, related_name="findings"
    )
    source = models.CharField(max_length=16, choices=FindingSource.choices)
    check_run = models.ForeignKey(
        "audits.CheckRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="finding_rows",
    )
    audit_run = models.ForeignKey(
        "audits.AuditRun", null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    operational_metric = models.ForeignKey(
        "audits.OperationalMetric",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    severity = models.CharField(max_length=8, choices=Severity.choices, db_index=True)
    code = models.CharField(max_length=80)
    message = models.TextField()
    metric = models.CharField(max_length=80, blank=True)
    value = models.FloatField(null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    group = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN, db_index=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    history = HistoricalRecords()

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.severity} {self.code} on version {self.model_version_id}"
