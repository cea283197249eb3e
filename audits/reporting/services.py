"""Requesting, generating, verifying and downloading reports."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import tempfile
import time
import zipfile
from datetime import date

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audits.reporting import snapshot as snap
from audits.reporting.documents import TEMPLATE_VERSION, render_report_pdf_pages
from audits.reporting.models import Report, ReportKind
from audits.reporting.render import PDF_VARIANT
from audits.runs.models.checks import CheckRun
from governance.kernel import signing
from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import audit_event_record, canonical_json
from governance.kernel.errors import Forbidden, ServiceError, vocabulary_term
from governance.kernel.jobs.services import (
    JobFailed,
    job_enqueue,
    job_progress,
    job_succeed,
    tracked_job,
)
from governance.kernel.languages import CODES as LANGUAGE_CODES
from governance.kernel.languages import DEFAULT_LANGUAGE
from governance.kernel.objectstore import blob_read_bytes
from governance.kernel.sentences import Sentence, Term
from governance.policy.classification.models import RiskClassification
from governance.policy.notifications.services import notify
from registry.models import Blob, ModelVersion
from registry.storage import blob_store, incoming_dir

logger = logging.getLogger(__name__)

REPORT_ROLES = (Role.AUDITOR, Role.COMPLIANCE_OFFICER, Role.ADMIN)
ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # fixed, so an evidence pack's bytes depend on content only


def _require_report_role(actor: User) -> None:
    if actor.role not in REPORT_ROLES:
        raise Forbidden(
            "report_role",
            _("Only auditors, compliance officers and admins may generate or download reports."),
        )


#: Reports about one model version; the GPAI documents only for general-purpose models.
VERSION_KINDS = (
    ReportKind.ANNEX_IV,
    ReportKind.MODEL_CARD,
    ReportKind.ANNEX_XI,
    ReportKind.ANNEX_XII,
)
GPAI_KINDS = (ReportKind.ANNEX_XI, ReportKind.ANNEX_XII)


def gpai_classified(model_version: ModelVersion) -> bool:
    """Does the system's current classification say it is (built on) a general-purpose
    model the organisation provides (questionnaire Q7)?"""
    latest = (
        RiskClassification.objects.filter(system_id=model_version.model.system_id)
        .order_by("-created_at", "-id")
        .values_list("gpai", flat=True)
        .first()
    )
    return bool(latest)


def _require_gpai(model_version: ModelVersion) -> None:
    """Annex XI and XII are Art. 53 duties of a general-purpose model's provider."""
    if not gpai_classified(model_version):
        raise ServiceError(
            "not_gpai",
            _(
                "Annex XI and XII documents are for general-purpose AI models the organisation "
                "provides (Art. 53); the system's classification does not say it is one."
            ),
        )


def _require_language(language: str) -> None:
    if language not in LANGUAGE_CODES:
        raise ServiceError(
            "invalid_language",
            _("Unknown report language %(language)s; use one of %(languages)s.")
            % {"language": repr(language), "languages": ", ".join(LANGUAGE_CODES)},
        )


@transaction.atomic
def report_request(
    *,
    actor: User,
    kind: str,
    model_version: ModelVersion | None = None,
    audit_run=None,
    language: str = DEFAULT_LANGUAGE,
) -> Report:
    """Queue a report in ``language`` (en, fr or de). ``annex_iv`` and ``model_card`` need a
    model version, ``audit`` an audit run, ``inventory`` neither."""
    _require_report_role(actor)
    if kind not in ReportKind.values:
        raise ServiceError(
            "invalid_kind",
            _("Unknown report kind %(kind)s; use one of %(kinds)s.")
            % {"kind": repr(kind), "kinds": ", ".join(ReportKind.values)},
        )
    _require_language(language)
    if kind in VERSION_KINDS and model_version is None:
        raise ServiceError(
            "model_version_required",
            _("A %(kind)s report is about a model version.")
            % {"kind": vocabulary_term(kind, ReportKind(kind).label)},
        )
    if kind in GPAI_KINDS:
        _require_gpai(model_version)
    if kind == ReportKind.AUDIT and audit_run is None:
        raise ServiceError("audit_run_required", _("An audit report is about an audit run."))
    # A double click or a retried request asks for the same report twice: while one is still
    # being made for this person, that one is the answer. The lock on the requester's row
    # makes two concurrent requests wait for each other instead of both creating one.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    pending = Report.objects.filter(
        kind=kind,
        language=language,
        model_version=model_version,
        audit_run=audit_run,
        requested_by=actor,
        status__in=["queued", "running"],
    ).first()
    if pending is not None:
        pending.reused = True
        return pending
    report = Report.objects.create(
        kind=kind,
        language=language,
        model_version=model_version,
        audit_run=audit_run,
        requested_by=actor,
    )
    report.reused = False
    audit_event_record(
        actor=actor,
        action="report.requested",
        target=report,
        payload={
            "kind": kind,
            "language": language,
            "model_version": getattr(model_version, "pk", None),
            "audit_run": getattr(audit_run, "pk", None),
        },
    )

    job_enqueue(report)
    return report


