"""Browser pages of the registry: inventory, model version, dataset version, PII decisions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.shortcuts import render
from django.urls import reverse

from governance.kernel.exports import export_format, tabular_response
from governance.kernel.web import is_htmx
from governance.policy.classification.models import RiskClassification
from governance.policy.policies.models import POLICY_TIERS, UNCLASSIFIED
from governance.policy.raci.models import Raci, Responsibility
from registry import selectors
from registry.models import VersionStatus
from registry.views import _page, _query_without_page


def _governance_annotations(system_path: str, model_path: str | None = None) -> dict:
    """The current risk tier and the accountable owner of each row, as subqueries (no query
    per row). ``system_path``/``model_path`` lead from the row to its system and model."""

    tier = RiskClassification.objects.filter(system_id=OuterRef(system_path)).order_by(
        "-created_at", "-id"
    )
    on = Q(system_id=OuterRef(system_path))
    if model_path:
        on |= Q(model_id=OuterRef(model_path))
    owner = (
        Responsibility.objects.active()
        .filter(on, role=Raci.ACCOUNTABLE)
        .order_by("-starts_at", "-id")
    )
    return {
        "tier": Subquery(tier.values("tier")[:1]),
        "owner": Subquery(owner.values("user__username")[:1]),
    }


def _owned_by(username: str, *, system_path=None, model_path=None, dataset_path=None):
    """Rows that ``username`` is accountable (RACI A) for, now."""

    on = Q(pk__in=[])
    if system_path:
        on |= Q(system_id=OuterRef(system_path))
    if model_path:
        on |= Q(model_id=OuterRef(model_path))
    if dataset_path:
        on |= Q(dataset_id=OuterRef(dataset_path))
    return Exists(
        Responsibility.objects.active().filter(on, role=Raci.ACCOUNTABLE, user__username=username)
    )


def _filter_tier(rows, tier: str):

    if tier == UNCLASSIFIED:
        return rows.filter(tier__isnull=True)
    return rows.filter(tier=tier)


def _owner_choices(user):
    """People accountable for something the user can see (for the owner filter): one query."""

    return list(
        Responsibility.objects.visible_to(user)
        .active()
        .filter(role=Raci.ACCOUNTABLE)
        .order_by("user__username")
        .values_list("user__username", flat=True)
        .distinct()
    )


def inventory_rows(user, params) -> tuple[str, object, dict]:
    """The inventory's rows for ``params`` (the page's query string), in the page's order: the
    page shows them a page at a time, the exports all of them."""

    kind = params.get("kind", "versions")
    q = params.get("q", "").strip()
    team = params.get("team", "").strip()
    status = params.get("status", "").strip()
    pii = params.get("pii", "")
    tier = params.get("tier", "").strip()
    if tier not in dict(POLICY_TIERS):
        tier = ""
    owner = params.get("owner", "").strip()
    filters = {
        "q": q,
        "team": team,
        "status": status,
        "pii": pii,
        "tier": tier,
        "owner": owner,
    }
    if kind == "systems":
        rows = (
            selectors.system_list(actor=user)
            .annotate(model_count=Count("models"))
            .annotate(**_governance_annotations("pk"))
        )
        if q:
            rows = rows.filter(Q(name__icontains=q) | Q(intended_purpose__icontains=q))
        if team:
            rows = rows.filter(team__slug=team)
        if tier:
            rows = _filter_tier(rows, tier)
        if owner:
            rows = rows.filter(_owned_by(owner, system_path="pk"))
        return kind, rows.order_by("name", "id"), filters
    if kind == "datasets":
        rows = selectors.dataset_version_pii_counts(selectors.dataset_version_list(actor=user))
        if q:
            rows = rows.filter(Q(dataset__name__icontains=q) | Q(version__icontains=q))
        if team:
            rows = rows.filter(dataset__team__slug=team)
        if pii == "yes":
            rows = rows.filter(open_pii_flags__gt=0)
        elif pii == "no":
            rows = rows.filter(open_pii_flags=0)
        if owner:
            rows = rows.filter(_owned_by(owner, dataset_path="dataset_id"))
        return kind, rows.order_by("dataset__name", "-created_at"), filters
    rows = selectors.model_version_list(actor=user).annotate(
        **_governance_annotations("model__system_id", "model_id")
    )
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
    if tier:
        rows = _filter_tier(rows, tier)
    if owner:
        rows = rows.filter(_owned_by(owner, system_path="model__system_id", model_path="model_id"))
    return "versions", rows.order_by("-created_at", "-id"), filters


@login_required
def inventory(request):
    """Systems, model versions and datasets in one searchable, filterable inventory."""

    user = request.user
    kind, rows, filters = inventory_rows(user, request.GET)
    context = {
        "kind": kind,
        **filters,
        "tiers": POLICY_TIERS,
        "tier_labels": dict(POLICY_TIERS),
        "statuses": VersionStatus.choices,
        "query": _query_without_page(request),
        "page": _page(request, rows),
        "teams": selectors.visible_teams(actor=user),
    }
    if is_htmx(request):
        return render(request, "registry/partials/inventory_table.html", context)
    context["owners"] = _owner_choices(user)
    return render(request, "registry/inventory.html", context)


def _absolute(request, name: str, pk: int) -> str:
    return request.build_absolute_uri(reverse(name, args=[pk]))


@login_required
def inventory_export(request, fmt: str):
    """The inventory register as the page filters it (every page of it), as CSV or XLSX: the
    same selectors, so a user exports exactly the rows their team and role let them see."""

    fmt = export_format(fmt)
    kind, rows, filters = inventory_rows(request.user, request.GET)
    tiers = dict(POLICY_TIERS)
    if kind == "systems":
        columns = [
            "AI system",
            "Team",
            "Risk tier",
            "Accountable owner",
            "Intended purpose",
            "Models",
            "Updated",
            "Link",
        ]
        data = (
            [
                s.name,
                s.team.name,
                tiers.get(s.tier, "Not classified"),
                s.owner,
                s.intended_purpose,
                s.model_count,
                s.updated_at,
                _absolute(request, "system-classification", s.pk),
            ]
            for s in rows.iterator(chunk_size=500)
        )
    elif kind == "datasets":
        columns = [
            "Dataset",
            "Version",
            "Team",
            "Format",
            "Rows",
            "Open PII flags",
            "Registered",
            "Link",
        ]
        data = (
            [
                dv.dataset.name,
                dv.version,
                dv.dataset.team.name,
                dv.data_format,
                dv.row_count,
                dv.open_pii_flags,
                dv.created_at,
                _absolute(request, "dataset-version", dv.pk),
            ]
            for dv in rows.iterator(chunk_size=500)
        )
    else:
        columns = [
            "AI system",
            "Team",
            "Model",
            "Version",
            "Status",
            "Risk tier",
            "Accountable owner",
            "Artefact format",
            "Safe format",
            "Registered",
            "Registered by",
            "Link",
        ]
        data = (
            [
                mv.model.system.name,
                mv.model.system.team.name,
                mv.model.name,
                mv.version,
                mv.get_status_display(),
                tiers.get(mv.tier, "Not classified"),
                mv.owner,
                mv.artefact_format,
                mv.artefact_safe,
                mv.created_at,
                mv.created_by.username if mv.created_by_id else "",
                _absolute(request, "model-version", mv.pk),
            ]
            for mv in rows.iterator(chunk_size=500)
        )
    return tabular_response(
        fmt=fmt,
        filename=f"inventory-{kind}",
        columns=columns,
        rows=data,
        actor=request.user,
        subject="inventory",
        filters={"kind": kind, **filters},
        row_count=rows.count(),
    )
