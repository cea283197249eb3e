"""Reads of the FRIA pages, narrowed to the acting user."""

from __future__ import annotations

from django.db.models import QuerySet

from governance.kernel.accounts.models import User
from governance.kernel.permissions import VIEW
from governance.obligations.fria.models import FriaRevision


def fria_revision_list(*, actor: User, action: str = VIEW) -> QuerySet[FriaRevision]:
    return FriaRevision.objects.visible_to(actor, action).select_related("system__team", "author")


def fria_current(*, actor: User, system) -> FriaRevision | None:
    return fria_revision_list(actor=actor).filter(system=system).order_by("-number").first()
