"""Reads of the risk register, narrowed to the acting user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from governance.kernel.accounts.models import User
from governance.kernel.permissions import VIEW
from governance.obligations.risks.models import Risk, RiskStatus


def risk_list(*, actor: User, action: str = VIEW) -> QuerySet[Risk]:
    return (
        Risk.objects.visible_to(actor, action)
        .select_related("system__team", "owner")
        .prefetch_related("mitigations__policy")
    )


def risks_overdue(*, actor: User, today=None) -> QuerySet[Risk]:
    today = today or timezone.localdate()
    return risk_list(actor=actor).exclude(status=RiskStatus.CLOSED).filter(review_date__lt=today)
