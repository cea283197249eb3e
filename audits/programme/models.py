"""Scheduled audits: when each AI system is due, and what each audit run found."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from governance.kernel.jobs.models import TrackedJob
from governance.kernel.permissions import team_scoped_queryset

ScheduleQuerySet = team_scoped_queryset(
    "system__team",
    writer_roles=(),
    cross_team_writer_roles=("admin", "compliance_officer"),
)


class AuditSchedule(models.Model):
    """One per AI system. ``next_due`` only moves forward, in the same transaction that
    creates the AuditRun, so a due audit is started exactly once however many dispatchers run.
    """

    system = models.OneToOneField(
        "registry.AISystem", on_delete=models.PROTECT, related_name="audit_schedule"
    )
    interval_days = models.PositiveIntegerField()
    next_due = models.DateTimeField(db_index=True)
    active = models.BooleanField(default=True)
    from_policy = models.BooleanField(
        default=True, help_text="Interval follows the tier's policy; off once someone edits it."
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["next_due", "id"]

    def __str__(self) -> str:
        return f"audits of {self.system} every {self.interval_days} days"


AuditRunQuerySet = team_scoped_queryset(
    "system__team", writer_roles=(), cross_team_writer_roles=("admin", "compliance_officer")
)


class AuditRun(TrackedJob):
    task_name = "audits.run_audit"
    schedule = models.ForeignKey(
        AuditSchedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    system = models.ForeignKey(
        "registry.AISystem", on_delete=models.PROTECT, related_name="audit_runs"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(max_length=16, default="schedule")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.JSONField(default=dict, blank=True)

    objects = AuditRunQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at", "-id"]
        constraints = [
            # A second dispatcher that somehow got past the row lock still cannot start the
            # same due audit twice.
            models.UniqueConstraint(
                fields=["schedule", "due_at"], name="uniq_audit_run_per_due_time"
            )
        ]

    def __str__(self) -> str:
        return f"audit #{self.pk} of {self.system}"