@transaction.atomic
def report_request_scheduled(*, audit_run) -> Report:
    """The audit report a scheduled audit asks for; nobody requested it by hand."""
    existing = Report.objects.filter(kind=ReportKind.AUDIT, audit_run=audit_run).first()
    if existing is not None:
        return existing
    report = Report.objects.create(kind=ReportKind.AUDIT, audit_run=audit_run, requested_by=None)
    audit_event_record(
        actor=None,
        action="report.requested",
        target=report,
        payload={"kind": "audit", "audit_run": audit_run.pk, "scheduled": True},
    )

    job_enqueue(report)
    return report


def report_waiting_for_checks(report_id: int) -> bool:
    """An audit report waits until every check its audit run queued has finished."""

    report = Report.objects.filter(pk=report_id).only("kind", "audit_run_id").first()
    if report is None or report.kind != ReportKind.AUDIT or report.audit_run_id is None:
        return False
    return CheckRun.objects.filter(
        audit_run_id=report.audit_run_id, status__in=["queued", "running"]
    ).exists()


def _chart_uris(snapshot: dict) -> dict[str, str]:
    """Chart PNGs referenced by hash in the snapshot, read from the blob store."""
    shas = {
        c["sha256"]
        for key in ("fairness", "explainability")
        for c in ((snapshot.get(key) or {}).get("charts") or [])
    }
    uris = {}
    for blob in Blob.objects.filter(sha256__in=shas):
        try:
            png = blob_read_bytes(blob.sha256)
        except FileNotFoundError:
            continue
        uris[blob.sha256] = "data:image/png;base64," + base64.b64encode(png).decode()
    return uris


def render_from_snapshot(kind: str, snapshot: dict) -> bytes:
    return render_from_snapshot_pages(kind, snapshot)[0]


def render_from_snapshot_pages(kind: str, snapshot: dict) -> tuple[bytes, int]:

    return render_report_pdf_pages(kind, snapshot, _chart_uris(snapshot))


def build_snapshot(report: Report, at) -> dict:
    """The report's snapshot, with its language and PDF variant (both under its input hash:
    the same records in another language are another document)."""
    with translation.override(report.language):
        snapshot = _records_snapshot(report, at)
    snapshot["language"] = report.language
    snapshot["pdf_variant"] = PDF_VARIANT
    return snap.finalize(snapshot)


def _records_snapshot(report: Report, at) -> dict:
    actor = report.requested_by
    # The revision counts the reports of this kind about the same subject made before this one.
    earlier = Report.objects.filter(
        kind=report.kind,
        model_version=report.model_version,
        audit_run=report.audit_run,
        status="succeeded",
        pk__lt=report.pk,
    ).count()
    if report.kind == ReportKind.INVENTORY:
        return snap.inventory_snapshot(actor=actor, at=at, revision=earlier + 1)
    if report.kind == ReportKind.AUDIT:
        return snap.audit_run_snapshot(
            audit_run=report.audit_run, actor=actor, at=at, revision=earlier + 1
        )
    return snap.model_version_snapshot(
        kind=report.kind,
        model_version=report.model_version,
        actor=actor,
        at=at,
        revision=earlier + 1,
    )


def _store_pdf(pdf: bytes):

    fd, path = tempfile.mkstemp(dir=incoming_dir(), prefix="report-")
    with os.fdopen(fd, "wb") as out:
        out.write(pdf)
    return blob_store(
        temp_path=path, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), detected_format="pdf"
    ).blob


REPORT_PURPOSE = "report/v1"


def report_signed_record(report: Report) -> dict:
    """What the server signs for a report: the PDF's hash and the hash of every input it was
    built from, so the signature vouches for the document and the evidence behind it."""
    generated = report.generated_at
    return {
        "report": report.pk,
        "kind": report.kind,
        "model_version": report.model_version_id,
        "audit_run": report.audit_run_id,
        "pdf_sha256": report.sha256,
        "input_hash": report.snapshot_sha256,
        "generated_at": generated.isoformat() if generated else None,
        "template_version": report.template_version,
        "inputs": report.snapshot.get("manifest", []),
    }


def report_signature_valid(report: Report) -> bool:
    if not report.server_signature:
        return False
    return signing.verify(
        REPORT_PURPOSE,
        report_signed_record(report),
        signing.Signature(report.signing_key_id, report.server_signature),
    )


