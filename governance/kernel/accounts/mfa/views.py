"""Second-factor pages: adding an authenticator, recovery codes, and the check after sign-in
that roles chosen by the admins must pass."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from governance.kernel.accounts.mfa.models import TotpDevice
from governance.kernel.accounts.mfa.services import (
    SESSION_VERIFIED,
    confirmed_device,
    mfa_required,
    provisioning_uri,
    recovery_codes_regenerate,
    second_factor_verify,
    totp_begin,
    totp_confirm,
    totp_remove,
)
from governance.kernel.accounts.models import Role
from governance.kernel.accounts.selectors import user_list
from governance.kernel.errors import ServiceError
from governance.kernel.web import _role_required


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@login_required
def second_factor(request):
    """The person's authenticator: add one (scan the key, confirm a code), see how many
    recovery codes are left, make new ones, or remove it."""
    user = request.user
    device = TotpDevice.objects.filter(user=user).first()
    context = {
        "device": device,
        "required": mfa_required(user),
        "next": _next(request),
        "recovery_left": user.recovery_codes.filter(used_at__isnull=True).count(),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "begin":
                device = totp_begin(actor=user)
                context["device"] = device
            elif action == "confirm":
                codes = totp_confirm(actor=user, code=request.POST.get("code", ""))
                request.session[SESSION_VERIFIED] = timezone.now().timestamp()
                return render(
                    request,
                    "governance/second_factor_codes.html",
                    {"codes": codes, "next": context["next"]},
                )
            elif action == "recovery":
                codes = recovery_codes_regenerate(actor=user)
                return render(
                    request,
                    "governance/second_factor_codes.html",
                    {"codes": codes, "next": context["next"]},
                )
            elif action == "remove":
                if mfa_required(user):
                    messages.error(
                        request,
                        gettext(
                            "Your role must use a second factor; ask an admin "
                            "to reset it if you lost your phone."
                        ),
                    )
                else:
                    totp_remove(actor=user, user=user)
                    messages.success(request, gettext("Authenticator removed."))
                return redirect("second-factor")
        except ServiceError as exc:
            context["error"] = exc.message
            return render(request, "governance/second_factor.html", context, status=exc.status_code)
    if device is not None and device.confirmed_at is None:
        context["uri"] = provisioning_uri(user, device)
        context["secret_groups"] = _groups(context["uri"])
    return render(request, "governance/second_factor.html", context)


def _groups(uri: str) -> str:
    secret = uri.split("secret=")[1].split("&")[0]
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def second_factor_verify_view(request):
    """After signing in: roles that need a second factor enter a code before anything else."""
    user = request.user
    if confirmed_device(user) is None:
        return redirect(f"/profile/second-factor/?next={_next(request)}")
    context = {"next": _next(request)}
    if request.method == "POST":
        method = second_factor_verify(user=user, code=request.POST.get("code", ""))
        if method:
            request.session[SESSION_VERIFIED] = timezone.now().timestamp()
            if method == "recovery_code":
                left = user.recovery_codes.filter(used_at__isnull=True).count()
                messages.warning(
                    request,
                    gettext(
                        "Recovery code used; %(left)s left. Make new ones on "
                        "your second-factor page if you are running out."
                    )
                    % {"left": left},
                )
            return redirect(context["next"])
        context["error"] = gettext("That code does not match.")
        return render(request, "governance/second_factor_verify.html", context, status=403)
    return render(request, "governance/second_factor_verify.html", context)


@_role_required(Role.ADMIN)
@require_POST
def second_factor_reset(request, pk: int):
    person = user_list(actor=request.user).filter(pk=pk).first()
    if person is None:
        raise Http404
    totp_remove(actor=request.user, user=person)
    messages.success(
        request,
        gettext("The authenticator of %(person)s was reset.") % {"person": person.username},
    )
    return redirect("person-edit", pk=pk)
