"""Reads of the governance app; each takes the acting user and narrows by role."""

from __future__ import annotations

from django.db.models import QuerySet

from governance.kernel.accounts.models import User
from governance.review.approvals.models import Decision
from registry.models import ModelVersion


def decision_list(*, actor: User, model_version_id: int) -> QuerySet[Decision]:

    visible = ModelVersion.objects.visible_to(actor).filter(pk=model_version_id)
    return (
        Decision.objects.filter(model_version__in=visible)
        .select_related("reviewer", "review")
        .order_by("decided_at", "id")
    )
