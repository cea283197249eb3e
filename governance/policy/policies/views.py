"""Admin pages: people, teams, responsibilities (RACI) and the per-tier policies."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext

from audits.checks.vocabulary import (
    CHECK_KIND_CHOICES,
    GENERATIVE_TASKS,
    MODEL_TASKS,
    TABULAR_TASKS,
    check_applies,
)
from governance.kernel.accounts.views import admin_only
from governance.kernel.errors import ServiceError
from governance.kernel.web import render_form
from governance.policy.policies.forms import APPROVER_LABELS, PolicyForm
from governance.policy.policies.models import POLICY_TIERS
from governance.policy.policies.selectors import policy_list
from governance.policy.policies.services import policy_update
from registry.models import DOCUMENTATION_FIELDS, ModelTask


# --- policies -------------------------------------------------------------------------------
def _days(value: int | None) -> str:
    return ngettext("%(days)s day", "%(days)s days", value) % {"days": value} if value else "—"


def applies_to_words(applicability: dict | None, kind: str) -> str:
    """Which versions a required kind binds, in words: "classical models", "LLM
    applications", "all models" or the tasks' names."""
    tasks = tuple(t for t in MODEL_TASKS if check_applies(applicability, kind, t))
    if tasks == MODEL_TASKS:
        return gettext("all models")
    if tasks == TABULAR_TASKS:
        return gettext("classical models")
    if tasks == GENERATIVE_TASKS:
        return gettext("LLM applications")
    labels = dict(ModelTask.choices)
    return ", ".join(gettext(labels.get(t, t)).lower() for t in tasks) or gettext("no model")


def _policy_rows(policies) -> list[dict]:

    labels = dict(POLICY_TIERS)
    kinds = dict(CHECK_KIND_CHOICES)
    docs = dict(DOCUMENTATION_FIELDS)
    return [
        {
            "policy": p,
            "label": gettext(labels.get(p.tier, p.tier)),
            "checks": [
                {
                    "name": gettext(kinds.get(c, c.replace("_", " "))),
                    "applies_to": applies_to_words(p.check_applicability, c),
                }
                for c in p.required_checks or []
            ],
            "approvers": [
                gettext(APPROVER_LABELS.get(r, r.replace("_", " "))) for r in p.approver_roles or []
            ],
            "documentation": [docs.get(d, d) for d in p.required_documentation or []],
            "recertify": _days(p.recertify_days),
            "audit": _days(p.audit_interval_days),
        }
        for p in policies
    ]


@admin_only
def policies(request):
    rows = _policy_rows(policy_list(actor=request.user))
    return render(request, "governance/policies.html", {"rows": rows})


@admin_only
def policy_edit(request, tier: str):
    policy = policy_list(actor=request.user).filter(tier=tier).first()
    if policy is None:
        raise Http404
    label = gettext(dict(POLICY_TIERS).get(policy.tier, policy.tier))
    form = PolicyForm(request.POST or None, initial=PolicyForm.initial_from(policy), policy=policy)
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
            messages.info(
                request, gettext("Nothing changed in the %(tier)s policy.") % {"tier": label}
            )
        else:
            messages.success(
                request,
                gettext("%(tier)s policy saved as version %(version)s.")
                % {"tier": label, "version": policy.version},
            )
        return redirect("policies")
    return render(request, "governance/policy_edit.html", context)
