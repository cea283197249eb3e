"""Creating users and teams, with their audit events."""

from __future__ import annotations

import functools
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from governance.kernel.accounts.models import ApiToken, Role, Team, User, token_digest
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import ServiceError
from governance.kernel.languages import CODES as LANGUAGE_CODES


def role_flags(role: str) -> dict[str, bool]:
    """Django's admin site and permission checks read ``is_staff``/``is_superuser``; they follow
    the role and nothing else, so a demoted admin loses the admin site with the role."""
    return {"is_staff": role == Role.ADMIN, "is_superuser": role == Role.ADMIN}


def password_check(password: str, *, user: User | None = None) -> None:
    """Run AUTH_PASSWORD_VALIDATORS; every path that sets a password calls this."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ServiceError("weak_password", " ".join(exc.messages), reasons=exc.messages) from exc


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
        **role_flags(role),
    )
    if password:
        password_check(password, user=user)
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
    first_name: str | None = None,
    last_name: str | None = None,
) -> User:
    """Change a user's role, teams, active flag or names; every change is an audit event."""
    changes: dict[str, object] = {}
    if role is not None and role != user.role:
        if role not in Role.values:
            raise ValueError(f"unknown role {role!r}")
        changes["role"] = [user.role, role]
        user.role = role
    flags = role_flags(user.role)
    for flag, value in flags.items():
        # Also repairs flags that drifted (set by hand, or by an older version of this code).
        if getattr(user, flag) != value:
            changes[flag] = [getattr(user, flag), value]
            setattr(user, flag, value)
    for field, value in (
        ("is_active", is_active),
        ("email", email),
        ("first_name", first_name),
        ("last_name", last_name),
    ):
        if value is not None and value != getattr(user, field):
            changes[field] = [getattr(user, field), value]
            setattr(user, field, value)
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


def _revoke_all_tokens(*, user: User, actor: User | None, reason: str) -> list[int]:
    now = timezone.now()
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=now)
    for token in tokens:
        audit_event_record(
            actor=actor,
            action="api_token.revoked",
            target=user,
            payload={
                "token_id": token.pk,
                "name": token.name,
                "prefix": token.prefix,
                "reason": reason,
            },
        )
    return [t.pk for t in tokens]


