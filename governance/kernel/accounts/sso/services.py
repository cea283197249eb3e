"""Single-sign-on users and the group-to-role rules, with their audit events.

The provider is the source of truth for who a single-sign-on user is: their role and teams
are recomputed from their groups at every sign-in and at every account check. A person whose
groups map to no role is refused, never given a default role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.kernel.accounts.models import Role, Team, User
from governance.kernel.accounts.sealing import seal
from governance.kernel.accounts.services import user_update
from governance.kernel.accounts.sso.models import ROLE_PRECEDENCE, ExternalIdentity, GroupMapping
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import ServiceError, conflict_with_existing, create_or_conflict


class SignInRefused(ServiceError):
    """The provider vouched for the person but this registry will not let them in."""


@dataclass(frozen=True)
class Grant:
    role: str | None
    teams: list[Team] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


def groups_from_claims(claims: dict, claim_name: str) -> list[str]:
    raw = claims.get(claim_name) or []
    if isinstance(raw, str):
        raw = [raw]
    return sorted({str(g) for g in raw if str(g).strip()})


def grant_for_groups(groups: list[str]) -> Grant:
    """The role and teams the admins' rules give to members of ``groups``."""
    rules = list(GroupMapping.objects.filter(group__in=groups).select_related("team"))
    roles = {r.role for r in rules if r.role}
    role = next((r for r in ROLE_PRECEDENCE if r in roles), None)
    teams = sorted({r.team for r in rules if r.team is not None}, key=lambda t: t.name)
    return Grant(role=role, teams=teams, groups=groups)


def _free_username(claims: dict) -> str:
    candidates = [claims.get("preferred_username"), (claims.get("email") or "").split("@")[0]]
    cleaned = [re.sub(r"[^\w.@+-]", "", c or "")[:140] for c in candidates]
    base = next((c for c in cleaned if c), f"sso-{str(claims['sub'])[:20]}")
    # An existing local account with the same name is never taken over: the new person gets
    # a suffix instead, and an admin links nothing by hand.
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def sso_sign_in(*, issuer: str, claims: dict, groups_claim: str, refresh_token: str = "") -> User:
    """The user for verified ID-token claims: created on first sign-in, role and teams synced
    from the groups. Raises SignInRefused (``unmapped``) when no rule gives a role, and
    (``disabled``) when an admin switched the account off here; the refusal's audit event is
    committed all the same."""
    outcome = _sso_sign_in(
        issuer=issuer, claims=claims, groups_claim=groups_claim, refresh_token=refresh_token
    )
    if isinstance(outcome, SignInRefused):
        raise outcome
    return outcome


@transaction.atomic
def _sso_sign_in(*, issuer, claims, groups_claim, refresh_token) -> User | SignInRefused:
    subject = str(claims["sub"])
    groups = groups_from_claims(claims, groups_claim)
    grant = grant_for_groups(groups)
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if grant.role is None:
        if identity is not None:
            # Known here before: without a mapped role they keep nothing, API tokens included.
            _suspend(identity, reason="no group maps to a role any more")
        audit_event_record(
            actor=identity.user if identity else None,
            action="auth.sso_unmapped",
            target=identity.user if identity else None,
            payload={
                "issuer": issuer,
                "subject": subject,
                "email": claims.get("email", ""),
                "groups": groups,
            },
        )
        return SignInRefused(
            "unmapped",
            _("None of your groups at the identity provider is given a role here."),
            status_code=403,
            groups=groups,
        )
    now = timezone.now()
    if identity is None:
        user = User(
            username=_free_username(claims),
            email=claims.get("email", ""),
            first_name=(claims.get("given_name") or claims.get("name") or "")[:150],
            last_name=(claims.get("family_name") or "")[:150],
            role=grant.role,
            is_staff=grant.role == Role.ADMIN,
            is_superuser=grant.role == Role.ADMIN,
        )
        # Single-sign-on users never sign in with a password here.
        user.set_unusable_password()
        user.save()
        user.teams.set(grant.teams)
        identity = ExternalIdentity.objects.create(user=user, issuer=issuer, subject=subject)
        audit_event_record(
            actor=user,
            action="user.created",
            target=user,
            payload={
                "username": user.username,
                "role": grant.role,
                "teams": [t.slug for t in grant.teams],
                "source": "sso",
                "issuer": issuer,
                "subject": subject,
                "groups": groups,
            },
        )
    else:
        user = identity.user
        if not user.is_active and identity.suspended_at is None:
            # Switched off by an admin here, not by the provider: the provider cannot undo it.
            audit_event_record(
                actor=user,
                action="auth.sign_in_failed",
                target=user,
                payload={"method": "oidc", "reason": "account disabled here"},
            )
            return SignInRefused(
                "disabled",
                _("Your account here is switched off."),
                status_code=403,
                groups=groups,
            )
        _apply_grant(user, grant, actor=user, reactivate=identity.suspended_at is not None)
        identity.suspended_at, identity.suspended_reason = None, ""
    identity.groups = groups
    identity.last_login_at = identity.last_checked_at = now
    if refresh_token:
        identity.refresh_token = seal(refresh_token)
    identity.save()
    return user


