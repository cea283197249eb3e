"""TOTP second factors with recovery codes, the policy of who must use one, and the proof a
reviewer gives when signing (password, re-authentication at the provider, or TOTP)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from governance.kernel.accounts.backends import password_login_allowed
from governance.kernel.accounts.mfa.models import RecoveryCode, SignInPolicy, TotpDevice
from governance.kernel.accounts.models import Role, User
from governance.kernel.accounts.sealing import seal, unseal
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Forbidden, ServiceError

RECOVERY_CODES = 10
POLICY_CACHE_KEY = "mfa:policy-roles"

# Session keys: when the second factor was given in this session, and the current step-up.
SESSION_VERIFIED = "mfa_verified_at"
SESSION_STEP_UP = "step_up"


# --- the policy -------------------------------------------------------------------------------
def mfa_required_roles() -> list[str]:
    roles = cache.get(POLICY_CACHE_KEY)
    if roles is None:
        policy = SignInPolicy.objects.filter(pk=1).first()
        roles = (
            list(policy.mfa_required_roles) if policy else list(settings.MFA_REQUIRED_ROLES_DEFAULT)
        )
        cache.set(POLICY_CACHE_KEY, roles, 300)
    return roles


def mfa_required(user: User) -> bool:
    return user.is_authenticated and user.role in mfa_required_roles()


@transaction.atomic
def sign_in_policy_update(*, actor: User, mfa_required_roles: list[str]) -> SignInPolicy:
    unknown = sorted(set(mfa_required_roles) - set(Role.values))
    if unknown:
        raise ServiceError(
            "invalid_role", _("Unknown roles: %(roles)s.") % {"roles": ", ".join(unknown)}
        )
    roles = sorted(set(mfa_required_roles))
    policy = SignInPolicy.objects.select_for_update().get_or_create(
        pk=1, defaults={"mfa_required_roles": list(settings.MFA_REQUIRED_ROLES_DEFAULT)}
    )[0]
    before = sorted(policy.mfa_required_roles)
    policy.mfa_required_roles, policy.updated_by = roles, actor
    policy.save()
    if before != roles:
        audit_event_record(
            actor=actor,
            action="sign_in_policy.updated",
            target=policy,
            payload={"mfa_required_roles": [before, roles]},
        )
    # Now for this transaction's own reads, and again after commit in case another process
    # cached the old policy meanwhile.
    cache.delete(POLICY_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(POLICY_CACHE_KEY))
    return policy


# --- TOTP ---------------------------------------------------------------------------------------
def confirmed_device(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def _totp(device: TotpDevice) -> pyotp.TOTP:
    return pyotp.TOTP(unseal(device.secret))


def provisioning_uri(user: User, device: TotpDevice) -> str:
    return _totp(device).provisioning_uri(
        name=user.email or user.username, issuer_name=settings.MFA_ISSUER_NAME
    )


@transaction.atomic
def totp_begin(*, actor: User) -> TotpDevice:
    """A fresh, unconfirmed authenticator seed (replacing an unconfirmed one). A confirmed
    authenticator must be removed first, so a stolen session cannot silently swap it."""
    if confirmed_device(actor) is not None:
        raise ServiceError("totp_exists", _("You already have an authenticator; remove it first."))
    TotpDevice.objects.filter(user=actor).delete()
    return TotpDevice.objects.create(user=actor, secret=seal(pyotp.random_base32()))


def _matching_step(device: TotpDevice, code: str) -> int | None:
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = _totp(device)
    now = time.time()
    # One step of drift either way: phones' clocks are rarely exact.
    for drift in (0, -1, 1):
        at = now + drift * totp.interval
        if hmac.compare_digest(totp.at(at), code):
            return int(at // totp.interval)
    return None


def _hash_code(code: str) -> str:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(f"recovery:{normalised}".encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=_hash_code(c)) for c in codes)
    return codes


@transaction.atomic
def totp_confirm(*, actor: User, code: str) -> list[str]:
    """Turn the pending authenticator on with a first code; returns the recovery codes
    (shown once, only their digests are kept)."""
    device = TotpDevice.objects.select_for_update().filter(user=actor).first()
    if device is None or device.confirmed_at is not None:
        raise ServiceError("no_pending_totp", _("Start adding an authenticator first."))
    step = _matching_step(device, code)
    if step is None:
        raise ServiceError("totp_invalid", _("That code does not match; check the phone's clock."))
    device.confirmed_at, device.last_step = timezone.now(), step
    device.save()
    codes = _new_recovery_codes(actor)
    audit_event_record(actor=actor, action="mfa.totp_enabled", target=actor, payload={})
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, actor: User) -> list[str]:
    if confirmed_device(actor) is None:
        raise ServiceError("no_totp", _("Add an authenticator first."))
    codes = _new_recovery_codes(actor)
    audit_event_record(
        actor=actor,
        action="mfa.recovery_codes_regenerated",
        target=actor,
        payload={"count": len(codes)},
    )
    return codes


@transaction.atomic
def totp_remove(*, actor: User, user: User) -> None:
    """Remove a person's authenticator and recovery codes: themselves, or an admin resetting
    a lost phone (the person must add a new one at next sign-in if policy requires it)."""
    if actor.pk != user.pk and actor.role != Role.ADMIN:
        raise Forbidden("role_forbidden", _("Only admins reset another person's authenticator."))
    removed = TotpDevice.objects.filter(user=user).delete()[0]
    RecoveryCode.objects.filter(user=user).delete()
    if removed:
        audit_event_record(
            actor=actor,
            action="mfa.totp_removed",
            target=user,
            payload={"by_admin": actor.pk != user.pk},
        )


@transaction.atomic
def second_factor_verify(*, user: User, code: str, allow_recovery: bool = True) -> str | None:
    """ "totp" or "recovery_code" when ``code`` is good (each accepted once), else None.
    Every attempt is an audit event."""
    device = (
        TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    )
    method = None
    if device is not None:
        step = _matching_step(device, code)
        if step is not None and (device.last_step is None or step > device.last_step):
            device.last_step = step
            device.save(update_fields=["last_step"])
            method = "totp"
        if method is None and allow_recovery:
            used = RecoveryCode.objects.filter(
                user=user, digest=_hash_code(code or ""), used_at__isnull=True
            ).update(used_at=timezone.now())
            method = "recovery_code" if used else None
    audit_event_record(
        actor=user,
        action="mfa.verified" if method else "mfa.failed",
        target=user,
        payload={"method": method or "", "has_device": device is not None},
    )
    return method


# --- proofs for signing -------------------------------------------------------------------------
@dataclass(frozen=True)
class StepUp:
    """How and when a person proved who they are, for one signature."""

    method: str  # password | oidc_step_up | totp
    at: datetime
    user_id: int

    def as_session(self) -> dict:
        return {"method": self.method, "at": self.at.timestamp(), "user_id": self.user_id}


def step_up_record(session, *, user: User, method: str, at: datetime) -> StepUp:
    proof = StepUp(method=method, at=at, user_id=user.pk)
    session[SESSION_STEP_UP] = proof.as_session()
    return proof


def step_up_current(session, *, user: User) -> StepUp | None:
    """The session's step-up if it is this user's and still fresh enough to sign with."""
    data = session.get(SESSION_STEP_UP)
    if not data or data.get("user_id") != user.pk:
        return None
    at = datetime.fromtimestamp(data["at"], tz=UTC)
    if timezone.now() - at > timedelta(seconds=settings.OIDC_STEP_UP_MAX_AGE):
        return None
    return StepUp(method=data["method"], at=at, user_id=user.pk)


def step_up_clear(session) -> None:
    session.pop(SESSION_STEP_UP, None)


def signing_methods(user: User) -> list[str]:
    """How this person can sign an approval, best first."""
    methods = []
    if hasattr(user, "external_identity"):
        methods.append("oidc_step_up")
    if confirmed_device(user) is not None:
        methods.append("totp")
    elif user.has_usable_password() and password_login_allowed(user.username):
        # A person with an authenticator signs with it: a password alone is one factor.
        methods.append("password")
    return methods


def signing_proof(
    *,
    actor: User,
    password: str | None = None,
    totp_code: str | None = None,
    step_up: StepUp | None = None,
) -> StepUp:
    """Check what the reviewer gave to sign with; raise with a clear code when it is not
    enough."""
    methods = signing_methods(actor)
    now = timezone.now()
    if step_up is not None:
        fresh = now - step_up.at <= timedelta(seconds=settings.OIDC_STEP_UP_MAX_AGE)
        if step_up.user_id != actor.pk or step_up.method != "oidc_step_up" or not fresh:
            raise Forbidden("step_up_expired", _("Your re-authentication expired; do it again."))
        return step_up
    if totp_code:
        if "totp" not in methods:
            raise ServiceError("no_totp", _("You have no authenticator to sign with."))
        if second_factor_verify(user=actor, code=totp_code, allow_recovery=False) != "totp":
            raise Forbidden(
                "signature_invalid", _("The authenticator code does not match; not signed.")
            )
        return StepUp(method="totp", at=now, user_id=actor.pk)
    if password:
        if "password" not in methods:
            raise Forbidden(
                "password_not_accepted",
                _("Sign with %(methods)s; a password is not accepted for your account.")
                % {"methods": _alternatives(methods) or _("single sign-on")},
            )
        if not actor.check_password(password):
            raise Forbidden("signature_invalid", _("The password does not match; not signed."))
        return StepUp(method="password", at=now, user_id=actor.pk)
    if not methods:
        raise ServiceError(
            "step_up_required",
            _("Approving needs you to confirm who you are: no method is available to you."),
            methods=methods,
        )
    raise ServiceError(
        "step_up_required",
        _("Approving needs you to confirm who you are: %(methods)s.")
        % {"methods": _alternatives(methods)},
        methods=methods,
    )


_LABELS = {
    "oidc_step_up": gettext_noop("re-authenticating at your identity provider"),
    "totp": gettext_noop("a code from your authenticator app"),
    "password": gettext_noop("your password"),
}


def _alternatives(methods: list[str]) -> str:
    """The ways to sign, best first, in the reader's language: "a or b" (``signing_methods``
    gives at most two), one alone, or "" for none."""
    labels = [_(_LABELS[m]) for m in methods]
    if len(labels) == 2:
        return _("%(first)s or %(second)s") % {"first": labels[0], "second": labels[1]}
    return labels[0] if labels else ""
