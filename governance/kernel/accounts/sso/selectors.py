"""Reads of single-sign-on rules, narrowed to the acting user: only admins see them."""

from __future__ import annotations

from django.db.models import QuerySet

from governance.kernel.accounts.models import Role, User
from governance.kernel.accounts.sso.models import GroupMapping


def group_mapping_list(*, actor: User) -> QuerySet[GroupMapping]:
    rows = GroupMapping.objects.select_related("team", "created_by")
    return rows if actor.has_role(Role.ADMIN) else rows.none()
