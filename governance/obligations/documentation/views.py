"""The documentation page of a system: the sections, who may edit them, the revisions and a
readable diff between any two."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from governance.kernel.errors import ServiceError
from governance.kernel.web import render_form
from governance.obligations.access import visible_system
from governance.obligations.documentation.forms import (
    DocumentationForm,
    measure_rows,
    measures_from_post,
)
from governance.obligations.documentation.selectors import LABELS, revision_diff, revision_list
from governance.obligations.documentation.services import (
    TEXT_SECTIONS,
    current_sections,
    documentation_revise,
    may_edit_documentation,
)


def _system(request, pk: int):
    try:
        return visible_system(request.user, pk)
    except ServiceError as exc:
        raise Http404 from exc


def _context(request, system, form=None, measures=None) -> dict:
    revisions = list(revision_list(actor=request.user, system_id=system.pk)[:50])
    sections = current_sections(system)
    return {
        "system": system,
        "sections": [{"name": n, "label": LABELS[n], "text": sections[n]} for n in TEXT_SECTIONS],
        "measures": system.human_oversight_measures,
        "measure_rows": measure_rows(
            measures if measures is not None else sections["human_oversight_measures"]
        ),
        "revisions": revisions,
        "current": revisions[0] if revisions else None,
        "may_edit": may_edit_documentation(request.user, system),
        "form": form or DocumentationForm(initial=sections),
        "tab": "documentation",
    }


@login_required
def documentation_page(request, pk: int):
    system = _system(request, pk)
    if request.method != "POST":
        return render(request, "obligations/documentation.html", _context(request, system))
    if not may_edit_documentation(request.user, system):
        return render(
            request,
            "403.html",
            {"message": "You may read this documentation, not edit it."},
            status=403,
        )
    form = DocumentationForm(request.POST)
    measures = measures_from_post(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        changes = {name: data[name] for name in TEXT_SECTIONS}
        changes["human_oversight_measures"] = measures
        try:
            revision = documentation_revise(
                actor=request.user, system=system, changes=changes, note=data["note"]
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            if revision is None:
                messages.info(request, gettext("Nothing changed; no new revision."))
            else:
                messages.success(
                    request,
                    gettext("Saved as revision %(number)s.") % {"number": revision.number},
                )
            return redirect("system-documentation", pk=system.pk)
    context = _context(request, system, form, measures)
    return render_form(request, "obligations/documentation.html", context, 400)


@login_required
def documentation_diff(request, pk: int):
    system = _system(request, pk)
    revisions = revision_list(actor=request.user, system_id=system.pk)
    try:
        new_n = int(request.GET.get("to", ""))
        old_n = int(request.GET.get("from", new_n - 1))
    except ValueError as exc:
        raise Http404 from exc
    new = revisions.filter(number=new_n).first()
    if new is None:
        raise Http404
    old = revisions.filter(number=old_n).first()
    return render(
        request,
        "obligations/documentation_diff.html",
        {
            "system": system,
            "old": old,
            "new": new,
            "diff": revision_diff(old, new),
            "revisions": list(revisions),
            "tab": "documentation",
        },
    )
