"""Reads of the governance app; each takes the acting user and narrows by role."""

from __future__ import annotations

from django.db.models import QuerySet

from governance.kernel.accounts.models import ApiToken, Role, Team, User


def user_list(*, actor: User) -> QuerySet[User]:
    if actor.role != Role.ADMIN:
        return User.objects.none()
    return User.objects.prefetch_related("teams").order_by("username")


def team_list(*, actor: User) -> QuerySet[Team]:
    if actor.role == Role.ADMIN:
        return Team.objects.all()
    return Team.objects.filter(pk__in=actor.team_ids())


def api_token_list(*, actor: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor)
