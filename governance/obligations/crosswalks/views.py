"""The crosswalk page of a system: every control of ISO/IEC 42001 Annex A or the NIST AI RMF
with its state from the records, the evidence links, what is missing, and (for compliance
officers and admins) the applicability statement of the Statement of Applicability."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from governance.kernel.errors import ServiceError
from governance.kernel.web import forbidden, render_form
from governance.obligations.access import may_download_pdf, may_write, visible_system
from governance.obligations.crosswalks.coverage import system_coverage
from governance.obligations.crosswalks.forms import ApplicabilityForm
from governance.obligations.crosswalks.models import Framework
from governance.obligations.crosswalks.services import applicability_set, control_find

TEMPLATE = "obligations/crosswalks.html"


def _system(request, pk: int):
    try:
        return visible_system(request.user, pk)
    except ServiceError as exc:
        raise Http404 from exc


def _framework(request) -> str:
    framework = request.GET.get("framework") or request.POST.get("framework") or Framework.ISO_42001
    return framework if framework in Framework.values else Framework.ISO_42001


def _context(request, system, framework: str, error: str = "", failed: str = "") -> dict:
    return {
        "system": system,
        "coverage": system_coverage(system=system, framework=framework, localized=True),
        "frameworks": Framework.choices,
        "framework": framework,
        "may_write": may_write(request.user),
        "may_download": may_download_pdf(request.user),
        "error": error,
        "failed": failed,
        "tab": "crosswalks",
    }


@login_required
def system_crosswalks(request, pk: int):
    system = _system(request, pk)
    return render(request, TEMPLATE, _context(request, system, _framework(request)))


@login_required
@require_POST
def applicability_record(request, pk: int):
    system = _system(request, pk)
    if not may_write(request.user):
        return forbidden(
            request, gettext("Only compliance officers and admins decide which controls apply.")
        )
    framework = _framework(request)
    form = ApplicabilityForm(request.POST)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            control = control_find(framework=framework, ref=data["control"])
            applicability_set(
                actor=request.user,
                system=system,
                control=control,
                applicable=data["applicable"],
                justification=data["justification"],
            )
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(
                request, gettext("%(control)s: applicability recorded.") % {"control": control.ref}
            )
            url = reverse("system-crosswalks", args=[system.pk])
            return redirect(f"{url}?framework={framework}#control-{control.pk}")
    else:
        error = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
    context = _context(request, system, framework, error, request.POST.get("control", ""))
    return render_form(request, TEMPLATE, context, 400)
