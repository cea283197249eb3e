"""Browser pages of the governance app: login, dashboard, profile with API tokens."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from governance import selectors
from governance.api.errors import server_error as api_server_error
from governance.services.tokens import api_token_issue, api_token_revoke

logger = logging.getLogger(__name__)

LOGIN_ATTEMPTS = 10
LOGIN_WINDOW_SECONDS = 300


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


class ThrottledLoginView(auth_views.LoginView):
    """Django's login, refusing more than 10 failed attempts per address and user in 5 minutes."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def _key(self) -> str:
        username = (self.request.POST.get("username") or "").lower()[:150]
        return f"login-fail:{_client_ip(self.request)}:{username}"

    def post(self, request, *args, **kwargs):
        if cache.get(self._key(), 0) >= LOGIN_ATTEMPTS:
            response = render(
                request,
                self.template_name,
                {"form": self.get_form(), "locked": True},
                status=429,
            )
            response["Retry-After"] = str(LOGIN_WINDOW_SECONDS)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        key = self._key()
        cache.add(key, 0, LOGIN_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, LOGIN_WINDOW_SECONDS)
        return super().form_invalid(form)


@login_required
def home(request):
    from governance.dashboard import dashboard_context

    return render(request, "governance/home.html", dashboard_context(user=request.user))


@login_required
def profile(request):
    tokens = selectors.api_token_list(actor=request.user)
    return render(request, "governance/profile.html", {"tokens": tokens})


@login_required
@require_POST
def profile_token_create(request):
    name = (request.POST.get("name") or "").strip()
    if not name:
        messages.error(request, "Give the token a name, e.g. the script or machine using it.")
        return redirect("profile")
    issued = api_token_issue(user=request.user, name=name, actor=request.user)
    tokens = selectors.api_token_list(actor=request.user)
    # The raw token is rendered in this one response and never again.
    return render(request, "governance/profile.html", {"tokens": tokens, "new_token": issued.raw})


@login_required
@require_POST
def profile_token_revoke(request, pk: int):
    token = get_object_or_404(selectors.api_token_list(actor=request.user), pk=pk)
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, f"Token “{token.name}” revoked.")
    if request.headers.get("HX-Request"):
        tokens = selectors.api_token_list(actor=request.user)
        html = render_to_string("partials/token_table.html", {"tokens": tokens}, request=request)
        return HttpResponse(html)
    return redirect("profile")


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


def forbidden(request, message: str = "Your role may not open this page."):
    html = render_to_string("403.html", {"message": message}, request=request)
    return HttpResponseForbidden(html)


def _role_required(*roles):
    def decorator(view):
        from functools import wraps

        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                return forbidden(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@_role_required("admin", "auditor")
def audit_trail(request):
    """Browse the trail with filters; export the same filter as CSV; verify the chain."""
    from datetime import UTC, datetime, time, timedelta
    from urllib.parse import urlencode

    from django.core.paginator import Paginator
    from django.utils.dateparse import parse_date

    from governance.models import User

    params = request.GET

    def day(name: str):
        try:
            return parse_date(params.get(name, "").strip())
        except ValueError:  # well formed but impossible, e.g. 2026-02-30
            return None

    actor = params.get("actor", "").strip()
    first, last = day("from"), day("to")
    filters = {
        "action": params.get("action", "").strip() or None,
        "target_type": params.get("target_type", "").strip() or None,
        "target_id": params.get("target_id", "").strip() or None,
        "actor_id": int(actor) if actor.isdigit() else None,
        # "to" is inclusive on the page: events before the next midnight (UTC).
        "since": datetime.combine(first, time.min, tzinfo=UTC) if first else None,
        "until": datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC) if last else None,
    }
    events = selectors.audit_event_list(actor=request.user, **filters).select_related(None)
    page = Paginator(events, 50).get_page(params.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    api_names = {"actor_id": "actor"}
    export = urlencode(
        {
            api_names.get(key, key): value.isoformat() if isinstance(value, datetime) else value
            for key, value in filters.items()
            if value is not None
        }
    )
    return render(
        request,
        "governance/audit_trail.html",
        {
            "page": page,
            "filters": filters,
            "dates": {"from": first, "to": last},
            "people": User.objects.order_by("username").only("pk", "username"),
            "query": query.urlencode(),
            "export_query": export,
        },
    )


@_role_required("admin", "auditor")
@require_POST
def audit_trail_verify(request):
    from governance.services.audit import audit_chain_verification_start

    job = audit_chain_verification_start(actor=request.user)
    return redirect("audit-trail-verify-status", pk=job.pk)


@_role_required("admin", "auditor")
def audit_trail_verify_status(request, pk: int):
    from governance.models import BackgroundJob

    try:
        job = selectors.background_job_get(actor=request.user, job_id=pk)
    except BackgroundJob.DoesNotExist:
        return HttpResponse(status=404)
    template = "partials/verify_status.html"
    if request.headers.get("HX-Request"):
        return render(request, template, {"job": job})
    return render(request, "governance/verify_status.html", {"job": job})
