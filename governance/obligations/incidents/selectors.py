"""Reads of the incident pages and the dashboard, narrowed to the acting user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from governance.kernel.accounts.models import User
from governance.kernel.permissions import VIEW
from governance.obligations.incidents.models import Incident, IncidentStatus

TOP = 5


def incident_list(*, actor: User, action: str = VIEW) -> QuerySet[Incident]:
    return Incident.objects.visible_to(actor, action).select_related(
        "system__team", "owner", "model_version__model", "finding", "reported_by"
    )


def incident_clock_panel(*, user: User, now=None) -> dict:
    """Open incidents nearest their deadline first: one count and one limited query."""
    now = now or timezone.now()
    rows = incident_list(actor=user).filter(status=IncidentStatus.OPEN).order_by("deadline", "id")
    top = list(rows[:TOP])
    for i in top:
        i.days_left_value = i.days_left(now)
        i.late = i.days_left_value < 0
    return {"count": rows.count(), "top": top}
