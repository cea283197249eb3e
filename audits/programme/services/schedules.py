"""Audit schedules: kept in step with the policies, edited by oversight, dispatched once.

Exactly-once dispatch: the dispatcher locks due schedule rows with
``SELECT ... FOR UPDATE SKIP LOCKED``, creates the AuditRun and advances ``next_due`` in the
same transaction. A second dispatcher running at the same moment skips the locked rows, and
once the first commits the rows are no longer due. A unique (schedule, due_at) constraint
backs this up on databases without row locks (SQLite serialises writers instead).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audits.programme.models import AuditRun, AuditSchedule
from audits.programme.selectors import schedules_stalled
from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import (
    Conflict,
    Forbidden,
    ServiceError,
    conflict_with_existing,
    vocabulary_term,
)
from governance.kernel.jobs.models import JobStatus
from governance.kernel.jobs.services import job_enqueue
from governance.kernel.sentences import Day, Sentence
from governance.policy.classification.models import RiskClassification
from governance.policy.notifications.models import Notification
from governance.policy.notifications.services import notify
from governance.policy.policies.models import Policy
from governance.policy.raci.models import Raci, Responsibility
from registry.models import AISystem

logger = logging.getLogger(__name__)

EDITOR_ROLES = frozenset({Role.COMPLIANCE_OFFICER, Role.ADMIN})
EDITABLE = ("interval_days", "next_due", "active")


def _require_editor(actor: User) -> None:
    if actor.role not in EDITOR_ROLES:
        raise Forbidden("role_forbidden", _("Only compliance officers and admins edit schedules."))


def schedules_sync(*, now: datetime | None = None) -> dict[str, int]:
    """Create or update one schedule per classified system from its tier's policy.

    Schedules someone edited by hand (``from_policy`` off) are left alone. A system whose tier
    no longer asks for audits has its policy schedule deactivated, never deleted (its runs
    are evidence).
    """

    now = now or timezone.now()
    latest_tier = (
        RiskClassification.objects.filter(system=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("tier")[:1]
    )
    systems = AISystem.objects.annotate(tier=Subquery(latest_tier)).filter(tier__isnull=False)
    intervals = dict(Policy.objects.values_list("tier", "audit_interval_days"))
    existing = {s.system_id: s for s in AuditSchedule.objects.all()}
    counts = {"created": 0, "updated": 0, "deactivated": 0}
    for system in systems:
        interval = intervals.get(system.tier)
        schedule = existing.get(system.pk)
        with transaction.atomic():
            if schedule is None:
                if not interval:
                    continue
                try:
                    with transaction.atomic():
                        schedule = AuditSchedule.objects.create(
                            system=system,
                            interval_days=interval,
                            next_due=now + timedelta(days=interval),
                        )
                except IntegrityError:
                    continue  # a concurrent sync created it
                audit_event_record(
                    actor=None,
                    action="audit_schedule.created",
                    target=schedule,
                    payload={"tier": system.tier, "interval_days": interval, "from_policy": True},
                )
                counts["created"] += 1
            elif schedule.from_policy and not interval and schedule.active:
                schedule.active = False
                schedule.save()
                audit_event_record(
                    actor=None,
                    action="audit_schedule.deactivated",
                    target=schedule,
                    payload={"tier": system.tier, "reason": "the tier's policy has no audits"},
                )
                counts["deactivated"] += 1
            elif (
                schedule.from_policy
                and interval
                and (schedule.interval_days != interval or not schedule.active)
            ):
                previous = schedule.interval_days
                schedule.interval_days = interval
                schedule.active = True
                # The new interval counts from the last audit, so a shorter one applies now.
                anchor = schedule.last_run_at or schedule.created_at
                schedule.next_due = min(schedule.next_due, anchor + timedelta(days=interval))
                schedule.save()
                audit_event_record(
                    actor=None,
                    action="audit_schedule.updated",
                    target=schedule,
                    payload={"tier": system.tier, "interval_days": [previous, interval]},
                )
                counts["updated"] += 1
    return counts


@transaction.atomic
def schedule_create(
    *,
    actor: User,
    system,
    interval_days: int,
    next_due: datetime | None = None,
    active: bool = True,
) -> AuditSchedule:
    """A hand-made schedule for a system (one per system); policy sync leaves it alone."""
    _require_editor(actor)
    if AuditSchedule.objects.filter(system=system).exists():
        raise conflict_with_existing(
            AuditSchedule,
            lookup={"system": system},
            code="schedule_exists",
            message=_("System %(system)s already has a schedule; edit that one.")
            % {"system": system.pk},
        )
    schedule = AuditSchedule.objects.create(
        system=system,
        interval_days=interval_days,
        next_due=next_due or timezone.now() + timedelta(days=interval_days),
        active=active,
        from_policy=False,
        created_by=actor,
    )
    audit_event_record(
        actor=actor,
        action="audit_schedule.created",
        target=schedule,
        payload={
            "system": system.pk,
            "interval_days": interval_days,
            "next_due": schedule.next_due,
            "active": active,
        },
    )
    return schedule


@transaction.atomic
def schedule_update(*, actor: User, schedule: AuditSchedule, **changes: Any) -> AuditSchedule:
    """Edit interval, next due time or active flag; the schedule stops following the policy."""
    _require_editor(actor)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ServiceError(
            "read_only_fields",
            _("These fields cannot be changed: %(fields)s") % {"fields": sorted(unknown)},
        )
    schedule = AuditSchedule.objects.select_for_update().get(pk=schedule.pk)
    before = {name: getattr(schedule, name) for name in changes}
    for name, value in changes.items():
        setattr(schedule, name, value)
    schedule.from_policy = False
    schedule.save()
    audit_event_record(
        actor=actor,
        action="audit_schedule.updated",
        target=schedule,
        payload={name: [before[name], value] for name, value in changes.items()},
    )
    return schedule


@transaction.atomic
def schedule_delete(*, actor: User, schedule: AuditSchedule) -> None:
    """Remove a schedule; its past audit runs stay (they are evidence)."""
    _require_editor(actor)
    audit_event_record(
        actor=actor,
        action="audit_schedule.deleted",
        target=schedule,
        payload={"system": schedule.system_id, "interval_days": schedule.interval_days},
    )
    schedule.delete()


def _advance(due: datetime, interval_days: int, now: datetime) -> datetime:
    """The first due time after ``now``: a worker down for a week runs one audit, not seven."""
    step = timedelta(days=max(1, interval_days))
    missed = max(0, int((now - due) / step))
    nxt = due + step * (missed + 1)
    return nxt if nxt > now else nxt + step


def _start_run(schedule: AuditSchedule, now: datetime) -> AuditRun | None:
    """The run for the schedule's due time; a due time already used (next_due edited back to
    a time an audit ran for) moves on to the next one in the series, recorded with the run
    that used it. Before this, such a schedule hit the unique (schedule, due_at) constraint on
    every pass, was skipped without moving, and was never audited again."""
    step = timedelta(days=max(1, schedule.interval_days))
    while True:
        try:
            with transaction.atomic():
                return AuditRun.objects.create(
                    schedule=schedule,
                    system_id=schedule.system_id,
                    due_at=schedule.next_due,
                    trigger="schedule",
                )
        except IntegrityError:
            stored = AuditSchedule.objects.filter(pk=schedule.pk).values_list("next_due", flat=True)
            if stored.first() != schedule.next_due:
                return None  # another dispatcher started it and moved the schedule on
            used = AuditRun.objects.filter(schedule=schedule, due_at=schedule.next_due).first()
            if used is None:
                raise  # another constraint failed: not a reused due time
        skipped = schedule.next_due
        schedule.next_due = skipped + step
        audit_event_record(
            actor=None,
            action="audit_schedule.due_time_reused",
            target=schedule,
            payload={"due_at": skipped, "run": used.pk, "next_due": schedule.next_due},
        )
        if schedule.next_due > now:
            schedule.save(update_fields=["next_due", "updated_at"])
            return None


def dispatch_due_audits(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Start every due audit exactly once; returns the ids of the AuditRuns created."""

    now = now or timezone.now()
    created: list[int] = []
    with transaction.atomic():
        due = list(
            AuditSchedule.objects.select_for_update(skip_locked=True)
            .filter(active=True, next_due__lte=now)
            .order_by("next_due", "id")[:limit]
        )
        for schedule in due:
            run = _start_run(schedule, now)
            if run is None:
                continue
            schedule.next_due = _advance(schedule.next_due, schedule.interval_days, now)
            schedule.last_run_at = now
            schedule.save()
            audit_event_record(
                actor=None,
                action="audit_run.started",
                target=run,
                payload={
                    "schedule": schedule.pk,
                    "due_at": run.due_at,
                    "next_due": schedule.next_due,
                },
            )
            job_enqueue(run)
            created.append(run.pk)
    schedules_stalled_notify(now=now)
    return created


