"""Browser pages of the registry: inventory, model version, dataset version, PII decisions,
and the prompts of LLM applications."""

from __future__ import annotations

import itertools
import json
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from governance.kernel.accounts.models import Role, User
from governance.kernel.errors import ServiceError
from governance.kernel.panels import model_version_panels
from governance.kernel.permissions import CHANGE
from governance.kernel.web import PAGE_SIZE, forbidden, render_form
from registry import lineage_svg, selectors
from registry.forms import PromptBindForm, PromptTemplateForm, PromptVersionForm
from registry.models import Column, PIIFlag, PIIStatus, ProfileStatus, PromptVersion
from registry.services.datasets import column_update, dataset_version_reprofile, pii_flag_decide
from registry.services.prompts import (
    model_version_prompt_set,
    prompt_template_create,
    prompt_version_add,
)

PII_DECIDERS = (Role.DATA_SCIENTIST, Role.COMPLIANCE_OFFICER, Role.ADMIN)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _node_url(node: dict) -> str:
    name = "model-version" if node["type"] == "model_version" else "dataset-version"
    return reverse(name, args=[node["id"]])


def _display(value, usernames: dict[int, str], is_user: bool) -> str:
    """One history value as a reviewer reads it: people by name, times to the minute."""
    if value is None or value == "":
        return ""
    if is_user:
        return usernames.get(value, f"user #{value}")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def _history(obj, limit: int = 30) -> list[dict]:
    """Field-level changes from django-simple-history, newest first. Two queries: the
    history rows (with who made each change), and the people named in user fields."""

    records = list(
        obj.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    fields = {f.attname: f for f in obj._meta.concrete_fields}
    fields.update({f.name: f for f in obj._meta.concrete_fields})
    user_fields = {name for name, f in fields.items() if f.is_relation and f.related_model is User}
    raw = []
    for newer, older in itertools.pairwise(records):
        for change in newer.diff_against(older).changes:
            raw.append((newer, change))
    ids = {
        v
        for _, change in raw
        if change.field in user_fields
        for v in (change.old, change.new)
        if isinstance(v, int)
    }
    usernames = dict(User.objects.filter(pk__in=ids).values_list("pk", "username")) if ids else {}
    changes = []
    for newer, change in raw:
        field = fields.get(change.field)
        is_user = change.field in user_fields
        changes.append(
            {
                "when": newer.history_date,
                "who": newer.history_user,
                "field": change.field,
                "label": field.verbose_name if field is not None else change.field,
                "old": _display(change.old, usernames, is_user),
                "new": _display(change.new, usernames, is_user),
            }
        )
    if records and len(records) <= limit:
        first = records[-1]
        changes.append(
            {
                "when": first.history_date,
                "who": first.history_user,
                "field": "created",
                "label": "record created",
                "old": "",
                "new": "",
                "created": True,
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
        "personal_data": selectors.pii_summary(
            selectors.upstream_pii(model_version=mv), actor=request.user
        ),
        "history": _history(mv),
        "sections": model_version_panels.merged(request=request, model_version=mv),
        "can_register": selectors.model_list(actor=request.user, action=CHANGE)
        .filter(pk=mv.model_id)
        .exists(),
        "foundation_model": selectors.foundation_model(mv),
        "prompts": selectors.prompt_panel(model_version=mv),
    }
    return render(request, "registry/model_version.html", context)


@login_required
def dataset_version_page(request, pk: int):
    dv = selectors.dataset_version_detail(actor=request.user).filter(pk=pk).first()
    if dv is None:
        raise Http404
    can_decide = Column.objects.visible_to(request.user, CHANGE).filter(dataset_version=dv).exists()
    columns = list(dv.columns.all())
    can_reprofile = (
        dv.profile_status == ProfileStatus.FAILED
        and selectors.dataset_version_list(actor=request.user, action=CHANGE)
        .filter(pk=dv.pk)
        .exists()
    )
    context = {
        "dv": dv,
        "columns": columns,
        "can_decide": can_decide,
        "can_reprofile": can_reprofile,
        "open_flags": sum(
            1 for c in columns for f in c.pii_flags.all() if f.status != PIIStatus.DISMISSED
        ),
        "impact": selectors.impact_model_versions(actor=request.user, dataset_version=dv),
        "history": _history(dv),
        "can_upload": selectors.dataset_list(actor=request.user, action=CHANGE)
        .filter(pk=dv.dataset_id)
        .exists(),
    }
    return render(request, "registry/dataset_version.html", context)


@login_required
@require_POST
def dataset_version_reprofile_view(request, pk: int):
    """The page's "Profile again" button; back to the page, which shows the new state."""
    dv = selectors.dataset_version_list(actor=request.user, action=CHANGE).filter(pk=pk).first()
    if dv is None:
        raise Http404
    try:
        dataset_version_reprofile(actor=request.user, dataset_version=dv)
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status_code)
    return redirect("dataset-version", pk=dv.pk)


@login_required
@require_POST
def pii_flag_decision(request, pk: int):
    """Confirm, dismiss or reopen one PII flag; HTMX swaps the flag's row."""
    if request.user.role not in PII_DECIDERS:
        return forbidden(request, gettext("Your role may not decide on personal data flags."))
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
        return forbidden(request, gettext("Your role may not change columns."))
    column = Column.objects.visible_to(request.user, CHANGE).filter(pk=pk).first()
    if column is None:
        raise Http404
    column = column_update(
        actor=request.user, column=column, is_sensitive=request.POST.get("is_sensitive") == "true"
    )
    return render(
        request, "registry/partials/sensitive_toggle.html", {"column": column, "can_decide": True}
    )


# --- prompts of LLM applications -------------------------------------------------------------
PROMPT_WRITERS = (Role.DATA_SCIENTIST, Role.ADMIN)
PROMPT_WRITE_REFUSED = gettext_lazy(
    "Only data scientists of the model's team and admins write prompts."
)


def _may_write_prompts(user, model) -> bool:
    return (
        user.role in PROMPT_WRITERS
        and selectors.model_list(actor=user, action=CHANGE).filter(pk=model.pk).exists()
    )


@login_required
def model_prompts(request, pk: int):
    """The prompts of a model (an LLM application), each with its versions; scientists of
    its team and admins create a new prompt here."""
    model = selectors.model_list(actor=request.user).filter(pk=pk).first()
    if model is None:
        raise Http404
    may_write = _may_write_prompts(request.user, model)
    form = PromptTemplateForm(request.POST or None)
    context = {
        "model": model,
        "may_write": may_write,
        "form": form,
        "templates": selectors.prompt_template_list(actor=request.user)
        .filter(model=model)
        .prefetch_related("versions"),
    }
    if request.method != "POST":
        return render(request, "registry/model_prompts.html", context)
    if not may_write:
        return forbidden(request, PROMPT_WRITE_REFUSED)
    if not form.is_valid():
        return render_form(request, "registry/model_prompts.html", context, 400)
    try:
        version = prompt_template_create(actor=request.user, model=model, **form.cleaned_data)
    except ServiceError as exc:
        context["error"] = exc.message
        return render_form(request, "registry/model_prompts.html", context, exc.status_code)
    messages.success(
        request,
        gettext("Prompt “%(name)s” created as version 1.") % {"name": version.template.name},
    )
    return redirect("prompt", version.template_id)


def _prompt_context(request, template, may_write: bool) -> dict:
    versions = list(
        template.versions.select_related("created_by")
        .prefetch_related("bindings__model_version")
        .order_by("number")
    )
    rows = []
    for previous, current in zip([None, *versions], versions, strict=False):
        rows.append(
            {
                "version": current,
                "diff": selectors.prompt_diff(previous, current) if previous else "",
                "previous_number": previous.number if previous else None,
                "bound_to": [b.model_version for b in current.bindings.all()],
            }
        )
    model_versions = list(
        selectors.model_version_list(actor=request.user)
        .filter(model_id=template.model_id)
        .order_by("-created_at", "-id")
    )
    latest = versions[-1] if versions else None
    return {
        "template": template,
        "model": template.model,
        "rows": rows[::-1],
        "latest": latest,
        "may_write": may_write,
        "version_form": PromptVersionForm(initial={"text": latest.text if latest else ""}),
        "bind_form": PromptBindForm(
            initial={"prompt_version": latest.pk if latest else None},
            model_versions=model_versions,
            prompt_versions=versions[::-1],
        ),
        "model_versions": model_versions,
        "versions": versions,
    }


@login_required
def prompt_page(request, pk: int):
    """One prompt: every version with its diff from the one before and the model versions
    running it. Writers add a version (seeing its diff against the latest before saving) and
    bind a version to a model version (which withdraws that version's approvals)."""
    template = selectors.prompt_template_list(actor=request.user).filter(pk=pk).first()
    if template is None:
        raise Http404
    may_write = _may_write_prompts(request.user, template.model)
    context = _prompt_context(request, template, may_write)
    if request.method != "POST":
        return render(request, "registry/prompt.html", context)
    if not may_write:
        return forbidden(request, PROMPT_WRITE_REFUSED)
    action = request.POST.get("action")
    if action == "bind":
        return _prompt_bind(request, template, context)
    if action not in ("preview", "save"):
        context["error"] = gettext("Unknown action: preview, save or bind.")
        return render_form(request, "registry/prompt.html", context, 400)
    form = PromptVersionForm(request.POST)
    context["version_form"] = form
    if not form.is_valid():
        return render_form(request, "registry/prompt.html", context, 400)
    text, note = form.cleaned_data["text"], form.cleaned_data["note"]
    if action == "preview":
        latest = context["latest"]
        draft = PromptVersion(
            template=template, number=(latest.number + 1) if latest else 1, text=text
        )
        context["preview"] = selectors.prompt_diff(latest, draft) if latest else ""
        context["preview_same"] = latest is not None and latest.text == text
        return render(request, "registry/prompt.html", context)
    try:
        version = prompt_version_add(actor=request.user, template=template, text=text, note=note)
    except ServiceError as exc:
        context["error"] = exc.message
        return render_form(request, "registry/prompt.html", context, exc.status_code)
    messages.success(
        request,
        gettext("Version %(number)s of “%(name)s” saved; bind it to a model version to run it.")
        % {"number": version.number, "name": template.name},
    )
    return redirect("prompt", template.pk)


def _prompt_bind(request, template, context: dict):
    form = PromptBindForm(
        request.POST,
        model_versions=context["model_versions"],
        prompt_versions=context["versions"],
    )
    context["bind_form"] = form
    if not form.is_valid():
        return render_form(request, "registry/prompt.html", context, 400)
    mv = next(v for v in context["model_versions"] if v.pk == form.cleaned_data["model_version"])
    pv = next(v for v in context["versions"] if v.pk == form.cleaned_data["prompt_version"])
    try:
        binding = model_version_prompt_set(actor=request.user, model_version=mv, prompt_version=pv)
    except ServiceError as exc:
        context["error"] = exc.message
        return render_form(request, "registry/prompt.html", context, exc.status_code)
    messages.success(
        request,
        gettext("%(version)s now runs “%(name)s” version %(number)s.")
        % {"version": mv, "name": template.name, "number": binding.prompt_version.number},
    )
    return redirect("prompt", template.pk)
