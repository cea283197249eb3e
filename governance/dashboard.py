"""What the dashboard shows: where the systems and versions stand, and what waits for me.

A fixed number of queries whatever the number of systems, versions or events (each block is
one aggregate or one limited query).
"""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from governance import queues
from governance.models import Role, User

TOP = 5
SEVERITIES = (("high", "High"), ("medium", "Medium"), ("low", "Low"), ("info", "Info"))


def open_findings(*, user: User) -> dict:
    """Open findings the user may see, counted by severity: one aggregate query."""
    try:
        from audits import selectors
    except ImportError:  # the audits app is optional for the dashboard
        return {"available": False}
    counts = dict(
        selectors.finding_list(actor=user)
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
    try:
        from audits import selectors
    except ImportError:
        return {"available": False}
    now = now or timezone.now()
    due = selectors.schedule_list(actor=user).filter(active=True, next_due__lt=now)
    return {
        "available": True,
        "count": due.count(),
        "top": list(due.select_related("system").order_by("next_due", "id")[:TOP]),
    }


def dashboard_context(*, user: User) -> dict:
    policies = queues.policies_by_tier()
    my_queue = queues.review_queue(actor=user).filter(decided_by_me=0)
    queue_top = queues.queue_rows(my_queue[:TOP], policies)
    expiring = list(queues.approvals_expiring(actor=user)[:10])
    expired = list(queues.approvals_expired(actor=user)[:10])
    unread = list(
        user.notifications.filter(read_at__isnull=True).order_by("-created_at", "-id")[:TOP]
    )
    can_see_trail = user.role in (Role.ADMIN, Role.AUDITOR)
    return {
        "systems_by_tier": queues.systems_by_tier(actor=user),
        "versions_by_status": queues.versions_by_status(actor=user),
        "may_review": queues.may_open_review_queue(actor=user),
        "queue_count": my_queue.count(),
        "queue_top": queue_top,
        "expiring": expiring,
        "expired": expired,
        "unread_top": unread,
        "recent_events": queues.recent_events(actor=user),
        "can_see_trail": can_see_trail,
        "findings": open_findings(user=user),
        "overdue": overdue_audits(user=user),
    }
