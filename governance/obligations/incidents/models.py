"""Serious incidents (Art. 73) with their reporting deadline, and what was done after.

The deadline is fixed when the incident is opened, from the day the provider became aware
and the day count of its category (``clocks.json``), so a later edit of the data file never
moves a clock that is already running.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from governance.obligations.access import obligation_queryset
from governance.obligations.vocab import incident_category


class IncidentStatus(models.TextChoices):
    OPEN = "open", gettext_noop("Open, not reported yet")
    REPORTED = "reported", gettext_noop("Reported to the authority")
    CLOSED = "closed", gettext_noop("Closed")


class Incident(models.Model):
    system = models.ForeignKey(
        "registry.AISystem", on_delete=models.PROTECT, related_name="incidents"
    )
    model_version = models.ForeignKey(
        "registry.ModelVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finding = models.ForeignKey(
        "audits.Finding", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=200)
    description = models.TextField()
    category = models.CharField(max_length=24)
    clock_days = models.PositiveSmallIntegerField()
    aware_at = models.DateTimeField()
    deadline = models.DateTimeField(db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_incidents"
    )
    authority = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.OPEN, db_index=True
    )
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The reminder thresholds (days before the deadline) already sent, so each goes out once.
    reminders_sent = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = obligation_queryset("system__team").as_manager()

    class Meta:
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return f"incident {self.title} ({self.system})"

    @property
    def category_label(self) -> str:
        found = incident_category(self.category)
        return found["label"] if found else self.category

    def time_left(self, now=None):
        return self.deadline - (now or timezone.now())

    def days_left(self, now=None) -> float:
        return self.time_left(now).total_seconds() / 86400

    def is_late(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status == IncidentStatus.OPEN:
            return now > self.deadline
        return self.reported_at is not None and self.reported_at > self.deadline


class IncidentFollowUp(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="follow_ups")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"follow-up of {self.incident.title}"
