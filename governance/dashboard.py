"""What the dashboard shows: where the systems and versions stand, and what waits for me.

A fixed number of queries whatever the number of systems, versions or events (each block is
one aggregate or one limited query).
"""

from __future__ import annotations

from governance import queues
from governance.models import Role, User

TOP = 5


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
        "recent_events": queues.recent_events(actor=user) if can_see_trail else [],
        "can_see_trail": can_see_trail,
    }
