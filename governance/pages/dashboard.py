"""What the dashboard shows: where the systems and versions stand, and what waits for me.

A fixed number of queries whatever the number of systems, versions or events (each block is
one aggregate or one limited query).
"""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from audits.programme.selectors import schedule_list, schedules_stalled
from audits.runs.selectors import finding_list
from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.models import AuditEvent
from governance.kernel.audit.selectors import audit_event_list
from governance.obligations.incidents.selectors import incident_clock_panel
from governance.policy.policies.models import POLICY_TIERS, UNCLASSIFIED
from governance.review.worklists.selectors import (
    _current_tier,
    approvals_expired,
    approvals_expiring,
    may_open_review_queue,
    policies_by_tier,
    queue_rows,
    review_queue_list,
)
from registry.models import AISystem, ModelVersion, VersionStatus

TOP = 5
SEVERITIES = (("high", "High"), ("medium", "Medium"), ("low", "Low"), ("info", "Info"))


def open_findings(*, user: User) -> dict:
    """Open findings the user may see, counted by severity: one aggregate query."""
    counts = dict(
        finding_list(actor=user)
        .filter(status="open")
        .order_by()
        .values("severity")
        .annotate(n=Count("id"))
        .values_list("severity", "n")
    )
    rows = [{"severity": s, "label": label, "count": counts.get(s, 0)} for s, label in SEVERITIES]
    return {"available": True, "rows": rows, "total": sum(counts.values())}


def overdue_audits(*, user: User, now=None) -> dict:
    """Active audit schedules whose due date has passed: one count and one limited query."""
    now = now or timezone.now()
    due = schedule_list(actor=user).filter(active=True, next_due__lt=now)
    # Overdue by more than their interval, however next_due reads (see schedules_stalled).
    stalled = schedules_stalled(queryset=schedule_list(actor=user), now=now)
    return {
        "available": True,
        "count": due.count(),
        "top": list(due.select_related("system").order_by("next_due", "id")[:TOP]),
        "stalled_count": len(stalled),
        "stalled": stalled[:TOP],
    }


def dashboard_context(*, user: User) -> dict:
    policies = policies_by_tier()
    my_queue = review_queue_list(actor=user).filter(decided_by_me=0)
    queue_top = queue_rows(my_queue[:TOP], policies)
    expiring = list(approvals_expiring(actor=user)[:10])
    expired = list(approvals_expired(actor=user)[:10])
    unread = list(
        user.notifications.filter(read_at__isnull=True).order_by("-created_at", "-id")[:TOP]
    )
    can_see_trail = user.role in (Role.ADMIN, Role.AUDITOR)
    return {
        "systems_by_tier": systems_by_tier(actor=user),
        "versions_by_status": versions_by_status(actor=user),
        "may_review": may_open_review_queue(actor=user),
        "queue_count": my_queue.count(),
        "queue_top": queue_top,
        "expiring": expiring,
        "expired": expired,
        "unread_top": unread,
        "recent_events": recent_events(actor=user),
        "can_see_trail": can_see_trail,
        "findings": open_findings(user=user),
        "overdue": overdue_audits(user=user),
        "incidents": incident_clock_panel(user=user),
    }


def systems_by_tier(*, actor: User) -> list[dict]:
    """Visible systems counted by their current tier (unclassified ones included)."""
    counts = (
        AISystem.objects.visible_to(actor)
        .annotate(tier=_current_tier("pk"))
        .values("tier")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_tier: dict[str, int] = {}
    for row in counts:
        key = row["tier"] or UNCLASSIFIED
        by_tier[key] = by_tier.get(key, 0) + row["n"]

    return [
        {"tier": tier, "label": label, "count": by_tier[tier]}
        for tier, label in POLICY_TIERS
        if by_tier.get(tier)
    ]


def versions_by_status(*, actor: User) -> list[dict]:
    counts = dict(
        ModelVersion.objects.visible_to(actor)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )
    return [
        {"status": value, "label": label, "count": counts[value]}
        for value, label in VersionStatus.choices
        if counts.get(value)
    ]


def recent_events(*, actor: User, limit: int = 10) -> list[AuditEvent]:
    """Everyone's latest events for those who read the trail; one's own for everyone else."""

    if actor.role in (Role.ADMIN, Role.AUDITOR):
        return list(audit_event_list(actor=actor)[:limit])
    return list(AuditEvent.objects.filter(actor=actor).order_by("-sequence")[:limit])
