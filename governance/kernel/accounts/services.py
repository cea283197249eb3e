"""Creating users and teams, with their audit events."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from governance.kernel.accounts.models import ApiToken, Role, Team, User, token_digest
from governance.kernel.audit.services import audit_event_record


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


TOKEN_PREFIX = "gov_"  # noqa: S105 - a public marker, not a secret


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once, never stored


def _new_raw_token() -> tuple[str, str]:
    lookup = secrets.token_hex(4)
    return lookup, f"{TOKEN_PREFIX}{lookup}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def api_token_issue(
    *, user: User, name: str, actor: User | None = None, expires_in_days: int | None = None
) -> IssuedToken:
    """Create a token for ``user``. Only its digest is stored; the raw value is returned once."""
    name = (name or "").strip() or "API token"
    lookup, raw = _new_raw_token()
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=lookup, digest=token_digest(raw), expires_at=expires_at
    )
    audit_event_record(
        actor=actor or user,
        action="api_token.issued",
        target=user,
        payload={"token_id": token.pk, "name": token.name, "prefix": lookup},
    )
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke a token. Idempotent: revoking twice keeps the first revocation time."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_event_record(
            actor=actor,
            action="api_token.revoked",
            target=token.user,
            payload={"token_id": token.pk, "name": token.name, "prefix": token.prefix},
        )
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The active token matching ``raw``, or None. Records last use at a coarse resolution."""
    if not raw.startswith(TOKEN_PREFIX) or raw.count("_") < 2:
        return None
    lookup = raw[len(TOKEN_PREFIX) :].split("_", 1)[0]
    digest = token_digest(raw)
    candidates = ApiToken.objects.select_related("user").filter(prefix=lookup)
    for token in candidates:
        if hmac.compare_digest(token.digest, digest):
            if not token.is_active or not token.user.is_active:
                return None
            _touch(token)
            return token
    return None


def _touch(token: ApiToken) -> None:
    # Writing on every request would turn reads into writes; a minute's resolution is enough
    # to answer "is this token still used?".
    now = timezone.now()
    resolution = timedelta(seconds=settings.API_TOKEN_LAST_USED_RESOLUTION_SECONDS)
    if token.last_used_at is None or now - token.last_used_at >= resolution:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
