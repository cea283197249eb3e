"""Rendering the PDF of one AI Act record for a person who may read it; every PDF handed out
is an audit event with its SHA-256 and the input hash of the snapshot it came from."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audits.reporting.records import snapshots
from audits.reporting.render import render_pdf_pages, sha256_hex
from governance.kernel.accounts.models import User
from governance.kernel.audit.services import audit_event_record, canonical_json
from governance.kernel.errors import Forbidden, ServiceError
from governance.kernel.languages import CODES as LANGUAGE_CODES
from governance.kernel.languages import DEFAULT_LANGUAGE, language_or_default
from governance.obligations.access import may_download_pdf
from governance.obligations.conformity.registration import registration_data
from governance.obligations.crosswalks.coverage import system_coverage
from governance.obligations.crosswalks.models import Framework

KIND_LABELS = {
    "incident": gettext_noop("Serious incident report (Art. 73)"),
    "fria": gettext_noop("Fundamental rights impact assessment (Art. 27)"),
    "declaration": gettext_noop("EU declaration of conformity (Art. 47, Annex V)"),
    "registration": gettext_noop("EU database registration data (Art. 49, Annex VIII)"),
    "soa": gettext_noop("Statement of Applicability (ISO/IEC 42001, 6.1.3)"),
}


@dataclass(frozen=True)
class RecordPdf:
    body: bytes
    filename: str
    sha256: str
    pages: int
    snapshot: dict


def may_download(actor: User) -> bool:
    return may_download_pdf(actor)


def require_download_role(actor: User) -> None:
    if not may_download(actor):
        raise Forbidden(
            "report_role", _("Only auditors, compliance officers and admins may download PDFs.")
        )


def render_record_html(kind: str, snapshot: dict) -> str:
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown record kind {kind!r}")
    s = json.loads(canonical_json(snapshot))
    with translation.override(language_or_default(s.get("language"))):
        s["kind_label"] = _(KIND_LABELS[kind])
        return render_to_string(f"reports/records/{kind}.html", {"s": s})


def _build(kind: str, record, actor: User, at) -> tuple[dict, str, object]:
    """The snapshot, the file stem and the row the audit event is about."""
    if kind == "incident":
        return (
            snapshots.incident_snapshot(incident=record, actor=actor, at=at),
            f"incident-report-{record.pk}",
            record,
        )
    if kind == "fria":
        return (
            snapshots.fria_snapshot(revision=record, actor=actor, at=at),
            f"fria-system-{record.system_id}-rev-{record.number}",
            record,
        )
    if kind == "declaration":
        return (
            snapshots.declaration_snapshot(declaration=record, actor=actor, at=at),
            f"eu-declaration-{record.system_id}-{record.number}",
            record,
        )
    if kind == "registration":
        data = registration_data(actor=actor, system=record, localized=True)
        return (
            snapshots.registration_snapshot(data=data, system=record, actor=actor, at=at),
            f"eu-database-registration-{record.pk}",
            record,
        )
    if kind == "soa":
        coverage = system_coverage(system=record, framework=Framework.ISO_42001, localized=True)
        return (
            snapshots.soa_snapshot(coverage=coverage, system=record, actor=actor, at=at),
            f"statement-of-applicability-{record.pk}",
            record,
        )
    raise ServiceError("invalid_kind", f"Unknown record kind {kind!r}.")


def record_pdf(*, actor: User, kind: str, record, language: str = DEFAULT_LANGUAGE) -> RecordPdf:
    """Render the PDF of ``record`` (an incident, a FRIA revision, a declaration, or a system
    for its registration data) in ``language``. The caller has found ``record`` through a
    selector of ``actor``, so only the role is checked here."""
    require_download_role(actor)
    if language not in LANGUAGE_CODES:
        raise ServiceError(
            "invalid_language",
            _("Unknown language %(language)s; use one of %(languages)s.")
            % {"language": repr(language), "languages": ", ".join(LANGUAGE_CODES)},
        )
    at = timezone.now().replace(microsecond=0)
    with translation.override(language):
        snapshot, stem, target = _build(kind, record, actor, at)
    body, pages = render_pdf_pages(render_record_html(kind, snapshot))
    digest = sha256_hex(body)
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action=f"record_pdf.{kind}",
            target=target,
            payload={
                "kind": kind,
                "sha256": digest,
                "input_hash": snapshot["input_hash"],
                "pages": pages,
                "language": language,
            },
        )
    return RecordPdf(
        body=body,
        filename=f"{stem}-{digest[:12]}.pdf",
        sha256=digest,
        pages=pages,
        snapshot=snapshot,
    )
