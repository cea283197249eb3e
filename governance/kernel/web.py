"""Browser pages of the governance app: login, dashboard, profile with API tokens."""

from __future__ import annotations

import logging
from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext

from governance.kernel.api.errors import server_error as api_server_error


def healthz(request):
    """Liveness and readiness: the database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("health check failed")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


def server_error(request, *args, **kwargs):
    if request.path.startswith("/api/"):
        return api_server_error(request)
    html = render_to_string("500.html", {"request_id": getattr(request, "request_id", "")})
    return HttpResponse(html, status=500)


def forbidden(request, message: str | None = None):
    if message is None:
        message = gettext("Your role may not open this page.")
    html = render_to_string("403.html", {"message": message}, request=request)
    return HttpResponseForbidden(html)


def _role_required(*roles):
    def decorator(view):

        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                return forbidden(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


COMMENT_MAX = 4000


class Form(forms.Form):
    """Labels without Django's trailing colon; the pages style labels themselves."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


PAGE_SIZE = 25


def is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def render_form(request, template: str, context: dict, status: int = 200):
    """HTMX only swaps 2xx answers, so a refused HTMX form comes back as 200 with the message
    in it; a plain browser post gets the real status code."""
    return render(request, template, context, status=200 if is_htmx(request) else status)


logger = logging.getLogger(__name__)
