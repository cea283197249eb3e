"""Browser pages of the registry: inventory, model version, dataset version, PII decisions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.shortcuts import render

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


@login_required
def inventory(request):
    """Systems, model versions and datasets in one searchable, filterable inventory."""

    kind = request.GET.get("kind", "versions")
    q = request.GET.get("q", "").strip()
    team = request.GET.get("team", "").strip()
    status = request.GET.get("status", "").strip()
    pii = request.GET.get("pii", "")
    tier = request.GET.get("tier", "").strip()
    if tier not in dict(POLICY_TIERS):
        tier = ""
    owner = request.GET.get("owner", "").strip()
    user = request.user
    context = {
        "kind": kind,
        "q": q,
        "team": team,
        "status": status,
        "pii": pii,
        "tier": tier,
        "owner": owner,
        "tiers": POLICY_TIERS,
        "tier_labels": dict(POLICY_TIERS),
        "statuses": VersionStatus.choices,
        "query": _query_without_page(request),
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
        if owner:
            rows = rows.filter(_owned_by(owner, dataset_path="dataset_id"))
        context["page"] = _page(request, rows.order_by("dataset__name", "-created_at"))
    else:
        context["kind"] = "versions"
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
            rows = rows.filter(
                _owned_by(owner, system_path="model__system_id", model_path="model_id")
            )
        context["page"] = _page(request, rows.order_by("-created_at", "-id"))
    context["teams"] = selectors.visible_teams(actor=user)
    if is_htmx(request):
        return render(request, "registry/partials/inventory_table.html", context)
    context["owners"] = _owner_choices(user)
    return render(request, "registry/inventory.html", context)