def _apply_grant(user: User, grant: Grant, *, actor: User | None, reactivate: bool) -> None:
    user_update(
        user=user,
        actor=actor,
        role=grant.role,
        teams=grant.teams,
        is_active=True if reactivate else None,
        email=None,
    )


@transaction.atomic
def sso_account_refreshed(
    *, identity: ExternalIdentity, claims: dict, groups_claim: str, refresh_token: str = ""
) -> str:
    """The provider still vouches for the person: resync role and teams from the groups.
    Returns "ok", or "suspended" when the groups no longer map to a role."""
    identity = (
        ExternalIdentity.objects.select_for_update().select_related("user").get(pk=identity.pk)
    )
    groups = groups_from_claims(claims, groups_claim)
    grant = grant_for_groups(groups)
    identity.groups = groups
    identity.last_checked_at = timezone.now()
    if refresh_token:
        identity.refresh_token = seal(refresh_token)
    identity.save()
    if grant.role is None:
        _suspend(identity, reason="no group maps to a role any more")
        return "suspended"
    if identity.user.is_active:
        _apply_grant(identity.user, grant, actor=None, reactivate=False)
    return "ok"


@transaction.atomic
def sso_account_refused(*, identity: ExternalIdentity, reason: str) -> None:
    """The provider refused to vouch for the person (disabled, deleted, grant revoked)."""
    identity = (
        ExternalIdentity.objects.select_for_update().select_related("user").get(pk=identity.pk)
    )
    identity.last_checked_at = timezone.now()
    identity.save(update_fields=["last_checked_at"])
    _suspend(identity, reason=reason)


def _suspend(identity: ExternalIdentity, *, reason: str) -> None:
    user = identity.user
    if identity.suspended_at is None and user.is_active:
        identity.suspended_at, identity.suspended_reason = timezone.now(), reason[:200]
        identity.save(update_fields=["suspended_at", "suspended_reason"])
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_event_record(
            actor=None,
            action="user.suspended_by_provider",
            target=user,
            payload={"issuer": identity.issuer, "subject": identity.subject, "reason": reason},
        )


# --- the admins' rules ------------------------------------------------------------------------
@transaction.atomic
def group_mapping_create(
    *, actor: User, group: str, role: str = "", team: Team | None = None
) -> GroupMapping:
    group = (group or "").strip()
    if not group:
        raise ServiceError("group_required", _("Name the identity provider's group."))
    if role and role not in Role.values:
        raise ServiceError("invalid_role", _("Unknown role %(role)s.") % {"role": repr(role)})
    if not role and team is None:
        raise ServiceError("empty_rule", _("A rule gives a role, a team, or both."))
    lookup = {"group": group, "role": role, "team": team}
    # SQLite's unique constraint lets NULL teams repeat, so look first; the constraint still
    # decides between two concurrent requests on PostgreSQL.
    if GroupMapping.objects.filter(**lookup).exists():
        raise conflict_with_existing(
            GroupMapping, lookup=lookup, code="mapping_exists", message=_("That rule exists.")
        )
    mapping = create_or_conflict(
        GroupMapping,
        lookup=lookup,
        code="mapping_exists",
        message=_("That rule exists."),
        created_by=actor,
    )
    audit_event_record(
        actor=actor,
        action="sso.group_mapping_created",
        target=mapping,
        payload={"group": group, "role": role, "team": team.slug if team else ""},
    )
    return mapping


@transaction.atomic
def group_mapping_delete(*, actor: User, mapping: GroupMapping) -> None:
    payload = {
        "id": mapping.pk,
        "group": mapping.group,
        "role": mapping.role,
        "team": mapping.team.slug if mapping.team else "",
    }
    audit_event_record(
        actor=actor, action="sso.group_mapping_deleted", target=mapping, payload=payload
    )
    mapping.delete()
