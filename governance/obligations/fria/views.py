"""The FRIA page of a system: the current revision, its missing elements, the revisions
with who and when, and the guided form that saves the next one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from governance.kernel.errors import ServiceError
from governance.kernel.web import forbidden, render_form
from governance.obligations.access import may_write, visible_system
from governance.obligations.fria.forms import FriaForm
from governance.obligations.fria.models import FRIA_FIELDS
from governance.obligations.fria.selectors import fria_revision_list
from governance.obligations.fria.services import fria_save
from governance.obligations.vocab import rights_labels


def _context(request, system, form=None) -> dict:
    revisions = list(
        fria_revision_list(actor=request.user).filter(system=system).order_by("-number")
    )
    current = revisions[0] if revisions else None
    if form is None:
        initial = (
            {
                **{f: getattr(current, f) for f in FRIA_FIELDS},
                "rights_at_stake": current.rights_at_stake,
            }
            if current
            else None
        )
        form = FriaForm(initial=initial)
    labels = rights_labels()
    return {
        "system": system,
        "current": current,
        "rights": [labels.get(k, k) for k in (current.rights_at_stake if current else [])],
        "revisions": revisions,
        "may_write": may_write(request.user),
        "form": form,
        "tab": "fria",
    }


@login_required
def system_fria(request, pk: int):
    try:
        system = visible_system(request.user, pk)
    except ServiceError as exc:
        raise Http404 from exc
    if request.method != "POST":
        return render(request, "obligations/fria.html", _context(request, system))
    if not may_write(request.user):
        return forbidden(request, gettext("Only compliance officers and admins write the FRIA."))
    form = FriaForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            revision = fria_save(
                actor=request.user,
                system=system,
                elements={f: data[f] for f in FRIA_FIELDS},
                rights_at_stake=data["rights_at_stake"],
                note=data["note"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                gettext("Assessment saved as revision %(number)s.") % {"number": revision.number},
            )
            return redirect("system-fria", pk=system.pk)
    return render_form(request, "obligations/fria.html", _context(request, system, form), 400)
