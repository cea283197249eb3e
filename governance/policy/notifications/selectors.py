"""Reads of the governance app; each takes the acting user and narrows by role."""

from __future__ import annotations

from django.db.models import QuerySet

from governance.kernel.accounts.models import User
from governance.policy.notifications.models import Notification


def notification_list(*, actor: User, unread: bool | None = None) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient=actor)
    if unread is True:
        rows = rows.filter(read_at__isnull=True)
    elif unread is False:
        rows = rows.filter(read_at__isnull=False)
    return rows.order_by("-created_at", "-id")


def unread_notification_count(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()
