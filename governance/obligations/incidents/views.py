"""Incident pages: a system's incidents with their clocks, one incident with its follow-ups,
and the "propose incident" action of a finding."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from audits.runs.selectors import finding_list
from governance.kernel.errors import Conflict, ServiceError
from governance.kernel.web import forbidden, render_form
from governance.obligations.access import may_download_pdf, may_write, visible_system
from governance.obligations.incidents.forms import FollowUpForm, IncidentForm, ReportedForm
from governance.obligations.incidents.selectors import incident_list
from governance.obligations.incidents.services import (
    incident_close,
    incident_follow_up,
    incident_mark_reported,
    incident_open,
    incident_propose_from_finding,
)

REFUSED = gettext_lazy("Only compliance officers and admins handle serious incidents.")


def _context(request, system, form=None) -> dict:
    now = timezone.now()
    rows = list(incident_list(actor=request.user).filter(system=system))
    for i in rows:
        i.days_left_value = i.days_left(now)
        i.late = i.is_late(now)
    return {
        "system": system,
        "incidents": rows,
        "may_write": may_write(request.user),
        "form": form or IncidentForm(initial={"owner": request.user.pk}),
        "tab": "incidents",
    }


@login_required
def system_incidents(request, pk: int):
    try:
        system = visible_system(request.user, pk)
    except ServiceError as exc:
        raise Http404 from exc
    if request.method != "POST":
        return render(request, "obligations/incidents.html", _context(request, system))
    if not may_write(request.user):
        return forbidden(request, REFUSED)
    form = IncidentForm(request.POST)
    if form.is_valid():
        try:
            incident = incident_open(actor=request.user, system=system, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                gettext("Incident opened; report due %(date)s.")
                % {"date": f"{incident.deadline:%Y-%m-%d}"},
            )
            return redirect("incident", pk=incident.pk)
    return render_form(request, "obligations/incidents.html", _context(request, system, form), 400)


def _incident(request, pk: int):
    incident = incident_list(actor=request.user).filter(pk=pk).first()
    if incident is None:
        raise Http404
    return incident


@login_required
def incident_page(request, pk: int):
    incident = _incident(request, pk)
    now = timezone.now()
    incident.days_left_value = incident.days_left(now)
    incident.late = incident.is_late(now)
    return render(
        request,
        "obligations/incident.html",
        {
            "incident": incident,
            "system": incident.system,
            "follow_ups": incident.follow_ups.select_related("author"),
            "may_write": may_write(request.user),
            "may_pdf": may_download_pdf(request.user),
            "reported_form": ReportedForm(),
            "follow_up_form": FollowUpForm(),
            "tab": "incidents",
        },
    )


@login_required
@require_POST
def incident_action(request, pk: int, action: str):
    incident = _incident(request, pk)
    if not may_write(request.user):
        return forbidden(request, REFUSED)
    try:
        if action == "reported":
            form = ReportedForm(request.POST)
            if not form.is_valid():
                raise ServiceError(
                    "authority_required", gettext("Name the market surveillance authority.")
                )
            incident_mark_reported(
                actor=request.user, incident=incident, authority=form.cleaned_data["authority"]
            )
            messages.success(request, gettext("Marked as reported."))
        elif action == "follow-up":
            incident_follow_up(
                actor=request.user, incident=incident, text=request.POST.get("text", "")
            )
            messages.success(request, gettext("Follow-up recorded."))
        elif action == "close":
            incident_close(actor=request.user, incident=incident)
            messages.success(request, gettext("Incident closed."))
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("incident", pk=incident.pk)


@login_required
@require_POST
def incident_propose(request, pk: int):
    finding = finding_list(actor=request.user).filter(pk=pk).first()
    if finding is None:
        raise Http404
    if not may_write(request.user):
        return forbidden(request, REFUSED)
    try:
        incident = incident_propose_from_finding(
            actor=request.user, finding=finding, category=request.POST.get("category", "standard")
        )
    except Conflict as exc:
        messages.info(request, exc.message)
        return redirect("incident", pk=exc.extra["existing_id"])
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("findings")
    messages.success(
        request, gettext("Incident opened from the finding; check its category and owner.")
    )
    return redirect("incident", pk=incident.pk)


def finding_row_action(*, user, finding) -> dict | None:
    """The "propose incident" button of a high-severity finding's row."""
    if finding.severity != "high" or not may_write(user):
        return None
    return {
        "label": gettext("Propose incident"),
        "url": reverse("incident-propose", args=[finding.pk]),
    }
