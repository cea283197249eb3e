"""Audit events for signing in, failing to, and signing out, whichever way it happened
(password, single sign-on); connected in GovernanceConfig.ready()."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction

from governance.kernel.accounts.mfa.services import mfa_required
from governance.kernel.accounts.sessions import SESSION_SEEN, SESSION_STARTED
from governance.kernel.audit.services import audit_event_record


def _method(user) -> str:
    return "oidc" if getattr(user, "backend", "").endswith("OidcBackend") else "password"


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def on_logged_in(sender, request, user, **kwargs) -> None:
    now = time.time()
    method = _method(user)
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED] = request.session[SESSION_SEEN] = now
        request.session["auth_method"] = method
    # Reads the sign-in policy into the cache now, so pages do not pay for it.
    mfa_required(user)
    with transaction.atomic():
        audit_event_record(
            actor=user,
            action="auth.signed_in",
            target=user,
            payload={"method": method, "ip": _ip(request)},
        )


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = credentials.get("username")
    if not username:
        # Single sign-on failures are recorded by the OIDC backend with their reason.
        return
    with transaction.atomic():
        audit_event_record(
            actor=None,
            action="auth.sign_in_failed",
            payload={"method": "password", "username": str(username)[:150], "ip": _ip(request)},
        )


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    with transaction.atomic():
        audit_event_record(actor=user, action="auth.signed_out", target=user, payload={})


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="audit-signed-in")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit-sign-in-failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="audit-signed-out")
