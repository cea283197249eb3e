"""Admin pages: people, teams, responsibilities (RACI) and the per-tier policies."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from governance import selectors
from governance.errors import ServiceError
from governance.forms import (
    PolicyForm,
    ResponsibilityForm,
    TeamForm,
    UserCreateForm,
    UserUpdateForm,
)
from governance.models import POLICY_TIERS, Responsibility, Role, Team, User
from governance.services.policies import policy_update
from governance.services.responsibilities import responsibility_assign, responsibility_end
from governance.services.users import team_get_or_create, user_create, user_update
from governance.views import _role_required
from governance.views_review import is_htmx, render_form

PAGE_SIZE = 25
admin_only = _role_required(Role.ADMIN)


def _people_context(request, **extra) -> dict:
    users = selectors.user_list(actor=request.user)
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(username__icontains=q)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "q": q,
        "teams": Team.objects.order_by("name"),
        "team_form": extra.pop("team_form", None) or TeamForm(),
        "tab": "people",
        **extra,
    }


@admin_only
def people(request):
    context = _people_context(request)
    template = (
        "governance/partials/people_table.html" if is_htmx(request) else "governance/people.html"
    )
    return render(request, template, context)


@admin_only
def person_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render_form(request, "governance/person_form.html", {"form": form}, 400)
        data = form.cleaned_data
        person = user_create(
            username=data["username"],
            role=data["role"],
            teams=list(data["teams"]),
            password=data["password"] or None,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            actor=request.user,
        )
        messages.success(request, f"User {person.username} created as {person.get_role_display()}.")
        return redirect("people")
    return render(request, "governance/person_form.html", {"form": form})


@admin_only
def person_edit(request, pk: int):
    person = selectors.user_list(actor=request.user).filter(pk=pk).first()
    if person is None:
        raise Http404
    initial = {
        "role": person.role,
        "teams": list(person.teams.all()),
        "is_active": person.is_active,
    }
    form = UserUpdateForm(request.POST or None, initial=initial, person=person, actor=request.user)
    responsibilities = selectors.responsibility_list(actor=request.user).filter(user=person)
    context = {"form": form, "person": person, "responsibilities": responsibilities}
    if request.method == "POST":
        if not form.is_valid():
            return render_form(request, "governance/person_edit.html", context, 400)
        data = form.cleaned_data
        user_update(
            user=person,
            actor=request.user,
            role=data["role"],
            teams=list(data["teams"]),
            is_active=data["is_active"],
        )
        messages.success(request, f"{person.username} updated.")
        return redirect("people")
    return render(request, "governance/person_edit.html", context)


@admin_only
@require_POST
def team_create(request):
    form = TeamForm(request.POST)
    if not form.is_valid():
        context = _people_context(request, team_form=form)
        return render_form(request, "governance/people.html", context, 400)
    team = team_get_or_create(name=form.cleaned_data["name"], actor=request.user)
    messages.success(request, f"Team {team.name} created.")
    return redirect("people")


def _targets(actor: User) -> list[tuple[str, list[tuple[str, str]]]]:
    from registry.selectors import dataset_list, model_list, system_list

    return [
        (
            "AI systems",
            [(f"system:{s.pk}", f"{s.name} ({s.team.name})") for s in system_list(actor=actor)],
        ),
        (
            "Models",
            [
                (f"model:{m.pk}", f"{m.name} — {m.system.name}")
                for m in model_list(actor=actor).order_by("name", "id")
            ],
        ),
        (
            "Datasets",
            [(f"dataset:{d.pk}", f"{d.name} ({d.team.name})") for d in dataset_list(actor=actor)],
        ),
    ]


def _target(actor: User, value: str):
    from registry.selectors import dataset_list, model_list, system_list

    kind, _, raw = value.partition(":")
    lists = {"system": system_list, "model": model_list, "dataset": dataset_list}
    if kind not in lists or not raw.isdigit():
        return None
    return lists[kind](actor=actor).filter(pk=int(raw)).first()


def _responsibilities_context(request, form: ResponsibilityForm | None = None) -> dict:
    show = request.GET.get("show", "active")
    rows = selectors.responsibility_list(actor=request.user).order_by("-created_at", "-id")
    now = timezone.now()
    if show == "active":
        rows = rows.active(now)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "show": show,
        "now": now,
        "form": form or ResponsibilityForm(targets=_targets(request.user)),
        "tab": "responsibilities",
    }


@admin_only
def responsibilities(request):
    if request.method == "POST":
        form = ResponsibilityForm(request.POST, targets=_targets(request.user))
        if form.is_valid():
            data = form.cleaned_data
            target = _target(request.user, data["target"])
            if target is None:
                form.add_error("target", "Choose a system, model or dataset from the list.")
            else:
                try:
                    r = responsibility_assign(
                        actor=request.user,
                        user=data["user"],
                        role=data["role"],
                        target=target,
                        ends_at=data["ends_at"],
                        note=data["note"].strip(),
                    )
                except ServiceError as exc:
                    form.add_error(None, exc.message)
                    context = _responsibilities_context(request, form)
                    return render_form(
                        request, "governance/responsibilities.html", context, exc.status_code
                    )
                messages.success(
                    request,
                    f"{r.user.username} is now {r.get_role_display().lower()} for {r.target}.",
                )
                return redirect("responsibilities")
        context = _responsibilities_context(request, form)
        return render_form(request, "governance/responsibilities.html", context, 400)
    context = _responsibilities_context(request)
    template = (
        "governance/partials/responsibility_table.html"
        if is_htmx(request)
        else "governance/responsibilities.html"
    )
    return render(request, template, context)


@admin_only
@require_POST
def responsibility_end_view(request, pk: int):
    row = Responsibility.objects.visible_to(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404
    row = responsibility_end(actor=request.user, responsibility=row)
    messages.success(request, f"{row.user.username} is no longer {row.role} for {row.target}.")
    return redirect("responsibilities")


# --- policies -------------------------------------------------------------------------------
def _days(value: int | None) -> str:
    return f"{value} days" if value else "—"


def _policy_rows(policies) -> list[dict]:
    from registry.models import DOCUMENTATION_FIELDS

    labels = dict(POLICY_TIERS)
    docs = dict(DOCUMENTATION_FIELDS)
    return [
        {
            "policy": p,
            "label": labels.get(p.tier, p.tier),
            "checks": [c.replace("_", " ") for c in p.required_checks or []],
            "approvers": [r.replace("_", " ") for r in p.approver_roles or []],
            "documentation": [docs.get(d, d) for d in p.required_documentation or []],
            "recertify": _days(p.recertify_days),
            "audit": _days(p.audit_interval_days),
        }
        for p in policies
    ]


@admin_only
def policies(request):
    rows = _policy_rows(selectors.policy_list(actor=request.user))
    return render(request, "governance/policies.html", {"rows": rows})


@admin_only
def policy_edit(request, tier: str):
    policy = selectors.policy_list(actor=request.user).filter(tier=tier).first()
    if policy is None:
        raise Http404
    label = dict(POLICY_TIERS).get(policy.tier, policy.tier)
    form = PolicyForm(request.POST or None, initial=PolicyForm.initial_from(policy))
    context = {"form": form, "policy": policy, "label": label}
    if request.method == "POST":
        if not form.is_valid():
            return render_form(request, "governance/policy_edit.html", context, 400)
        before = policy.version
        try:
            policy = policy_update(actor=request.user, policy=policy, **form.changes())
        except ServiceError as exc:
            context["error"] = exc.message
            return render_form(request, "governance/policy_edit.html", context, exc.status_code)
        if policy.version == before:
            messages.info(request, f"Nothing changed in the {label} policy.")
        else:
            messages.success(request, f"{label} policy saved as version {policy.version}.")
        return redirect("policies")
    return render(request, "governance/policy_edit.html", context)
