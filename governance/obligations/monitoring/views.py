"""The post-market monitoring plan page, with the warning when the plan and what runs
disagree."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from audits.checks.vocabulary import CHECK_KIND_CHOICES
from governance.kernel.errors import ServiceError
from governance.kernel.sentences import shown
from governance.kernel.web import forbidden, render_form
from governance.obligations.access import may_write, visible_system
from governance.obligations.monitoring.forms import (
    EXTRA_METRIC_ROWS,
    MonitoringPlanForm,
    metrics_from_post,
)
from governance.obligations.monitoring.selectors import plan_for, plan_mismatches
from governance.obligations.monitoring.services import monitoring_plan_save


def _context(request, system, form=None, metrics=None) -> dict:
    plan = plan_for(actor=request.user, system=system)
    rows = metrics if metrics is not None else (plan.metrics if plan else [])
    blank = {"check_kind": "", "metric": "", "threshold": ""}
    return {
        "system": system,
        "plan": plan,
        "mismatches": [shown(m, localized=True) for m in plan_mismatches(plan, system)],
        "metric_rows": [*rows, *([blank] * EXTRA_METRIC_ROWS)],
        "check_kinds": CHECK_KIND_CHOICES,
        "may_write": may_write(request.user),
        "form": form
        or MonitoringPlanForm(
            initial={
                "objectives": plan.objectives,
                "data_sources": plan.data_sources,
                "audit_interval_days": plan.audit_interval_days,
                "escalation": plan.escalation,
            }
            if plan
            else None
        ),
        "tab": "monitoring",
    }


@login_required
def monitoring_plan_page(request, pk: int):
    try:
        system = visible_system(request.user, pk)
    except ServiceError as exc:
        raise Http404 from exc
    if request.method != "POST":
        return render(request, "obligations/monitoring.html", _context(request, system))
    if not may_write(request.user):
        return forbidden(request, gettext("Only compliance officers and admins write the plan."))
    form = MonitoringPlanForm(request.POST)
    metrics = metrics_from_post(request.POST)
    if form.is_valid():
        try:
            plan = monitoring_plan_save(
                actor=request.user, system=system, metrics=metrics, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                gettext("Post-market monitoring plan saved (version %(version)s).")
                % {"version": plan.version},
            )
            return redirect("system-monitoring", pk=system.pk)
    context = _context(request, system, form, metrics)
    return render_form(request, "obligations/monitoring.html", context, 400)
