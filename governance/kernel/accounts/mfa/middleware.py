"""Roles the admins chose must give their second factor before using a browser session."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect

from governance.kernel.accounts.mfa.services import SESSION_VERIFIED, confirmed_device, mfa_required

# Pages a person who still owes a second factor may open: the second-factor pages
# themselves, signing out, the provider's callback, and static files.
OPEN_PREFIXES = (
    "/second-factor/",
    "/profile/second-factor/",
    "/logout/",
    "/sso/",
    "/static/",
    "/healthz/",
)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(SESSION_VERIFIED)
            and not request.path.startswith(OPEN_PREFIXES)
            and mfa_required(user)
        ):
            enrolled = confirmed_device(user) is not None
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "error": {
                            "code": "second_factor_required",
                            "message": "Give your second factor in the browser first.",
                        }
                    },
                    status=403,
                )
            page = "/second-factor/" if enrolled else "/profile/second-factor/"
            return redirect(f"{page}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
