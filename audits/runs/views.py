"""Check results on the model version page: run a check, watch its progress, read the
per-group tables and charts when it is done."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST

from audits.runs.models.checks import CheckKind
from audits.runs.models.findings import findings_of_run
from audits.runs.selectors import check_run_list
from audits.runs.services.checks import RUN_ROLES, check_run_request
from governance.kernel.errors import ServiceError
from governance.kernel.web import forbidden
from registry import selectors as registry_selectors

RUNNABLE = [(k, label) for k, label in CheckKind.choices if k != CheckKind.OPERATIONAL]


def checks_context(*, user, model_version) -> dict:
    """What the model version page shows about checks (fixed number of queries)."""
    runs = list(
        check_run_list(actor=user)
        .filter(model_version=model_version)
        .select_related("dataset_version__dataset", "requested_by")
        .order_by("-queued_at", "-pk")[:20]
    )
    latest = {}
    for run in runs:
        if run.status == "succeeded":
            latest.setdefault(run.kind, run)
    datasets = (
        registry_selectors.dataset_version_list(actor=user)
        .filter(dataset__team_id=model_version.model.system.team_id, profile_status="ready")
        .order_by("-created_at")[:50]
    )
    return {
        "check_runs": runs,
        "latest_checks": [latest[k] for k, _ in RUNNABLE if k in latest],
        "can_run_checks": user.role in RUN_ROLES,
        "check_kinds": RUNNABLE,
        "check_datasets": datasets,
    }


@login_required
@require_POST
def check_run_start(request, pk: int):
    if request.user.role not in RUN_ROLES:
        return forbidden(request, "Your role may not run checks.")
    mv = registry_selectors.model_version_list(actor=request.user).filter(pk=pk).first()
    if mv is None:
        raise Http404
    datasets = registry_selectors.dataset_version_list(actor=request.user)
    dv = datasets.filter(pk=request.POST.get("dataset_version") or 0).first()
    reference = datasets.filter(pk=request.POST.get("reference_dataset_version") or 0).first()
    try:
        run = check_run_request(
            actor=request.user,
            model_version=mv,
            kind=request.POST.get("kind", ""),
            dataset_version=dv,
            reference_dataset_version=reference,
        )
    except ServiceError as exc:
        return render(
            request,
            "audits/partials/check_error.html",
            {"message": exc.message},
            status=exc.status_code,
        )
    run = (
        check_run_list(actor=request.user)
        .select_related("dataset_version__dataset", "requested_by")
        .get(pk=run.pk)
    )
    return render(request, "audits/partials/check_row.html", {"run": run})


@login_required
def check_run_row(request, pk: int):
    """One check's row; HTMX polls it every second until the check finished."""
    run = (
        check_run_list(actor=request.user)
        .select_related("dataset_version__dataset", "requested_by")
        .filter(pk=pk)
        .first()
    )
    if run is None:
        raise Http404
    return render(request, "audits/partials/check_row.html", {"run": run})


@login_required
def check_run_page(request, pk: int):
    run = (
        check_run_list(actor=request.user)
        .select_related("dataset_version__dataset", "model_version__model", "requested_by")
        .filter(pk=pk)
        .first()
    )
    if run is None:
        raise Http404
    findings = list(findings_of_run(run).order_by("-severity", "pk"))
    return render(request, "audits/check_run.html", {"run": run, "findings": findings})


def version_page_panels(*, request, model_version) -> dict:
    """The checks panel of the registry's model version page."""
    return {"checks": checks_context(user=request.user, model_version=model_version)}
