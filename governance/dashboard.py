"""What the dashboard shows; grows as the registry and the audit engine land."""

from __future__ import annotations

from governance import selectors
from governance.models import User


def dashboard_context(*, user: User) -> dict:
    recent = selectors.audit_event_list(actor=user)[:10]
    return {"recent_events": recent, "can_see_trail": user.role in ("admin", "auditor")}
