"""Check results on the model version page: run a check, watch its progress, read the
per-group tables and charts when it is done; reproduce a verdict from its stored inputs.

The run form offers the version's own evaluation data first (the lineage relations the
policy accepts as evidence, labelled with the relation); any other data of the team only in a
separate exploratory form that says, before its button, that such a run never counts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from audits.checks.vocabulary import check_applies
from audits.runs.models.checks import CheckKind
from audits.runs.models.findings import findings_of_run
from audits.runs.selectors import check_run_list
from audits.runs.services.checks import RUN_ROLES, check_run_request
from audits.runs.services.evidence import accepted_relations, lineage_relations
from audits.runs.services.reproduction import REPRODUCE_ROLES, check_run_reproduce
from audits.runs.services.rules import policy_for
from governance.kernel.errors import ServiceError
from governance.kernel.web import forbidden
from registry import selectors as registry_selectors

RUNNABLE = [(k, label) for k, label in CheckKind.choices if k != CheckKind.OPERATIONAL]


def runnable_kinds(*, policy, task: str) -> list[tuple[str, str]]:
    """The check kinds to offer, those the policy applies to a model of ``task`` first (so the
    form starts on one that counts: the generative evaluation for an LLM application, not
    fairness), the others after them in their usual order."""
    applicability = policy.check_applicability if policy is not None else None
    return sorted(RUNNABLE, key=lambda kind: not check_applies(applicability, kind[0], task))


def evaluation_data(*, user, model_version, datasets, policy) -> tuple[list, list]:
    """(the version's evaluation data, the team's other data): the first as (dataset
    version, relation) pairs in the order ``policy`` (the version's) lists its relations."""
    accepted = accepted_relations(policy)
    relations = lineage_relations(model_version.pk)
    linked = {
        dv_id: next(r for r in accepted if r in kinds)
        for dv_id, kinds in relations.items()
        if any(r in kinds for r in accepted)
    }
    rows = list(datasets)
    evaluation = sorted(
        ((dv, linked[dv.pk]) for dv in rows if dv.pk in linked),
        key=lambda pair: (accepted.index(pair[1]), -pair[0].pk),
    )
    others = [dv for dv in rows if dv.pk not in linked]
    return evaluation, others


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
        if run.status == "succeeded" and not run.reproduces_id:
            latest.setdefault(run.kind, run)
    datasets = (
        registry_selectors.dataset_version_list(actor=user)
        .filter(dataset__team_id=model_version.model.system.team_id, profile_status="ready")
        .order_by("-created_at")[:50]
    )
    policy = policy_for(model_version)
    evaluation, others = evaluation_data(
        user=user, model_version=model_version, datasets=datasets, policy=policy
    )
    return {
        "check_runs": runs,
        "latest_checks": [latest[k] for k, _ in RUNNABLE if k in latest],
        "can_run_checks": user.role in RUN_ROLES,
        "check_kinds": runnable_kinds(policy=policy, task=model_version.model.task),
        "check_datasets": datasets,
        "evaluation_datasets": [{"dv": dv, "relation": rel} for dv, rel in evaluation],
        "exploratory_datasets": [dv for dv, _ in evaluation] + others,
    }


@login_required
@require_POST
def check_run_start(request, pk: int):
    if request.user.role not in RUN_ROLES:
        return forbidden(request, gettext("Your role may not run checks."))
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
            exploratory=request.POST.get("exploratory") == "1",
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
    reproductions = list(
        check_run_list(actor=request.user).filter(reproduces=run).order_by("-queued_at", "-pk")
    )
    return render(
        request,
        "audits/check_run.html",
        {
            "run": run,
            "findings": findings,
            "reproductions": reproductions,
            "can_reproduce": request.user.role in REPRODUCE_ROLES
            and run.status == "succeeded"
            and not run.reproduces_id,
        },
    )


@login_required
@require_POST
def check_run_reproduce_view(request, pk: int):
    """The "Reproduce this verdict" button: queue the re-run, come back to the check."""
    if request.user.role not in REPRODUCE_ROLES:
        return forbidden(
            request, gettext("Only auditors, compliance officers and admins reproduce checks.")
        )
    run = check_run_list(actor=request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    try:
        check_run_reproduce(actor=request.user, run=run)
    except ServiceError as exc:
        return render(
            request,
            "audits/partials/check_error.html",
            {"message": exc.message},
            status=exc.status_code,
        )
    return redirect("check-run", pk=run.pk)


def version_page_panels(*, request, model_version) -> dict:
    """The checks panel of the registry's model version page."""
    return {"checks": checks_context(user=request.user, model_version=model_version)}