def schedules_stalled_notify(*, now: datetime | None = None) -> int:
    """Tell each stalled schedule's accountable owners (RACI A of the system; the compliance
    officers when nobody is) once per stall: again only after an audit succeeded and the
    schedule stalled anew. Returns how many schedules were notified."""
    now = now or timezone.now()
    told = 0
    for row in schedules_stalled(queryset=AuditSchedule.objects.all(), now=now):
        system = row.schedule.system
        already = Notification.objects.filter(
            event="audit_overdue",
            target_type="registry.aisystem",
            target_id=str(system.pk),
            created_at__gte=row.last_audited_at or row.schedule.created_at,
        ).exists()
        if already:
            continue
        owners = [
            r.user
            for r in Responsibility.objects.active(now)
            .filter(role=Raci.ACCOUNTABLE, system=system)
            .select_related("user")
        ]
        with transaction.atomic():
            notify(
                event="audit_overdue",
                target=system,
                message=Sentence(
                    gettext_noop(
                        "The audit of %(system)s was due %(date)s and has not run; it is overdue "
                        "by more than its %(days)s-day interval."
                    ),
                    system=str(system),
                    date=Day(row.expected_at),
                    days=row.schedule.interval_days,
                ),
                payload={"schedule": row.schedule.pk, "expected_at": row.expected_at},
                recipients=owners or None,
            )
        told += 1
    return told