@transaction.atomic
def user_password_set(*, actor: User | None, user: User, password: str | None) -> User:
    """Set (or, with None, disable) a user's password. The validators run; every API token of
    the user is revoked, since whoever held the old password may have issued them."""
    if password:
        password_check(password, user=user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save(update_fields=["password"])
    revoked = _revoke_all_tokens(user=user, actor=actor, reason="password_changed")
    audit_event_record(
        actor=actor,
        action="user.password_changed",
        target=user,
        payload={"usable": bool(password), "tokens_revoked": revoked},
    )
    return user


@transaction.atomic
def user_language_set(*, actor: User, language: str) -> User:
    """A person choosing the language of their pages; blank follows their browser."""
    if language and language not in LANGUAGE_CODES:
        raise ServiceError(
            "invalid_language",
            _(
                "Unknown language %(language)s; use one of %(languages)s, or nothing for the "
                "browser's."
            )
            % {"language": repr(language), "languages": ", ".join(LANGUAGE_CODES)},
        )
    before = actor.language
    actor.language = language
    actor.save(update_fields=["language"])
    audit_event_record(
        actor=actor,
        action="user.language_changed",
        target=actor,
        payload={"from": before, "to": language},
    )
    return actor


def user_password_change(*, actor: User, old_password: str, new_password: str) -> User:
    """A user changing their own password: the old one must be right."""
    if not actor.has_usable_password() or not actor.check_password(old_password):
        raise ServiceError("wrong_password", _("The current password is not right."))
    if old_password == new_password:
        raise ServiceError("same_password", _("Choose a password different from the current one."))
    return user_password_set(actor=actor, user=actor, password=new_password)


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
    """Create a token for ``user``. Only its digest is stored; the raw value is returned once.

    Every token expires: after ``expires_in_days`` if given, never later than
    ``API_TOKEN_MAX_LIFETIME_DAYS`` (a leaked token stops working on its own)."""
    name = (name or "").strip() or "API token"
    limit = settings.API_TOKEN_MAX_LIFETIME_DAYS
    if expires_in_days is not None and not 1 <= expires_in_days <= limit:
        raise ServiceError(
            "invalid_lifetime",
            _("expires_in_days must be between 1 and %(limit)s.") % {"limit": limit},
            maximum=limit,
        )
    lookup, raw = _new_raw_token()
    expires_at = timezone.now() + timedelta(days=expires_in_days or limit)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=lookup, digest=token_digest(raw), expires_at=expires_at
    )
    audit_event_record(
        actor=actor or user,
        action="api_token.issued",
        target=user,
        payload={
            "token_id": token.pk,
            "name": token.name,
            "prefix": lookup,
            "expires_at": expires_at.isoformat(),
        },
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


class TokenRefused(Exception):
    """A token that exists but may not be used; ``code`` says why (for a clear 401)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The active token matching ``raw``, or None if no token matches. A matching token that
    is expired or revoked, or whose user is deactivated, raises ``TokenRefused``. Records last
    use at a coarse resolution."""
    if not raw.startswith(TOKEN_PREFIX) or raw.count("_") < 2:
        return None
    lookup = raw[len(TOKEN_PREFIX) :].split("_", 1)[0]
    digest = token_digest(raw)
    for token in _tokens_with_prefix(lookup):
        if hmac.compare_digest(token.digest, digest):
            if token.revoked_at is not None:
                raise TokenRefused("token_revoked", "This token was revoked; issue a new one.")
            if token.expires_at is not None and token.expires_at <= timezone.now():
                raise TokenRefused("token_expired", "This token has expired; issue a new one.")
            if not token.user.is_active:
                raise TokenRefused("user_inactive", "This account is deactivated.")
            _touch(token)
            return token
    return None


@dataclass(frozen=True)
class _TokenQuery:
    sql: str
    token_fields: list
    user_fields: list


@functools.cache
def _token_query(alias: str) -> _TokenQuery:
    """One statement for the token, its user and the user's team ids: the three things every
    API request needs before anything else, read on every request (nothing kept between
    requests, so a revoked token, a deactivated user or a changed team is seen at once).
    Written once per database: Django compiled the two queries it replaces on each request."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    token_fields = list(ApiToken._meta.concrete_fields)
    user_fields = list(User._meta.concrete_fields)
    members = User.teams.through._meta
    member_user = qn(members.get_field("user").column)
    member_team = qn(members.get_field("team").column)
    user_pk = qn(User._meta.pk.column)
    members_of = f"FROM {qn(members.db_table)} m WHERE m.{member_user} = u.{user_pk}"
    if connection.vendor == "postgresql":
        teams = f"ARRAY(SELECT m.{member_team} {members_of})"
    else:
        teams = f"(SELECT group_concat(m.{member_team}) {members_of})"
    columns = [f"t.{qn(f.column)}" for f in token_fields]
    columns += [f"u.{qn(f.column)}" for f in user_fields]
    token_user = qn(ApiToken._meta.get_field("user").column)
    prefix = qn(ApiToken._meta.get_field("prefix").column)
    # Names from the models' metadata, quoted; the only value is a bound parameter.
    sql = (
        f"SELECT {', '.join(columns)}, {teams} FROM {qn(ApiToken._meta.db_table)} t "  # noqa: S608
        f"JOIN {qn(User._meta.db_table)} u ON u.{user_pk} = t.{token_user} "
        f"WHERE t.{prefix} = %s"
    )
    return _TokenQuery(sql, token_fields, user_fields)


def _converted(fields: list, values, table: str, connection) -> list:
    # The conversions the ORM applies to these columns (e.g. SQLite's dates to aware ones).
    out = []
    for model_field, value in zip(fields, values, strict=True):
        col = model_field.get_col(table)
        for convert in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
            value = convert(value, col, connection)
        out.append(value)
    return out


def _tokens_with_prefix(lookup: str) -> list[ApiToken]:
    alias = router.db_for_read(ApiToken)
    connection = connections[alias]
    query = _token_query(alias)
    with connection.cursor() as cursor:
        cursor.execute(query.sql, [lookup])
        rows = cursor.fetchall()
    tokens = []
    n_token = len(query.token_fields)
    n_user = len(query.user_fields)
    for row in rows:
        token = ApiToken.from_db(
            alias,
            [f.attname for f in query.token_fields],
            _converted(query.token_fields, row[:n_token], ApiToken._meta.db_table, connection),
        )
        user = User.from_db(
            alias,
            [f.attname for f in query.user_fields],
            _converted(
                query.user_fields,
                row[n_token : n_token + n_user],
                User._meta.db_table,
                connection,
            ),
        )
        teams = row[n_token + n_user]
        if isinstance(teams, str):
            teams = [int(team) for team in teams.split(",")]
        user._team_ids_cache = list(teams or [])
        ApiToken._meta.get_field("user").set_cached_value(token, user)
        tokens.append(token)
    return tokens


def _touch(token: ApiToken) -> None:
    # Writing on every request would turn reads into writes; a minute's resolution is enough
    # to answer "is this token still used?".
    now = timezone.now()
    resolution = timedelta(seconds=settings.API_TOKEN_LAST_USED_RESOLUTION_SECONDS)
    if token.last_used_at is None or now - token.last_used_at >= resolution:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
