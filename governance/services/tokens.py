"""Issuing, checking and revoking API tokens."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from governance.models import ApiToken, User, token_digest
from governance.services.audit import audit_event_record

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
