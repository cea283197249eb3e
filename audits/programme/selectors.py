"""Reads of the audits app; each takes the acting user and narrows with visible_to."""

from __future__ import annotations

from django.db.models import QuerySet

from audits.programme.models import AuditRun, AuditSchedule
from governance.kernel.accounts.models import User
from governance.kernel.permissions import VIEW


def schedule_list(*, actor: User, action: str = VIEW) -> QuerySet[AuditSchedule]:
    return AuditSchedule.objects.visible_to(actor, action).select_related("system")


def audit_run_list(*, actor: User) -> QuerySet[AuditRun]:
    return AuditRun.objects.visible_to(actor).select_related("system", "schedule")
