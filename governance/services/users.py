"""Creating users and teams, with their audit events."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from governance.models import Role, Team, User
from governance.services.audit import audit_event_record


@transaction.atomic
def team_get_or_create(*, name: str, actor: User | None = None) -> Team:
    team, created = Team.objects.get_or_create(
        slug=slugify(name)[:120] or "team", defaults={"name": name}
    )
    if created:
        audit_event_record(actor=actor, action="team.created", target=team, payload={"name": name})
    return team


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    teams: list[Team] | None = None,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    actor: User | None = None,
) -> User:
    """Create a user with one role. Without a password the account cannot log in by password
    (it can still receive API tokens)."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(Role.values)}")
    user = User(
        username=username,
        role=role,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    if teams:
        user.teams.set(teams)
    audit_event_record(
        actor=actor,
        action="user.created",
        target=user,
        payload={"username": username, "role": role, "teams": [t.slug for t in teams or []]},
    )
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    actor: User,
    role: str | None = None,
    teams=None,
    is_active: bool | None = None,
    email: str | None = None,
) -> User:
    """Change a user's role, teams or active flag; every change is an audit event."""
    changes: dict[str, object] = {}
    if role is not None and role != user.role:
        if role not in Role.values:
            raise ValueError(f"unknown role {role!r}")
        changes["role"] = [user.role, role]
        user.role = role
        user.is_staff = user.is_superuser = role == Role.ADMIN
    if is_active is not None and is_active != user.is_active:
        changes["is_active"] = [user.is_active, is_active]
        user.is_active = is_active
    if email is not None and email != user.email:
        changes["email"] = [user.email, email]
        user.email = email
    user.save()
    if teams is not None:
        before = sorted(t.slug for t in user.teams.all())
        user.teams.set(teams)
        after = sorted(t.slug for t in teams)
        if before != after:
            changes["teams"] = [before, after]
    if changes:
        audit_event_record(actor=actor, action="user.updated", target=user, payload=changes)
    return user
