"""Background work keeps its state in a row, never in the queue.

A task receives the row's id, claims the row, writes progress, and finishes it as succeeded or
failed. A redelivered task (worker killed, ``acks_late``) finds the row and either resumes or,
if it is already finished, does nothing: that is what makes tasks idempotent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop


class JobStatus(models.TextChoices):
    QUEUED = "queued", gettext_noop("Queued")
    RUNNING = "running", gettext_noop("Running")
    SUCCEEDED = "succeeded", gettext_noop("Succeeded")
    FAILED = "failed", gettext_noop("Failed")


TERMINAL_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})


class TrackedJob(models.Model):
    status = models.CharField(
        max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.FloatField(default=0.0)
    progress_message = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    worker = models.CharField(max_length=200, blank=True)
    # When the task message last reached the broker; empty while it has not (broker down at
    # commit time, or the process died between commit and publish). The dispatch sweeper
    # sends such rows again: see governance.jobs.job_dispatch and jobs_redispatch.
    dispatched_at = models.DateTimeField(null=True, blank=True)

    # Name of the Celery task that works on a row of this model (one argument: the row id).
    task_name: str = ""

    class Meta:
        abstract = True

    def dispatch_task_name(self) -> str:
        return self.task_name

    @classmethod
    def redispatch_ready(cls, now):
        """Which queued rows the sweeper may send again now (all, unless a model waits)."""
        return models.Q()

    @property
    def is_finished(self) -> bool:
        return self.status in TERMINAL_STATUSES


class BackgroundJob(TrackedJob):
    """Generic maintenance work a user starts and watches (e.g. verifying the audit chain)."""

    kind = models.CharField(max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    parameters = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)

    TASKS = {
        "audit_chain_verify": "analysis.audit_chain_verify",
        "mlflow_link_sync": "analysis.mlflow_link_sync",
    }

    class Meta:
        ordering = ["-queued_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    def dispatch_task_name(self) -> str:
        return self.TASKS.get(self.kind, "")
