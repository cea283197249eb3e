"""Registering model versions (an upload, a URI to fetch, or an external service); draft edits;
trusting a pickle."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import (
    Conflict,
    Forbidden,
    ServiceError,
    conflict_with_existing,
    vocabulary_term,
)
from governance.kernel.jobs.services import job_enqueue
from governance.kernel.outbound import url_without_secrets
from registry.inspection.formats import detect_artefact_format
from registry.models import (
    ArtefactFetchJob,
    ArtefactSource,
    DatasetVersion,
    Model,
    ModelVersion,
    Verification,
    VersionStatus,
)
from registry.services.artefacts import SHA256_RE, artefact_uri_check, artefact_uri_filename
from registry.services.common import apply_changes, require_change
from registry.services.lineage import lineage_edge_add
from registry.storage import spool_to_incoming


@dataclass(frozen=True)
class LineageLink:
    kind: str
    dataset_version: DatasetVersion | None = None
    model_version: ModelVersion | None = None


def _duplicate(model: Model, version: str) -> Conflict:
    return conflict_with_existing(
        ModelVersion,
        lookup={"model": model, "version": version},
        code="duplicate_version",
        message=_(
            "Model %(model)s already has version %(version)s; versions are immutable, register "
            "a new label."
        )
        % {"model": repr(model.name), "version": repr(version)},
    )


@contextmanager
def _label_taken(model: Model, version: str) -> Iterator[bool]:
    """Around a registration: refuses a label already taken (409 naming its version), yields
    whether ``_create`` needs a savepoint (only when a caller's transaction is open) and turns
    a refused insert of a label taken meanwhile into the same 409, once rolled back."""
    if ModelVersion.objects.filter(model=model, version=version).exists():
        raise _duplicate(model, version)
    savepoint = transaction.get_connection().in_atomic_block
    try:
        yield savepoint
    except IntegrityError as exc:
        if savepoint or not ModelVersion.objects.filter(model=model, version=version).exists():
            raise  # another constraint failed, or a caller's transaction is in the way
        raise _duplicate(model, version) from exc


def model_version_register(
    *,
    actor: User,
    model: Model,
    version: str,
    artefact,
    description: str = "",
    hyperparameters: dict[str, Any] | None = None,
    declared_metrics: dict[str, Any] | None = None,
    code_commit: str = "",
    environment_lock: str = "",
    lineage: list[LineageLink] | None = None,
) -> ModelVersion:
    """Store the artefact (content-addressed) and register the version with its lineage.

    Invariants: the label is unique per model (409 with the existing id otherwise); the format
    comes from the bytes, never the name; pickle-family files are recorded as unsafe and never
    deserialised here; version, edges and audit event commit together.
    """
    require_change(actor, model)
    with _label_taken(model, version) as savepoint:
        return _register_upload(
            actor=actor,
            model=model,
            version=version,
            artefact=artefact,
            savepoint=savepoint,
            lineage=lineage,
            fields={
                "description": description,
                "hyperparameters": hyperparameters or {},
                "declared_metrics": declared_metrics or {},
                "code_commit": code_commit,
                "environment_lock": environment_lock,
            },
        )


def _register_upload(
    *,
    actor: User,
    model: Model,
    version: str,
    artefact,
    savepoint: bool,
    lineage: list[LineageLink] | None,
    fields: dict[str, Any],
) -> ModelVersion:
    incoming = spool_to_incoming(artefact)
    sha256, size = incoming.sha256, incoming.size
    try:
        if size == 0:
            raise ServiceError("empty_file", _("The artefact file is empty."))
        # The head and tail checks read the upload where it is: with an object store, by
        # byte ranges of the incoming object (no copy on this machine).
        detected = detect_artefact_format(incoming.source)
        if detected.format == "unknown":
            raise ServiceError(
                "unrecognised_artefact",
                _(
                    "The artefact is not a supported model format (ONNX, XGBoost JSON/UBJ, "
                    "LightGBM text, skops, pickle/joblib/cloudpickle, or an LLM application "
                    "descriptor): %(detail)s"
                )
                % {"detail": detected.detail},
            )
        # The blob's row, the version, its edges and its audit event: one transaction, one
        # commit (the commit's flush to disk was a third of a registration's time).
        with transaction.atomic():
            stored = incoming.store(detected_format=detected.format)
            return _create(
                actor=actor,
                savepoint=savepoint,
                model=model,
                version=version,
                lineage=lineage,
                fields={
                    **fields,
                    "artefact": stored.blob,
                    "artefact_format": detected.format,
                    "framework": detected.framework,
                    "artefact_safe": detected.safe,
                    "artefact_filename": os.path.basename(getattr(artefact, "name", "") or "")[
                        :255
                    ],
                },
                payload={
                    "sha256": sha256,
                    "size": size,
                    "format": detected.format,
                    "safe": detected.safe,
                    "blob_reused": not stored.created,
                },
            )
    finally:
        incoming.discard()


def model_version_register_reference(
    *,
    actor: User,
    model: Model,
    version: str,
    artefact_uri: str,
    declared_sha256: str = "",
    description: str = "",
    hyperparameters: dict[str, Any] | None = None,
    declared_metrics: dict[str, Any] | None = None,
    code_commit: str = "",
    environment_lock: str = "",
    lineage: list[LineageLink] | None = None,
    audit_payload: dict[str, Any] | None = None,
) -> ModelVersion:
    """Register a version whose artefact a worker fetches from ``artefact_uri``.

    The version is "pending verification" until the fetch has hashed the bytes, compared them
    with ``declared_sha256`` (when given) and recognised the format; it cannot be submitted or
    pass the gate before. The URI is vetted here too, so a refused one is a 400 at once.
    """
    require_change(actor, model)
    artefact_uri = artefact_uri.strip()
    artefact_uri_check(artefact_uri)
    # What is recorded and shown: a pre-signed URL's credentials stay with the fetch job only.
    recorded_uri = url_without_secrets(artefact_uri)
    declared = declared_sha256.strip().lower()
    if declared and not SHA256_RE.match(declared):
        raise ServiceError(
            "invalid_sha256", _("The declared SHA-256 must be 64 hexadecimal characters.")
        )
    with _label_taken(model, version) as savepoint, transaction.atomic():
        mv = _create(
            actor=actor,
            savepoint=savepoint,
            model=model,
            version=version,
            lineage=lineage,
            fields={
                "description": description,
                "artefact": None,
                "artefact_source": ArtefactSource.REFERENCE,
                "artefact_uri": recorded_uri,
                "artefact_declared_sha256": declared,
                "artefact_verification": Verification.PENDING,
                "artefact_filename": artefact_uri_filename(artefact_uri),
                "hyperparameters": hyperparameters or {},
                "declared_metrics": declared_metrics or {},
                "code_commit": code_commit,
                "environment_lock": environment_lock,
            },
            payload={
                "source": ArtefactSource.REFERENCE,
                "uri": recorded_uri,
                "declared_sha256": declared or None,
                **(audit_payload or {}),
            },
            # The fetch job's row, before the registration's event (see _create).
            also=lambda mv: job_enqueue(
                ArtefactFetchJob.objects.create(
                    model_version=mv, requested_by=actor, source_uri=artefact_uri
                )
            ),
        )
    return mv


def model_version_register_external(
    *,
    actor: User,
    model: Model,
    version: str,
    provider: str,
    model_id: str,
    service_version: str = "",
    terms_url: str = "",
    description: str = "",
    hyperparameters: dict[str, Any] | None = None,
    declared_metrics: dict[str, Any] | None = None,
    lineage: list[LineageLink] | None = None,
) -> ModelVersion:
    """Register a vendor's hosted model: no artefact, the provider's model id and terms."""
    require_change(actor, model)
    if not provider.strip() or not model_id.strip():
        raise ServiceError(
            "external_service_incomplete",
            _("An external service needs a provider and a model id."),
        )
    if terms_url and not terms_url.lower().startswith(("https://", "http://")):
        raise ServiceError("invalid_terms_url", _("The terms URL must be an http(s) address."))
    with _label_taken(model, version) as savepoint:
        return _create(
            actor=actor,
            savepoint=savepoint,
            model=model,
            version=version,
            lineage=lineage,
            fields={
                "description": description,
                "artefact": None,
                "artefact_source": ArtefactSource.EXTERNAL_SERVICE,
                "artefact_verification": Verification.NOT_APPLICABLE,
                "framework": "external_service",
                "service_provider": provider.strip(),
                "service_model_id": model_id.strip(),
                "service_version": service_version.strip(),
                "service_terms_url": terms_url.strip(),
                "hyperparameters": hyperparameters or {},
                "declared_metrics": declared_metrics or {},
            },
            payload={
                "source": ArtefactSource.EXTERNAL_SERVICE,
                "provider": provider.strip(),
                "model_id": model_id.strip(),
                "service_version": service_version.strip(),
                "terms_url": terms_url.strip(),
            },
        )


@transaction.atomic(savepoint=False)
def _create(
    *,
    actor: User,
    model: Model,
    version: str,
    lineage: list[LineageLink] | None,
    fields: dict[str, Any],
    payload: dict[str, Any],
    also: Callable[[ModelVersion], object] | None = None,
    savepoint: bool = True,
) -> ModelVersion:
    """The version row, its lineage edges and its audit event, in one transaction (the
    caller's when there is one: no savepoint of its own, two round trips fewer)."""
    try:
        # A label taken by a concurrent registration. Inside a caller's transaction a savepoint
        # keeps it usable to name the version holding it; otherwise (a registration through
        # the API) no savepoint, two round trips fewer: the transaction is rolled back and
        # ``_label_taken`` names the version once it has been.
        with transaction.atomic(savepoint=savepoint):
            mv = ModelVersion.objects.create(
                model=model, version=version, created_by=actor, **fields
            )
    except IntegrityError as exc:
        if savepoint:
            raise _duplicate(model, version) from exc
        raise
    for link in lineage or []:
        lineage_edge_add(
            actor=actor,
            kind=link.kind,
            upstream=link.dataset_version or link.model_version,
            downstream=mv,
        )
    if also is not None:
        also(mv)
    # The registration's event is the last statement before the commit: the audit chain's
    # head, locked by the first append of a transaction until it commits, is held for that
    # append and the commit only (other registrations wait for it). Edges append their own
    # events; when there are some, the head is taken at the first of them.
    audit_event_record(
        actor=actor,
        action="model_version.registered",
        target=mv,
        payload={"model": model.pk, "version": version, **payload},
    )
    return mv


EDITABLE_DRAFT_FIELDS = frozenset(
    {"description", "hyperparameters", "declared_metrics", "code_commit", "environment_lock"}
)


@transaction.atomic
def model_version_update(
    *, actor: User, model_version: ModelVersion, **changes: Any
) -> ModelVersion:
    """Edit a draft's metadata. Submitted versions are frozen: register a new version."""
    require_change(actor, model_version)
    unknown = set(changes) - EDITABLE_DRAFT_FIELDS
    if unknown:
        raise ServiceError(
            "read_only_fields",
            _("These fields cannot be changed: %(fields)s") % {"fields": sorted(unknown)},
        )
    mv = ModelVersion.objects.select_for_update().get(pk=model_version.pk)
    if mv.status != VersionStatus.DRAFT:
        raise Conflict(
            "version_immutable",
            _(
                "Version %(version)s is %(status)s; submitted versions cannot change. Register "
                "a new version instead."
            )
            % {
                "version": mv.version,
                "status": vocabulary_term(mv.status, VersionStatus(mv.status).label),
            },
        )
    diff = apply_changes(mv, changes)
    if diff:
        mv.save()
        audit_event_record(actor=actor, action="model_version.updated", target=mv, payload=diff)
    return mv


@transaction.atomic
def model_version_trust_artefact(
    *, actor: User, model_version: ModelVersion, reason: str
) -> ModelVersion:
    """An admin allows workers to load this one pickle-family artefact (runs its code!)."""
    if actor.role != Role.ADMIN:
        raise Forbidden("admin_only", _("Only an admin may trust a pickle-family artefact."))
    if not reason.strip():
        raise ServiceError("reason_required", _("Say why this artefact can be trusted."))
    mv = ModelVersion.objects.select_for_update().get(pk=model_version.pk)
    if mv.artefact is None:
        raise ServiceError("no_artefact", _("This version has no stored artefact to trust."))
    if mv.artefact_safe:
        raise ServiceError(
            "already_safe", _("This artefact is in a safe format; nothing to trust.")
        )
    if not mv.artefact_trusted:
        mv.artefact_trusted = True
        mv.save(update_fields=["artefact_trusted", "updated_at"])
        audit_event_record(
            actor=actor,
            action="model_version.artefact_trusted",
            target=mv,
            payload={"sha256": mv.artefact.sha256, "reason": reason},
        )
    return mv
