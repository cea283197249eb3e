"""Audits in the browser: every system's schedule (overdue ones first), the audit runs, one
run's outcome (versions audited, checks started, findings raised, its report), and an
"audit now" button for compliance officers and admins.

Each page costs a fixed number of queries whatever the number of schedules, runs or findings.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from audits.programme.models import AuditRun
from audits.programme.selectors import audit_run_list, schedule_list
from audits.programme.services.schedules import EDITOR_ROLES, audit_run_request
from audits.runs.findings_views import _int_or_none
from audits.runs.models.findings import Finding
from audits.runs.selectors import check_run_list
from governance.kernel.errors import ServiceError
from governance.kernel.panels import audit_run_panels
from governance.kernel.web import PAGE_SIZE, forbidden
from registry import selectors as registry_selectors


@login_required
def audits_page(request):
    user = request.user
    now = timezone.now()
    system_id = _int_or_none(request.GET.get("system"))
    schedules = list(schedule_list(actor=user).select_related("system__team").order_by("next_due"))
    for schedule in schedules:
        schedule.overdue = schedule.active and schedule.next_due < now
    runs = (
        audit_run_list(actor=user)
        .select_related("system__team", "requested_by")
        .annotate(finding_count=Count("findings", distinct=True))
        .order_by("-queued_at", "-pk")
    )
    if system_id:
        runs = runs.filter(system_id=system_id)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    systems = list(registry_selectors.system_list(actor=user).order_by("name").values("pk", "name"))
    return render(
        request,
        "audits/audits.html",
        {
            "schedules": schedules,
            "overdue_count": sum(1 for s in schedules if s.overdue),
            "page": page,
            "systems": systems,
            "system_id": system_id,
            "can_start": user.role in EDITOR_ROLES,
        },
    )


@login_required
@require_POST
def audit_run_start(request):
    if request.user.role not in EDITOR_ROLES:
        return forbidden(request, gettext("Only compliance officers and admins start audits."))
    system_id = _int_or_none(request.POST.get("system"))
    system = registry_selectors.system_list(actor=request.user).filter(pk=system_id or 0).first()
    if system is None:
        raise Http404
    try:
        run = audit_run_request(actor=request.user, system=system)
    except ServiceError as exc:
        messages.error(request, exc.message)
        existing = exc.extra.get("existing_id")
        return redirect("audit-run", pk=existing) if existing else redirect("audits")
    messages.success(request, gettext("Audit of %(system)s started.") % {"system": system.name})
    return redirect("audit-run", pk=run.pk)


def _run_or_404(user, pk: int) -> AuditRun:
    run = (
        audit_run_list(actor=user)
        .select_related("system__team", "requested_by", "schedule")
        .filter(pk=pk)
        .first()
    )
    if run is None:
        raise Http404
    return run


def _run_context(user, run: AuditRun) -> dict:
    summary = run.summary or {}
    check_ids = [i for i in summary.get("check_runs", []) if isinstance(i, int)]
    checks = list(
        check_run_list(actor=user)
        .filter(pk__in=check_ids)
        .select_related("model_version__model", "dataset_version__dataset")
        .order_by("pk")
    )
    findings = list(
        Finding.objects.filter(audit_run=run)
        .select_related("model_version__model")
        .order_by("-severity", "pk")
    )
    version_ids = [v.get("id") for v in summary.get("model_versions", []) if isinstance(v, dict)]
    versions = {
        mv.pk: mv
        for mv in registry_selectors.model_version_list(actor=user).filter(pk__in=version_ids)
    }
    audited = [
        {"version": versions.get(v.get("id")), "required_checks": v.get("required_checks", [])}
        for v in summary.get("model_versions", [])
        if isinstance(v, dict)
    ]

    return {
        "run": run,
        "checks": checks,
        "checks_open": sum(1 for c in checks if c.status in ("queued", "running")),
        "findings": findings,
        "audited": audited,
        "can_start": user.role in EDITOR_ROLES,
        # The run's report and whether this user may download it come from reporting.
        **audit_run_panels.merged(user=user, audit_run=run),
    }


@login_required
def audit_run_page(request, pk: int):
    run = _run_or_404(request.user, pk)
    return render(request, "audits/audit_run.html", _run_context(request.user, run))


@login_required
def audit_run_status(request, pk: int):
    """The run's outcome block; HTMX polls it until the run and its checks are done."""
    run = _run_or_404(request.user, pk)
    return render(request, "audits/partials/audit_run_body.html", _run_context(request.user, run))
