"""Browser pages of the governance app: login, dashboard, profile with API tokens."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from governance.kernel.accounts.models import User
from governance.kernel.api.base import parse_id
from governance.kernel.audit.selectors import audit_event_list
from governance.kernel.audit.services import audit_chain_verification_start
from governance.kernel.jobs.models import BackgroundJob
from governance.kernel.jobs.selectors import background_job_get
from governance.kernel.web import _role_required, is_htmx


@_role_required("admin", "auditor")
def audit_trail(request):
    """Browse the trail with filters; export the same filter as CSV; verify the chain."""

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
        "actor_id": parse_id(actor),
        # "to" is inclusive on the page: events before the next midnight (UTC).
        "since": datetime.combine(first, time.min, tzinfo=UTC) if first else None,
        "until": datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC) if last else None,
    }
    events = audit_event_list(actor=request.user, **filters).select_related(None)
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

    job = audit_chain_verification_start(actor=request.user)
    return redirect("audit-trail-verify-status", pk=job.pk)


@_role_required("admin", "auditor")
def audit_trail_verify_status(request, pk: int):

    try:
        job = background_job_get(actor=request.user, job_id=pk)
    except BackgroundJob.DoesNotExist:
        return HttpResponse(status=404)
    template = "partials/verify_status.html"
    if is_htmx(request):
        return render(request, template, {"job": job})
    return render(request, "governance/verify_status.html", {"job": job})
