"""The periodic account check: is each single-sign-on user still active at the provider?

API tokens are checked on every request against ``user.is_active`` only, so turning a person
off at the provider must reach that flag. Every OIDC_ACCOUNT_CHECK_SECONDS the check uses the
refresh token kept from the person's last sign-in: the provider issues new tokens only for an
account it still considers active (an OpenID provider looks the account up on every refresh
grant), and their ID token names the person's current groups. A refusal (``invalid_grant``)
suspends the user here, and their tokens stop working at once; new groups resync the role
and teams. A provider that cannot be reached changes nothing: an outage must not lock
everyone out, so the check tries again next time.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db.models import Q
from django.utils import timezone

from governance.kernel.accounts.sso.models import ExternalIdentity
from governance.kernel.accounts.sso.oidc import (
    OidcBackend,
    ProviderUnavailable,
    discovery,
    identity_refresh_token,
    sso_enabled,
)
from governance.kernel.accounts.sso.services import sso_account_refreshed, sso_account_refused

logger = logging.getLogger(__name__)


def _refusal(exc: requests.HTTPError) -> str | None:
    """The OAuth error of a token endpoint answer that says no, or None for an outage."""
    response = exc.response
    if response is None or response.status_code >= 500:
        return None
    try:
        error = response.json().get("error", "")
    except ValueError:
        error = ""
    return error or f"HTTP {response.status_code}"


def sso_accounts_check(*, force: bool = False) -> dict[str, int]:
    """Check every active single-sign-on user not checked for OIDC_ACCOUNT_CHECK_SECONDS."""
    counts = {"ok": 0, "suspended": 0, "unreachable": 0, "no_refresh_token": 0}
    if not sso_enabled():
        return counts
    due = ExternalIdentity.objects.filter(user__is_active=True, issuer=settings.OIDC_ISSUER)
    if not force:
        horizon = timezone.now() - timedelta(seconds=settings.OIDC_ACCOUNT_CHECK_SECONDS)
        due = due.filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=horizon))
    try:
        discovery()
    except ProviderUnavailable as exc:
        logger.warning("account check: provider unreachable: %s", exc)
        counts["unreachable"] = due.count()
        return counts
    backend = OidcBackend()
    for identity in due.select_related("user"):
        refresh_token = identity_refresh_token(identity)
        if not refresh_token:
            counts["no_refresh_token"] += 1
            continue
        try:
            tokens = backend.refresh(refresh_token)
        except requests.HTTPError as exc:
            error = _refusal(exc)
            if error is None:
                counts["unreachable"] += 1
                continue
            sso_account_refused(identity=identity, reason=f"the provider refused: {error}")
            counts["suspended"] += 1
            continue
        except (requests.RequestException, ProviderUnavailable) as exc:
            logger.warning("account check: provider unreachable: %s", exc)
            counts["unreachable"] += 1
            continue
        except SuspiciousOperation as exc:
            sso_account_refused(identity=identity, reason=f"refreshed ID token refused: {exc}")
            counts["suspended"] += 1
            continue
        if tokens.claims and str(tokens.claims.get("sub")) != identity.subject:
            sso_account_refused(identity=identity, reason="the provider named another subject")
            counts["suspended"] += 1
            continue
        outcome = sso_account_refreshed(
            identity=identity,
            claims=tokens.claims or {"groups": identity.groups},
            groups_claim=settings.OIDC_GROUPS_CLAIM if tokens.claims else "groups",
            refresh_token=tokens.refresh_token,
        )
        counts[outcome] += 1
    return counts
