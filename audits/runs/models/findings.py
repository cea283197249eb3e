"""Findings: what a check, a metric report or a scheduled audit asks a person to look at."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from governance.kernel.permissions import team_scoped_queryset


class Severity(models.TextChoices):
    # Labels are English message ids (gettext_noop): pages translate them when shown.
    INFO = "info", gettext_noop("Info")
    LOW = "low", gettext_noop("Low")
    MEDIUM = "medium", gettext_noop("Medium")
    HIGH = "high", gettext_noop("High")


class FindingStatus(models.TextChoices):
    OPEN = "open", gettext_noop("Open")
    IN_PROGRESS = "in_progress", gettext_noop("In progress")
    RESOLVED = "resolved", gettext_noop("Resolved")
    RISK_ACCEPTED = "risk_accepted", gettext_noop("Risk accepted")
    FALSE_POSITIVE = "false_positive", gettext_noop("False positive")
    DUPLICATE = "duplicate", gettext_noop("Duplicate")


# Someone still has to act on these: they count as open work and carry a due date.
WORK_STATUSES = (FindingStatus.OPEN, FindingStatus.IN_PROGRESS)
# A re-run that sees the problem again updates the finding in one of these states instead of
# raising a new one: accepted risks and false positives are decisions that a re-run does not
# undo. Resolved and duplicate findings are history; the problem coming back is a new finding.
LIVE_STATUSES = (*WORK_STATUSES, FindingStatus.RISK_ACCEPTED, FindingStatus.FALSE_POSITIVE)


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
        max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN, db_index=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_comment = models.TextField(blank=True)
    # (model version, check kind, code, metric, group): the same problem seen again by a
    # re-run has the same fingerprint, so it updates this row instead of adding one.
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    # The check kind for check findings, "audit" or "operational:<environment>" otherwise.
    kind = models.CharField(max_length=40, blank=True)
    occurrences = models.PositiveIntegerField(default=1)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_run = models.ForeignKey(
        "audits.CheckRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Every check run that saw the problem after the one that raised it (``check_run``).
    seen_in_runs = models.ManyToManyField(
        "audits.CheckRun", blank=True, related_name="findings_seen_again"
    )
    closed_by_run = models.ForeignKey(
        "audits.CheckRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_findings",
    )
    due_date = models.DateField(null=True, blank=True, db_index=True)
    accepted_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    history = HistoricalRecords(excluded_fields=["seen_in_runs"])

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live finding per problem, whatever races two finishing runs get into.
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=Q(status__in=[s.value for s in LIVE_STATUSES]) & ~Q(fingerprint=""),
                name="finding_one_live_per_fingerprint",
            )
        ]

    def __str__(self) -> str:
        return f"{self.severity} {self.code} on version {self.model_version_id}"

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.due_date and self.status in WORK_STATUSES and self.due_date < timezone.localdate()
        )


def finding_fingerprint(
    *, model_version_id: int, kind: str, code: str, metric: str = "", group: str = ""
) -> str:
    """The identity of a problem across runs; values and messages are left out on purpose
    (they change from run to run while the problem stays the same)."""
    key = "\x1f".join([str(model_version_id), kind, code, metric or "", group or ""])
    return hashlib.sha256(key.encode()).hexdigest()


def findings_of_run(run) -> models.QuerySet:
    """The findings a check run raised or saw again."""
    return Finding.objects.filter(Q(check_run=run) | Q(seen_in_runs=run)).distinct()
