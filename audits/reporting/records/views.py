"""Browser downloads of the PDFs of single AI Act records."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.translation import get_language, gettext

from audits.reporting.records.services import may_download, record_pdf
from governance.kernel.errors import ServiceError
from governance.kernel.languages import language_or_default
from governance.kernel.web import forbidden
from governance.obligations.conformity.selectors import declaration_list
from governance.obligations.fria.selectors import fria_revision_list
from governance.obligations.incidents.selectors import incident_list
from registry.selectors import system_list

FINDERS = {
    "incident": lambda user: incident_list(actor=user),
    "fria": lambda user: fria_revision_list(actor=user),
    "declaration": lambda user: declaration_list(actor=user),
    "registration": lambda user: system_list(actor=user).select_related("team"),
    "soa": lambda user: system_list(actor=user).select_related("team"),
}


def find_record(user, kind: str, pk: int):
    """The record if ``user`` may see it, else None (another team's records do not exist)."""
    return FINDERS[kind](user).filter(pk=pk).first()


def requested_language(request) -> str:
    """``?language=fr`` if given (checked by the service), else the language of the page."""
    return request.GET.get("language") or language_or_default(get_language())


def pdf_response(pdf) -> HttpResponse:
    response = HttpResponse(pdf.body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename}"'
    response["X-Content-SHA256"] = pdf.sha256
    return response


@login_required
def record_pdf_download(request, pk: int, kind: str):
    record = find_record(request.user, kind, pk)
    if record is None:
        raise Http404
    if not may_download(request.user):
        return forbidden(request, gettext("PDFs are for auditors, compliance officers and admins."))
    try:
        pdf = record_pdf(
            actor=request.user, kind=kind, record=record, language=requested_language(request)
        )
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status_code)
    return pdf_response(pdf)
