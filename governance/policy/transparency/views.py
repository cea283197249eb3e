"""The transparency page of a system: its Art. 50 duties, the measures recorded for each,
and the form recording a new one (the same service as the API)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from governance.kernel.errors import ServiceError
from governance.kernel.web import forbidden, render_form
from governance.policy.transparency.forms import TransparencyMeasureForm
from governance.policy.transparency.selectors import duties_status, measure_list
from governance.policy.transparency.services import (
    CROSS_TEAM_ROLES,
    RECORD_ROLES,
    applicable_duties,
    transparency_measure_record,
)
from registry.models import AISystem

TEMPLATE = "governance/transparency.html"


def may_record(user, system: AISystem) -> bool:
    """The service's rule: the system's team scientists, compliance officers and admins."""
    if user.role not in RECORD_ROLES:
        return False
    return user.role in CROSS_TEAM_ROLES or system.team_id in set(user.team_ids())


@login_required
def system_transparency(request, pk: int):
    system = AISystem.objects.visible_to(request.user).filter(pk=pk).select_related("team").first()
    if system is None:
        raise Http404
    duties = applicable_duties(system)
    writer = may_record(request.user, system)
    form = TransparencyMeasureForm(request.POST or None, duties=duties)
    context = {
        "system": system,
        "tab": "transparency",
        "duties": duties_status(system),
        "history": measure_list(actor=request.user).filter(system=system),
        "may_record": writer and bool(duties),
        "form": form,
    }
    if request.method != "POST":
        return render(request, TEMPLATE, context)
    if not writer:
        return forbidden(
            request,
            gettext(
                "Only the system's team data scientists, compliance officers and admins record "
                "transparency measures."
            ),
        )
    if not form.is_valid():
        return render_form(request, TEMPLATE, context, 400)
    try:
        row = transparency_measure_record(actor=request.user, system=system, **form.cleaned_data)
    except ServiceError as exc:
        context["error"] = exc.message
        return render_form(request, TEMPLATE, context, exc.status_code)
    messages.success(
        request,
        gettext("Measure for %(duty)s recorded.") % {"duty": gettext(row.get_duty_display())},
    )
    return redirect("system-transparency", system.pk)
