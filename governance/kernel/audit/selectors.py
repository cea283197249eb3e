"""Reads of the governance app; each takes the acting user and narrows by role."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.models import AuditEvent


def audit_event_list(
    *,
    actor: User,
    target_type: str | None = None,
    target_id: str | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    if actor.role not in (Role.ADMIN, Role.AUDITOR):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.all()
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id:
        events = events.filter(target_id=target_id)
    if actor_id:
        events = events.filter(actor_id=actor_id)
    if action:
        events = events.filter(action__startswith=action)
    if since:
        events = events.filter(created_at__gte=since)
    if until:
        events = events.filter(created_at__lt=until)
    return events.order_by("-sequence")
