"""Reads of the audits app; each takes the acting user and narrows with visible_to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from audits.programme.models import AuditRun, AuditSchedule
from governance.kernel.accounts.models import User
from governance.kernel.permissions import VIEW


def schedule_list(*, actor: User, action: str = VIEW) -> QuerySet[AuditSchedule]:
    return AuditSchedule.objects.visible_to(actor, action).select_related("system")


def audit_run_list(*, actor: User) -> QuerySet[AuditRun]:
    return AuditRun.objects.visible_to(actor).select_related("system", "schedule")


@dataclass(frozen=True)
class StalledSchedule:
    schedule: AuditSchedule
    expected_at: datetime  # when an audit should have run
    last_audited_at: datetime | None


def schedules_stalled(
    *, queryset: QuerySet[AuditSchedule], now: datetime | None = None
) -> list[StalledSchedule]:
    """Active schedules overdue by more than their interval: the audit that should have run
    (the next due time, or one interval after the last audit that succeeded, whichever is
    earlier) lies more than one interval in the past. This catches a dispatcher that skips a
    schedule, a next due time pushed far ahead, and audits that keep failing. One query."""
    now = now or timezone.now()
    rows = (
        queryset.filter(active=True)
        .annotate(last_ok=Max("runs__finished_at", filter=Q(runs__status="succeeded")))
        .select_related("system")
        .order_by("next_due", "id")
    )
    stalled = []
    for schedule in rows:
        interval = timedelta(days=max(1, schedule.interval_days))
        anchor = schedule.last_ok or schedule.created_at
        expected = min(schedule.next_due, anchor + interval)
        if now - expected > interval:
            stalled.append(StalledSchedule(schedule, expected, schedule.last_ok))
    return stalled
