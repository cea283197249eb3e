"""Admin pages: people, teams, responsibilities (RACI) and the per-tier policies."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from governance.kernel.accounts.models import User
from governance.kernel.accounts.views import PAGE_SIZE, admin_only
from governance.kernel.api.base import parse_id
from governance.kernel.errors import ServiceError
from governance.kernel.web import is_htmx, render_form
from governance.policy.raci.forms import ResponsibilityForm
from governance.policy.raci.models import Responsibility
from governance.policy.raci.selectors import responsibility_list
from governance.policy.raci.services import responsibility_assign, responsibility_end
from registry.selectors import dataset_list, model_list, system_list


def _targets(actor: User) -> list[tuple[str, list[tuple[str, str]]]]:

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

    kind, _, raw = value.partition(":")
    lists = {"system": system_list, "model": model_list, "dataset": dataset_list}
    pk = parse_id(raw)
    if kind not in lists or pk is None:
        return None
    return lists[kind](actor=actor).filter(pk=pk).first()


def _responsibilities_context(request, form: ResponsibilityForm | None = None) -> dict:
    show = request.GET.get("show", "active")
    rows = responsibility_list(actor=request.user).order_by("-created_at", "-id")
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
                    gettext("%(person)s is now %(role)s for %(target)s.")
                    % {
                        "person": r.user.username,
                        "role": gettext(r.get_role_display()).lower(),
                        "target": r.target,
                    },
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
    messages.success(
        request,
        gettext("%(person)s is no longer %(role)s for %(target)s.")
        % {
            "person": row.user.username,
            "role": gettext(row.get_role_display()).lower(),
            "target": row.target,
        },
    )
    return redirect("responsibilities")


def person_page_panels(*, actor, person) -> dict:
    """The responsibilities shown on a person's admin page."""
    return {"responsibilities": responsibility_list(actor=actor).filter(user=person)}