def report_generate(*, report_id: int, task=None) -> None:
    """Build the snapshot, render, store (idempotent: a finished report is left alone)."""

    with tracked_job(Report, report_id, task=task) as report:
        if report is None:
            return
        if report.model_version_id is None and report.kind in VERSION_KINDS:
            raise JobFailed("input_missing", "The model version of this report is gone.")
        at = timezone.now().replace(microsecond=0)
        job_progress(report, 0.1, "collecting evidence")
        snapshot = build_snapshot(report, at)
        job_progress(report, 0.4, "rendering PDF")
        started = time.perf_counter()
        pdf, pages = render_from_snapshot_pages(report.kind, snapshot)
        elapsed = time.perf_counter() - started
        blob = _store_pdf(pdf)
        report.sha256, report.snapshot, report.snapshot_sha256 = (
            blob.sha256,
            snapshot,
            snapshot["input_hash"],
        )
        report.generated_at, report.template_version = at, TEMPLATE_VERSION
        server = signing.sign(REPORT_PURPOSE, report_signed_record(report))
        with transaction.atomic():
            job_succeed(
                report,
                file=blob,
                sha256=blob.sha256,
                size=blob.size,
                pages=pages,
                template_version=TEMPLATE_VERSION,
                snapshot=snapshot,
                snapshot_sha256=snapshot["input_hash"],
                server_signature=server.value,
                signing_key_id=server.key_id,
                generated_at=at,
                render_seconds=round(elapsed, 3),
                retention_until=date.fromisoformat(snapshot["retention_until"]),
            )
            audit_event_record(
                actor=report.requested_by,
                action="report.generated",
                target=report,
                payload={
                    "kind": report.kind,
                    "sha256": blob.sha256,
                    "input_hash": snapshot["input_hash"],
                    "server_signature": server.value,
                    "signing_key_id": server.key_id,
                },
            )
            _notify_ready(report)


def _notify_ready(report: Report) -> None:
    target = report.model_version or report.audit_run or report
    # A kind's English label is its key in the catalogues.
    with translation.override(DEFAULT_LANGUAGE):
        kind = Term(report.get_kind_display())
    notify(
        event="report_ready",
        target=target,
        message=Sentence(
            gettext_noop("%(kind)s #%(number)s is ready."), kind=kind, number=report.pk
        ),
        payload={"report": report.pk, "sha256": report.sha256},
        recipients=[report.requested_by],
    )


def report_verify(*, report: Report) -> dict:
    """Re-render from the stored snapshot and compare: proof that nothing changed."""
    if not report.sha256:
        raise ServiceError("report_not_ready", _("The report has not been generated yet."))
    try:
        stored_ok = _sha(blob_read_bytes(report.file.sha256)) == report.sha256
    except FileNotFoundError:
        stored_ok = False
    regenerated = render_from_snapshot(report.kind, report.snapshot)
    return {
        "report": report.pk,
        "sha256": report.sha256,
        "stored_file_intact": stored_ok,
        "regenerated_sha256": _sha(regenerated),
        "identical": _sha(regenerated) == report.sha256,
        "signature_valid": report_signature_valid(report),
        "signing_key_id": report.signing_key_id,
    }


def _sha(data: bytes) -> str:

    return hashlib.sha256(data).hexdigest()


def report_download(*, actor: User, report: Report, what: str = "pdf") -> tuple[bytes, str, str]:
    """Bytes, filename and content type of the PDF or the evidence pack; audited."""
    _require_report_role(actor)
    if not report.sha256:
        raise ServiceError(
            "report_not_ready", _("The report has not been generated yet."), status_code=409
        )
    try:
        pdf = blob_read_bytes(report.file.sha256)
    except FileNotFoundError:
        raise ServiceError(
            "report_file_missing", _("The stored PDF is missing."), status_code=410
        ) from None
    if what == "pdf":
        body, name, ctype = pdf, report.filename, "application/pdf"
    else:
        body, name, ctype = (
            evidence_pack(report, pdf),
            report.filename.replace(".pdf", "-evidence.zip"),
            "application/zip",
        )
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action=f"report.downloaded_{what}",
            target=report,
            payload={"sha256": report.sha256, "bytes": len(body)},
        )
    return body, name, ctype


def evidence_pack(report: Report, pdf: bytes) -> bytes:
    """A zip with the PDF, the snapshot JSON and a manifest of every hash it refers to."""
    snapshot_json = json.dumps(report.snapshot, indent=2, sort_keys=True, ensure_ascii=False)
    manifest = {
        "report": {
            "id": report.pk,
            "kind": report.kind,
            "sha256": report.sha256,
            "template_version": report.template_version,
            "generated_at": report.snapshot.get("generated_at"),
            "input_hash": report.snapshot_sha256,
            "snapshot_sha256": _sha(
                canonical_json(
                    {k: v for k, v in report.snapshot.items() if k != "input_hash"}
                ).encode()
            ),
        },
        "files": {report.filename: report.sha256, "snapshot.json": _sha(snapshot_json.encode())},
        "inputs": report.snapshot.get("manifest", []),
        # Re-runs of checks from their stored inputs, and whether each gave the same hash.
        "reproductions": report.snapshot.get("reproductions", []),
    }
    # The server's signatures: over this report, and over each approval it shows (in
    # snapshot.json); verify them with public-keys.pem (scripts/verify_evidence_pack.py).
    signature = {
        "purpose": REPORT_PURPOSE,
        "record": report_signed_record(report),
        "key_id": report.signing_key_id,
        "signature": report.server_signature,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (
            (report.filename, pdf),
            ("snapshot.json", snapshot_json.encode()),
            ("manifest.json", json.dumps(manifest, indent=2).encode()),
            ("signature.json", json.dumps(signature, indent=2, sort_keys=True).encode()),
            ("public-keys.pem", signing.trusted_public_keys_pem().encode()),
        ):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()
