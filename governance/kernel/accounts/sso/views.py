"""Single-sign-on pages: starting a sign-in or a step-up at the provider, the callback, logging
out at the provider too, and the admins' page of group rules and second-factor policy."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import requests
from django.conf import settings
from django.contrib import auth, messages
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from governance.kernel.accounts.mfa.models import TotpDevice
from governance.kernel.accounts.mfa.services import (
    mfa_required_roles,
    sign_in_policy_update,
    step_up_record,
)
from governance.kernel.accounts.models import Role
from governance.kernel.accounts.sso.forms import GroupMappingForm, SignInPolicyForm
from governance.kernel.accounts.sso.models import ExternalIdentity
from governance.kernel.accounts.sso.oidc import (
    OidcBackend,
    ProviderUnavailable,
    end_session_url,
    oidc_setting,
    sso_enabled,
)
from governance.kernel.accounts.sso.selectors import group_mapping_list
from governance.kernel.accounts.sso.services import group_mapping_create, group_mapping_delete
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import ServiceError
from governance.kernel.web import _role_required, render_form

STEP_UPS = "sso_step_ups"  # session: state -> what the step-up was for


def sign_in_options(request) -> dict:
    """Template context: which ways of signing in the login page offers."""
    return {"sso_enabled": sso_enabled(), "local_password_login": settings.LOCAL_PASSWORD_LOGIN}


def _unavailable(request, exc):
    return render(
        request,
        "registration/sso_failed.html",
        {"reason": "The identity provider cannot be reached right now. Try again shortly."},
        status=503,
    )


class SsoLoginView(OIDCAuthenticationRequestView):
    """Send the browser to the provider: authorization code flow with PKCE, state, nonce."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not sso_enabled():
            return redirect("login")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable as exc:
            return _unavailable(request, exc)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SsoStepUpView(SsoLoginView):
    """Ask the provider to sign the current user in again (``prompt=login``, ``max_age``), to
    sign an approval; the callback checks the returned ``auth_time``."""

    def get_extra_params(self, request):
        identity = request.user.external_identity
        return {
            "prompt": "login",
            "max_age": str(settings.OIDC_STEP_UP_MAX_AGE),
            "login_hint": identity.subject,
        }

    def get(self, request):
        if not request.user.is_authenticated:
            return redirect("login")
        if not hasattr(request.user, "external_identity") or not sso_enabled():
            messages.error(request, gettext("Your account does not sign in with single sign-on."))
            return redirect("home")
        response = super().get(request)
        if not isinstance(response, HttpResponseRedirect) or "state=" not in response.url:
            return response
        state = parse_qs(urlparse(response.url).query)["state"][0]
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("home")
        pending = request.session.get(STEP_UPS) or {}
        # Only the newest few are kept, like the library's states.
        pending = dict(sorted(pending.items(), key=lambda kv: kv[1]["requested_at"])[-4:])
        pending[state] = {"requested_at": time.time(), "next": next_url}
        request.session[STEP_UPS] = pending
        return response


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer, for a sign-in or for a step-up."""

    def get(self, request):
        state = request.GET.get("state", "")
        step_up = (request.session.get(STEP_UPS) or {}).get(state)
        if step_up is not None:
            return _step_up_callback(request, state, step_up)
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            # An unknown state: an old tab, a replayed or forged answer.
            return render(request, "registration/sso_failed.html", {"reason": str(exc)}, status=400)

    def login_failure(self):
        refusal = getattr(self.request, "sso_refusal", None)
        if refusal is not None and refusal.code == "unmapped":
            return render(
                self.request,
                "registration/sso_no_role.html",
                {"groups": refusal.extra.get("groups", [])},
                status=403,
            )
        reason = refusal.message if refusal is not None else ""
        if self.request.GET.get("error"):
            reason = self.request.GET.get("error_description") or self.request.GET["error"]
        return render(self.request, "registration/sso_failed.html", {"reason": reason}, status=403)


def _step_up_callback(request, state: str, step_up: dict):
    pending = request.session.get(STEP_UPS) or {}
    pending.pop(state, None)
    request.session[STEP_UPS] = pending
    flow = (request.session.get("oidc_states") or {}).pop(state, None)
    request.session.modified = True
    user = request.user
    next_url = step_up["next"]
    if not user.is_authenticated or flow is None:
        return redirect("login")
    identity = ExternalIdentity.objects.filter(user=user).first()
    reason = ""
    if request.GET.get("error"):
        reason = request.GET.get("error_description") or request.GET["error"]
    else:
        backend = OidcBackend()
        backend.request = request
        try:
            tokens = backend.exchange_code(
                code=request.GET.get("code", ""),
                redirect_uri=request.build_absolute_uri(reverse("sso-callback")),
                code_verifier=flow.get("code_verifier") or "",
                nonce=flow.get("nonce"),
            )
            claims = tokens.claims
            auth_time = claims.get("auth_time")
            skew = settings.OIDC_CLOCK_SKEW_SECONDS
            if identity is None or str(claims.get("sub")) != identity.subject:
                reason = "the provider signed in someone else"
            elif not isinstance(auth_time, int | float):
                reason = "the provider did not say when you signed in (auth_time)"
            elif auth_time < step_up["requested_at"] - skew:
                reason = "the provider did not ask for your password again"
            elif time.time() - auth_time > settings.OIDC_STEP_UP_MAX_AGE + skew:
                reason = "the sign-in at the provider is too old"
        except (SuspiciousOperation, requests.RequestException, ProviderUnavailable) as exc:
            reason = str(exc)[:300]
    with transaction.atomic():
        if reason:
            audit_event_record(
                actor=user,
                action="auth.step_up_failed",
                target=user,
                payload={"method": "oidc_step_up", "reason": reason},
            )
        else:
            at = datetime.fromtimestamp(auth_time, tz=UTC)
            step_up_record(request.session, user=user, method="oidc_step_up", at=at)
            audit_event_record(
                actor=user,
                action="auth.step_up",
                target=user,
                payload={"method": "oidc_step_up", "auth_time": at},
            )
    if reason:
        messages.error(
            request, gettext("Re-authentication failed: %(reason)s.") % {"reason": reason}
        )
    return redirect(next_url)


@require_POST
def logout_view(request):
    """Log out here, and at the provider too when the session came from single sign-on
    (RP-initiated logout, with the ID token as hint)."""
    id_token = request.session.get("oidc_id_token", "")
    target = reverse("login")
    if request.user.is_authenticated and id_token and sso_enabled():
        provider = end_session_url(
            id_token=id_token, post_logout_redirect_uri=request.build_absolute_uri(target)
        )
        target = provider or target
    auth.logout(request)
    return HttpResponseRedirect(target)


# --- the admins' page -------------------------------------------------------------------------
admin_only = _role_required(Role.ADMIN)


def _sign_in_context(request, **extra) -> dict:
    return {
        "mappings": group_mapping_list(actor=request.user),
        "mapping_form": extra.pop("mapping_form", None) or GroupMappingForm(),
        "policy_form": extra.pop("policy_form", None)
        or SignInPolicyForm(initial={"mfa_required_roles": mfa_required_roles()}),
        "sso_enabled": sso_enabled(),
        "issuer": settings.OIDC_ISSUER,
        "local_password_login": settings.LOCAL_PASSWORD_LOGIN,
        "break_glass": settings.BREAK_GLASS_USERNAMES,
        "enrolled": TotpDevice.objects.filter(confirmed_at__isnull=False).count(),
        "tab": "sign-in",
        **extra,
    }


@admin_only
def sign_in_settings(request):
    return render(request, "governance/sign_in.html", _sign_in_context(request))


@admin_only
@require_POST
def group_mapping_add(request):
    form = GroupMappingForm(request.POST)
    if not form.is_valid():
        return render_form(
            request, "governance/sign_in.html", _sign_in_context(request, mapping_form=form), 400
        )
    try:
        mapping = group_mapping_create(
            actor=request.user,
            group=form.cleaned_data["group"],
            role=form.cleaned_data["role"],
            team=form.cleaned_data["team"],
        )
    except ServiceError as exc:
        form.add_error(None, exc.message)
        return render_form(
            request,
            "governance/sign_in.html",
            _sign_in_context(request, mapping_form=form),
            exc.status_code,
        )
    messages.success(request, gettext("Rule added: %(rule)s.") % {"rule": mapping})
    return redirect("sign-in-settings")


@admin_only
@require_POST
def group_mapping_remove(request, pk: int):
    mapping = get_object_or_404(group_mapping_list(actor=request.user), pk=pk)
    text = str(mapping)
    group_mapping_delete(actor=request.user, mapping=mapping)
    messages.success(
        request,
        gettext(
            "Rule removed: %(rule)s. People keep their role until their next sign-in or "
            "account check."
        )
        % {"rule": text},
    )
    return redirect("sign-in-settings")


@admin_only
@require_POST
def sign_in_policy_save(request):
    form = SignInPolicyForm(request.POST)
    if not form.is_valid():
        return render_form(
            request, "governance/sign_in.html", _sign_in_context(request, policy_form=form), 400
        )
    sign_in_policy_update(
        actor=request.user, mfa_required_roles=form.cleaned_data["mfa_required_roles"]
    )
    messages.success(request, gettext("Second-factor policy saved."))
    return redirect("sign-in-settings")
