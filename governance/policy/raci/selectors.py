"""Reads of the governance app; each takes the acting user and narrows by role."""

from __future__ import annotations

from django.db.models import QuerySet

from governance.kernel.accounts.models import User
from governance.policy.raci.models import Responsibility


def responsibility_list(*, actor: User, action: str = "view") -> QuerySet[Responsibility]:
    return Responsibility.objects.visible_to(actor, action).select_related(
        "user", "assigned_by", "system", "model", "dataset"
    )
