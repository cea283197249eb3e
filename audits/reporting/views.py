"""Report pages: generate with progress (HTMX polling), list, download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from audits.reporting import services
from audits.reporting.api import report_queryset
from audits.reporting.models import Report
from governance.kernel.errors import ServiceError
from governance.kernel.languages import language_or_default
from governance.kernel.web import forbidden, is_htmx
from registry import selectors as registry_selectors


def get_language_code() -> str:
    return language_or_default(get_language())


def _can_report(user) -> bool:
    return user.role in services.REPORT_ROLES


@login_required
def report_list(request):
    if not _can_report(request.user):
        return forbidden(
            request, gettext("Reports are for auditors, compliance officers and admins.")
        )
    reports = report_queryset(request.user).select_related("model_version__model")
    page = Paginator(reports, 25).get_page(request.GET.get("page"))
    return render(request, "audits/reports.html", {"page": page})


@login_required
@require_POST
def report_generate(request):
    if not _can_report(request.user):
        return forbidden(
            request, gettext("Reports are for auditors, compliance officers and admins.")
        )
    kind = request.POST.get("kind", "")
    mv = None
    if kind in services.VERSION_KINDS:
        mv = (
            registry_selectors.model_version_list(actor=request.user)
            .filter(pk=request.POST.get("model_version") or 0)
            .first()
        )
        if mv is None:
            raise Http404
    # The form offers the three languages; without a choice the report is in the page's.
    language = request.POST.get("language") or get_language_code()
    try:
        report = services.report_request(
            actor=request.user, kind=kind, model_version=mv, language=language
        )
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status_code)
    if is_htmx(request):
        if report.reused:
            # Its row is already on the page and polling: nothing to add.
            return HttpResponse(status=204)
        report.refresh_from_db()
        return render(request, "audits/partials/report_row.html", {"r": report})
    return redirect("reports")


@login_required
def report_status(request, pk: int):
    """The report's row; HTMX polls it every second while the report is being made."""
    if not _can_report(request.user):
        return forbidden(request)
    report = report_queryset(request.user).filter(pk=pk).first()
    if report is None:
        raise Http404
    return render(request, "audits/partials/report_row.html", {"r": report})


@login_required
def report_file(request, pk: int, what: str):
    if not _can_report(request.user):
        return forbidden(
            request, gettext("Reports are for auditors, compliance officers and admins.")
        )
    report = report_queryset(request.user).filter(pk=pk).first()
    if report is None:
        raise Http404
    try:
        body, name, ctype = services.report_download(actor=request.user, report=report, what=what)
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status_code)
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def version_page_panels(*, request, model_version) -> dict:
    """The reports panel of the registry's model version page, for the roles that may see it."""
    if request.user.role not in services.REPORT_ROLES:
        return {}
    reports = (
        report_queryset(request.user)
        .filter(model_version=model_version)
        .select_related("model_version__model", "requested_by")
    )
    return {
        "reports": reports,
        "can_report": True,
        "gpai_reports": services.gpai_classified(model_version),
    }


def audit_run_page_panels(*, user, audit_run) -> dict:
    """The report of one audit run, on the run's page."""
    report = Report.objects.filter(audit_run=audit_run).order_by("-pk").first()
    return {"report": report, "can_download": user.role in services.REPORT_ROLES}
