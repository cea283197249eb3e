"""Reads of declarations and derogation assessments, narrowed to the acting user."""

from __future__ import annotations

from django.db.models import QuerySet

from governance.kernel.accounts.models import User
from governance.kernel.permissions import VIEW
from governance.obligations.conformity.models import Declaration, Derogation


def declaration_list(*, actor: User, action: str = VIEW) -> QuerySet[Declaration]:
    return Declaration.objects.visible_to(actor, action).select_related(
        "system__team", "model_version__model", "signed_by", "created_by"
    )


def derogation_list(*, actor: User, action: str = VIEW) -> QuerySet[Derogation]:
    return Derogation.objects.visible_to(actor, action).select_related(
        "system__team", "assessed_by"
    )
