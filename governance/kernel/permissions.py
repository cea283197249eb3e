"""Who may see and change what, in one place.

Authorisation is a queryset filter (``visible_to(user, action)``) applied by every selector, so
the browser, the API and exports can never disagree about who sees what (NetBox's approach).
Role checks for actions live in the DRF permission classes below and in the services.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from rest_framework.permissions import BasePermission

from governance.kernel.accounts.models import CROSS_TEAM_READERS, Role

VIEW = "view"
CHANGE = "change"


class TeamScopedQuerySet(models.QuerySet):
    """Base queryset for objects that belong to a team.

    Subclasses (or models) set ``team_path``: the ORM path from the model to its Team id, e.g.
    ``"team"`` or ``"model__team"``. ``writer_roles`` lists the roles that may change objects
    of their own teams; admins may change everything.
    """

    team_path: str = "team"
    writer_roles: frozenset[str] = frozenset({Role.DATA_SCIENTIST})
    cross_team_writer_roles: frozenset[str] = frozenset({Role.ADMIN})

    def visible_to(self, user, action: str = VIEW):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if action == VIEW:
            if user.role in CROSS_TEAM_READERS:
                return self
            return self.filter(**{f"{self.team_path}__in": user.team_ids()})
        if action == CHANGE:
            if user.role in self.cross_team_writer_roles:
                return self
            if user.role in self.writer_roles:
                return self.filter(**{f"{self.team_path}__in": user.team_ids()})
            return self.none()
        raise ValueError(f"unknown action {action!r}")


def team_scoped_queryset(
    team_path: str,
    writer_roles: Iterable[str] = (Role.DATA_SCIENTIST,),
    cross_team_writer_roles: Iterable[str] = (Role.ADMIN,),
) -> type[TeamScopedQuerySet]:
    """A TeamScopedQuerySet subclass for a model whose team sits at ``team_path``."""
    return type(
        "TeamScopedQuerySet",
        (TeamScopedQuerySet,),
        {
            "team_path": team_path,
            "writer_roles": frozenset(writer_roles),
            "cross_team_writer_roles": frozenset(cross_team_writer_roles),
        },
    )


class HasRole(BasePermission):
    """Allow authenticated, active users whose role is in ``roles``."""

    roles: frozenset[str] = frozenset()
    message = "Your role may not do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.role in self.roles)


def role_permission(*roles: str, safe_roles: Iterable[str] | None = None) -> type[BasePermission]:
    """A permission class: ``roles`` may do anything, ``safe_roles`` may only read."""
    write_roles = frozenset(roles)
    read_roles = frozenset(safe_roles or ()) | write_roles
    names = "_".join(sorted(write_roles)) or "nobody"

    class _RolePermission(BasePermission):
        message = "Your role may not do this."

        def has_permission(self, request, view) -> bool:
            user = request.user
            if not (user and user.is_authenticated and user.is_active):
                return False
            allowed = read_roles if request.method in ("GET", "HEAD", "OPTIONS") else write_roles
            return user.role in allowed

    _RolePermission.__name__ = f"RolePermission_{names}"
    return _RolePermission


IsAdminRole = role_permission(Role.ADMIN)
IsAuditReader = role_permission(safe_roles=(Role.ADMIN, Role.AUDITOR))


ALL_ROLES = (Role.ADMIN, Role.COMPLIANCE_OFFICER, Role.DATA_SCIENTIST, Role.AUDITOR)


AdminWritesAllRead = role_permission(Role.ADMIN, safe_roles=ALL_ROLES)