@transaction.atomic
def audit_run_request(*, actor: User, system) -> AuditRun:
    """Audit ``system`` now, outside its schedule (compliance officers and admins).

    The run does what a scheduled one does (``audits.services.audit_runs``) and is marked
    ``trigger="manual"`` with who asked; its schedule's due date does not move. One audit of a
    system at a time: while one is queued or running, a second request is a conflict.
    """

    if actor.role not in EDITOR_ROLES:
        raise Forbidden("role_forbidden", _("Only compliance officers and admins start audits."))
    # Lock the system row: two requests at once must not both find no audit running.
    type(system).objects.select_for_update().filter(pk=system.pk).first()
    busy = AuditRun.objects.filter(
        system=system, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
    ).first()
    if busy is not None:
        raise Conflict(
            "audit_in_progress",
            _("Audit run %(run)s of this system is still %(status)s; wait for it to finish.")
            % {
                "run": busy.pk,
                "status": vocabulary_term(busy.status, JobStatus(busy.status).label),
            },
            existing_id=busy.pk,
        )
    run = AuditRun.objects.create(
        system=system,
        schedule=AuditSchedule.objects.filter(system=system).first(),
        trigger="manual",
        requested_by=actor,
    )
    audit_event_record(
        actor=actor,
        action="audit_run.requested",
        target=run,
        payload={"system": system.pk, "trigger": "manual"},
    )
    job_enqueue(run)
    return run
