"""The risk register page of a system: the hazards scored on the scales of scales.json,
overdue reviews flagged, mitigations with their evidence."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from audits.runs.models.checks import CheckRun
from governance.kernel.errors import ServiceError
from governance.kernel.web import forbidden, render_form
from governance.obligations.access import may_write, visible_system
from governance.obligations.risks.forms import MitigationForm, RiskForm
from governance.obligations.risks.selectors import risk_list
from governance.obligations.risks.services import mitigation_add, risk_create
from governance.obligations.vocab import rights_labels, risk_scales
from governance.policy.policies.models import Policy


def _system(request, pk: int):
    try:
        return visible_system(request.user, pk)
    except ServiceError as exc:
        raise Http404 from exc


def _mitigation_form(system, data=None) -> MitigationForm:
    runs = CheckRun.objects.filter(model_version__model__system=system).order_by("-id")[:50]
    return MitigationForm(
        data,
        check_runs=runs,
        policies=Policy.objects.order_by("tier"),
        measures=system.human_oversight_measures,
    )


def _context(request, system, form=None) -> dict:
    today = timezone.localdate()
    risks = list(risk_list(actor=request.user).filter(system=system))
    for r in risks:
        r.overdue = r.is_overdue(today)
    return {
        "system": system,
        "risks": risks,
        "overdue_count": sum(r.overdue for r in risks),
        "rights": rights_labels(),
        "scales": risk_scales(),
        "may_write": may_write(request.user),
        "form": form or RiskForm(),
        "mitigation_form": _mitigation_form(system),
        "tab": "risks",
    }


@login_required
def risk_register(request, pk: int):
    system = _system(request, pk)
    if request.method != "POST":
        return render(request, "obligations/risks.html", _context(request, system))
    if not may_write(request.user):
        return forbidden(
            request, gettext("Only compliance officers and admins write the risk register.")
        )
    form = RiskForm(request.POST)
    if form.is_valid():
        try:
            risk = risk_create(actor=request.user, system=system, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, gettext("Risk “%(title)s” added to the register.") % {"title": risk.title}
            )
            return redirect("system-risks", pk=system.pk)
    return render_form(request, "obligations/risks.html", _context(request, system, form), 400)


@login_required
@require_POST
def mitigation_create(request, pk: int):
    risk = risk_list(actor=request.user).filter(pk=pk).first()
    if risk is None:
        raise Http404
    if not may_write(request.user):
        return forbidden(
            request, gettext("Only compliance officers and admins write the risk register.")
        )
    form = _mitigation_form(risk.system, request.POST)
    if not form.is_valid():
        messages.error(request, gettext("The mitigation needs a description and a valid evidence."))
        return redirect("system-risks", pk=risk.system_id)
    data = form.cleaned_data
    try:
        mitigation_add(
            actor=request.user,
            risk=risk,
            description=data["description"],
            evidence_type=data["evidence_type"],
            check_kind=data["check_kind"],
            check_run=CheckRun.objects.filter(pk=data["check_run"]).first(),
            policy=Policy.objects.filter(pk=data["policy"]).first(),
            oversight_measure=data["oversight_measure"],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, gettext("Mitigation added to “%(title)s”.") % {"title": risk.title}
        )
    return redirect("system-risks", pk=risk.system_id)
