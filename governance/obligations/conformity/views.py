"""The conformity page of a system: its declarations of conformity (draft, edit, sign), its
Art. 6(3) assessments, and the EU database registration data with what is missing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from governance.kernel.errors import ServiceError
from governance.kernel.web import forbidden, render_form
from governance.obligations.access import may_write, visible_system
from governance.obligations.conformity.forms import DeclarationForm, DerogationForm, SignForm
from governance.obligations.conformity.models import DeclarationStatus
from governance.obligations.conformity.registration import registration_data
from governance.obligations.conformity.selectors import declaration_list, derogation_list
from governance.obligations.conformity.services import (
    DECLARATION_FIELDS,
    declaration_draft,
    declaration_sign,
    declaration_update,
    derogation_record,
    prefill,
)

REFUSED = gettext_lazy("Only compliance officers and admins write conformity records.")


def _system(request, pk: int):
    try:
        return visible_system(request.user, pk)
    except ServiceError as exc:
        raise Http404 from exc


def _context(request, system, **forms) -> dict:
    declarations = list(declaration_list(actor=request.user).filter(system=system))
    draft = next((d for d in declarations if d.status == DeclarationStatus.DRAFT), None)
    edit_form = forms.get("edit_form")
    if edit_form is None and draft is not None:
        edit_form = DeclarationForm(
            initial={
                **{f: getattr(draft, f) for f in DECLARATION_FIELDS},
                "processes_personal_data": draft.processes_personal_data,
            }
        )
    return {
        "system": system,
        "declarations": declarations,
        "draft": draft,
        "edit_form": edit_form,
        "new_form": forms.get("new_form") or DeclarationForm(initial=prefill(system)),
        "sign_form": forms.get("sign_form") or SignForm(),
        "derogation_form": forms.get("derogation_form") or DerogationForm(),
        "derogations": derogation_list(actor=request.user).filter(system=system),
        "registration": registration_data(actor=request.user, system=system, localized=True),
        "may_write": may_write(request.user),
        "tab": "conformity",
    }


TEMPLATE = "obligations/conformity.html"


@login_required
def system_conformity(request, pk: int):
    return render(request, TEMPLATE, _context(request, _system(request, pk)))


@login_required
@require_POST
def declaration_new(request, pk: int):
    system = _system(request, pk)
    if not may_write(request.user):
        return forbidden(request, REFUSED)
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            row = declaration_draft(actor=request.user, system=system, fields=form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                gettext("Declaration %(number)s drafted; sign it when complete.")
                % {"number": row.number},
            )
            return redirect("system-conformity", pk=system.pk)
    return render_form(request, TEMPLATE, _context(request, system, new_form=form), 400)


def _declaration(request, pk: int):
    row = declaration_list(actor=request.user).filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


@login_required
@require_POST
def declaration_edit(request, pk: int):
    row = _declaration(request, pk)
    if not may_write(request.user):
        return forbidden(request, REFUSED)
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            declaration_update(actor=request.user, declaration=row, fields=form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, gettext("Declaration %(number)s saved.") % {"number": row.number}
            )
            return redirect("system-conformity", pk=row.system_id)
    return render_form(request, TEMPLATE, _context(request, row.system, edit_form=form), 400)


@login_required
@require_POST
def declaration_sign_view(request, pk: int):
    row = _declaration(request, pk)
    if not may_write(request.user):
        return forbidden(request, REFUSED)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            declaration_sign(actor=request.user, declaration=row, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, gettext("Declaration %(number)s signed.") % {"number": row.number}
            )
            return redirect("system-conformity", pk=row.system_id)
    return render_form(request, TEMPLATE, _context(request, row.system, sign_form=form), 400)


@login_required
@require_POST
def derogation_new(request, pk: int):
    system = _system(request, pk)
    if not may_write(request.user):
        return forbidden(request, REFUSED)
    form = DerogationForm(request.POST)
    if form.is_valid():
        try:
            row = derogation_record(actor=request.user, system=system, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                gettext("Assessment recorded: the derogation applies.")
                if row.applies
                else gettext("Assessment recorded: the derogation does not apply."),
            )
            return redirect("system-conformity", pk=system.pk)
    return render_form(request, TEMPLATE, _context(request, system, derogation_form=form), 400)
