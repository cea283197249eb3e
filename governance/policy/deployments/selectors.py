"""Reads of the governance app; each takes the acting user and narrows by role."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from governance.kernel.accounts.models import User
from governance.policy.deployments.models import Deployment


def deployment_list(
    *,
    actor: User,
    model_id: int | None = None,
    model_version_id: int | None = None,
    environment: str | None = None,
    at: datetime | None = None,
) -> QuerySet[Deployment]:
    """Deployments the actor may see; with ``at`` (and a model and environment) only the
    one row in force at that instant: the latest deployment at or before it."""
    rows = Deployment.objects.visible_to(actor).select_related(
        "model_version__model", "deployed_by", "model"
    )
    if model_id is not None:
        rows = rows.filter(model_id=model_id)
    if model_version_id is not None:
        rows = rows.filter(model_version_id=model_version_id)
    if environment:
        rows = rows.filter(environment=environment)
    rows = rows.order_by("-deployed_at", "-id")
    if at is not None:
        first = rows.filter(deployed_at__lte=at).values("pk")[:1]
        rows = rows.filter(pk__in=first)
    return rows
