"""Browser pages of the registry: inventory, model version, dataset version, PII decisions."""

from __future__ import annotations

import itertools

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from governance.errors import ServiceError
from governance.models import Role
from governance.permissions import CHANGE
from governance.views import forbidden
from registry import lineage_svg, selectors
from registry.models import Column, PIIFlag, PIIStatus, VersionStatus
from registry.services.datasets import column_update, pii_flag_decide

PAGE_SIZE = 25
PII_DECIDERS = (Role.DATA_SCIENTIST, Role.COMPLIANCE_OFFICER, Role.ADMIN)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def inventory(request):
    """Systems, model versions and datasets in one searchable, filterable inventory."""
    kind = request.GET.get("kind", "versions")
    q = request.GET.get("q", "").strip()
    team = request.GET.get("team", "").strip()
    status = request.GET.get("status", "").strip()
    pii = request.GET.get("pii", "")
    user = request.user
    context = {
        "kind": kind,
        "q": q,
        "team": team,
        "status": status,
        "pii": pii,
        "statuses": VersionStatus.choices,
        "query": _query_without_page(request),
    }
    if kind == "systems":
        rows = selectors.system_list(actor=user).annotate(model_count=Count("models"))
        if q:
            rows = rows.filter(Q(name__icontains=q) | Q(intended_purpose__icontains=q))
        if team:
            rows = rows.filter(team__slug=team)
        context["page"] = _page(request, rows.order_by("name", "id"))
    elif kind == "datasets":
        rows = selectors.dataset_version_pii_counts(selectors.dataset_version_list(actor=user))
        if q:
            rows = rows.filter(Q(dataset__name__icontains=q) | Q(version__icontains=q))
        if team:
            rows = rows.filter(dataset__team__slug=team)
        if pii == "yes":
            rows = rows.filter(open_pii_flags__gt=0)
        elif pii == "no":
            rows = rows.filter(open_pii_flags=0)
        context["page"] = _page(request, rows.order_by("dataset__name", "-created_at"))
    else:
        context["kind"] = "versions"
        rows = selectors.model_version_list(actor=user)
        if q:
            rows = rows.filter(
                Q(model__name__icontains=q)
                | Q(version__icontains=q)
                | Q(model__system__name__icontains=q)
            )
        if team:
            rows = rows.filter(model__system__team__slug=team)
        if status:
            rows = rows.filter(status=status)
        context["page"] = _page(request, rows.order_by("-created_at", "-id"))
    context["teams"] = selectors.visible_teams(actor=user)
    template = (
        "registry/partials/inventory_table.html"
        if request.headers.get("HX-Request")
        else "registry/inventory.html"
    )
    return render(request, template, context)


def _node_url(node: dict) -> str:
    name = "model-version" if node["type"] == "model_version" else "dataset-version"
    return reverse(name, args=[node["id"]])


def _history(obj, limit: int = 30) -> list[dict]:
    """Field-level changes from django-simple-history, newest first."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    changes = []
    for newer, older in itertools.pairwise(records):
        delta = newer.diff_against(older)
        for change in delta.changes:
            changes.append(
                {
                    "when": newer.history_date,
                    "who": newer.history_user,
                    "field": change.field,
                    "old": change.old,
                    "new": change.new,
                }
            )
    if records and len(records) <= limit:
        first = records[-1]
        changes.append(
            {
                "when": first.history_date,
                "who": first.history_user,
                "field": "created",
                "old": "",
                "new": "",
            }
        )
    return changes


@login_required
def model_version_page(request, pk: int):
    mv = selectors.model_version_list(actor=request.user).filter(pk=pk).first()
    if mv is None:
        raise Http404
    graph = selectors.lineage_graph(actor=request.user, root=mv)
    svg = lineage_svg.layout(
        {"root": graph.root, "nodes": graph.nodes, "edges": graph.edges}, _node_url
    )
    context = {
        "mv": mv,
        "lineage": svg,
        "personal_data": selectors.pii_summary(selectors.upstream_pii(model_version=mv)),
        "history": _history(mv),
        "sections": _extra_sections(request, mv),
    }
    return render(request, "registry/model_version.html", context)


def _extra_sections(request, mv) -> dict:
    """Governance and audit panels, when those apps provide them."""
    sections = {}
    try:
        from governance.requirements import governance_summary
    except ImportError:
        governance_summary = None
    if governance_summary is not None:
        sections["governance"] = governance_summary(actor=request.user, model_version=mv)
        from governance.views_review import review_sections

        sections.update(review_sections(request, mv))
    try:
        from audits.reporting.services import REPORT_ROLES
        from audits.views import checks_context
    except ImportError:
        return sections
    sections["checks"] = checks_context(user=request.user, model_version=mv)
    if request.user.role in REPORT_ROLES:
        from audits.reporting.api import report_queryset

        sections["reports"] = (
            report_queryset(request.user)
            .filter(model_version=mv)
            .select_related("model_version__model", "requested_by")
        )
        sections["can_report"] = True
    return sections


@login_required
def dataset_version_page(request, pk: int):
    dv = selectors.dataset_version_detail(actor=request.user).filter(pk=pk).first()
    if dv is None:
        raise Http404
    can_decide = Column.objects.visible_to(request.user, CHANGE).filter(dataset_version=dv).exists()
    columns = list(dv.columns.all())
    context = {
        "dv": dv,
        "columns": columns,
        "can_decide": can_decide,
        "open_flags": sum(
            1 for c in columns for f in c.pii_flags.all() if f.status != PIIStatus.DISMISSED
        ),
        "impact": selectors.impact_model_versions(actor=request.user, dataset_version=dv),
        "history": _history(dv),
    }
    return render(request, "registry/dataset_version.html", context)


@login_required
@require_POST
def pii_flag_decision(request, pk: int):
    """Confirm, dismiss or reopen one PII flag; HTMX swaps the flag's row."""
    if request.user.role not in PII_DECIDERS:
        return forbidden(request, "Your role may not decide on personal data flags.")
    flag = (
        PIIFlag.objects.visible_to(request.user, CHANGE)
        .select_related("column")
        .filter(pk=pk)
        .first()
    )
    if flag is None:
        raise Http404
    try:
        flag = pii_flag_decide(
            actor=request.user,
            flag=flag,
            status=request.POST.get("status", ""),
            comment=request.POST.get("comment", "")[:2000],
        )
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status_code)
    flag = PIIFlag.objects.select_related("decided_by", "column").get(pk=flag.pk)
    return render(request, "registry/partials/pii_flag.html", {"flag": flag, "can_decide": True})


@login_required
@require_POST
def column_sensitive_toggle(request, pk: int):
    if request.user.role not in PII_DECIDERS:
        return forbidden(request, "Your role may not change columns.")
    column = Column.objects.visible_to(request.user, CHANGE).filter(pk=pk).first()
    if column is None:
        raise Http404
    column = column_update(
        actor=request.user, column=column, is_sensitive=request.POST.get("is_sensitive") == "true"
    )
    return render(
        request, "registry/partials/sensitive_toggle.html", {"column": column, "can_decide": True}
    )
