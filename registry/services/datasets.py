"""Registering datasets and dataset versions; profiling, PII scanning, column decisions."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from governance.kernel.accounts.models import Role, Team, User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import (
    Conflict,
    Forbidden,
    ServiceError,
    conflict_with_existing,
    create_or_conflict,
    vocabulary_term,
)
from governance.kernel.jobs.models import JobStatus
from governance.kernel.jobs.services import (
    TRANSIENT_ERRORS,
    JobFailed,
    job_enqueue,
    job_fail,
    job_progress,
    tracked_job,
)
from governance.kernel.outbound import url_without_secrets
from registry.inspection.formats import DataFormatError, detect_data_format
from registry.inspection.pii.scan import scan_columns, suggest_sensitive_attribute
from registry.inspection.profiling import DataProfile, profile_data_file, read_column_names
from registry.models import (
    Column,
    ColumnRole,
    Dataset,
    DatasetVersion,
    PIIFlag,
    PIIStatus,
    ProfileStatus,
    ProfilingJob,
)
from registry.services.common import apply_changes, require_change
from registry.signals import pii_flag_decided
from registry.storage import spool_to_incoming

logger = logging.getLogger(__name__)

DATASET_FIELDS = frozenset(
    {
        "name",
        "description",
        "origin",
        "collection_method",
        "labelling",
        "cleaning",
        "licence",
        "legal_basis",
        "retention",
    }
)


@transaction.atomic
def dataset_create(*, actor: User, team: Team, name: str, **fields: Any) -> Dataset:
    if actor.role != Role.ADMIN and team.pk not in actor.team_ids():
        raise Forbidden("not_your_team", _("You can only register datasets for your own teams."))
    if set(fields) - DATASET_FIELDS:
        raise ValueError(f"unknown fields {sorted(set(fields) - DATASET_FIELDS)}")
    dataset = create_or_conflict(
        Dataset,
        lookup={"team": team, "name": name},
        code="duplicate_dataset",
        message=_("Team %(team)s already has a dataset named %(name)s.")
        % {"team": team.slug, "name": repr(name)},
        created_by=actor,
        **fields,
    )
    audit_event_record(
        actor=actor,
        action="dataset.created",
        target=dataset,
        payload={"team": team.slug, "name": name},
    )
    return dataset


@transaction.atomic
def dataset_update(*, actor: User, dataset: Dataset, **changes: Any) -> Dataset:
    require_change(actor, dataset)
    if set(changes) - DATASET_FIELDS:
        raise ValueError(f"unknown fields {sorted(set(changes) - DATASET_FIELDS)}")
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    diff = apply_changes(dataset, changes)
    if diff:
        try:
            with transaction.atomic():
                dataset.save()
        except IntegrityError as exc:
            raise Conflict(
                "duplicate_dataset", _("The team has a dataset with that name.")
            ) from exc
        audit_event_record(actor=actor, action="dataset.updated", target=dataset, payload=diff)
    return dataset


@dataclass(frozen=True)
class ColumnSettings:
    """What the registering user says about columns before the profile exists."""

    roles: dict[str, str]
    sensitive: list[str] | None  # None: accept the automatic suggestions


def _validate_settings(names: list[str], column_settings: ColumnSettings) -> None:
    known = set(names)
    unknown = sorted((set(column_settings.roles) | set(column_settings.sensitive or [])) - known)
    if unknown:
        raise ServiceError(
            "unknown_columns",
            _("These columns are not in the file: %(columns)s") % {"columns": unknown},
            columns=unknown,
        )
    bad_roles = {c: r for c, r in column_settings.roles.items() if r not in ColumnRole.values}
    if bad_roles:
        raise ServiceError(
            "invalid_role",
            _("Unknown column roles %(roles)s; use one of %(known)s.")
            % {"roles": bad_roles, "known": ", ".join(ColumnRole.values)},
        )
    targets = [c for c, r in column_settings.roles.items() if r == ColumnRole.TARGET]
    if len(targets) > 1:
        raise ServiceError(
            "invalid_role", _("Only one target column, not %(columns)s.") % {"columns": targets}
        )


def dataset_version_register(
    *,
    actor: User,
    dataset: Dataset,
    version: str,
    data_file,
    description: str = "",
    column_settings: ColumnSettings | None = None,
    sheet: str = "",
) -> DatasetVersion:
    """Store the data file (content-addressed), then profile and scan it.

    Invariants: the label is unique per dataset (409 with the existing id); the format and
    the text encoding come from the bytes; column settings name real columns; ``sheet``
    picks an Excel worksheet (the first one otherwise). Files up to
    ``PROFILE_INLINE_MAX_BYTES`` are profiled before anything is stored, so a file that
    cannot be read is a 400 saying what to fix and leaves no version behind; larger ones
    are profiled in a worker and end "ready" or "failed" with the reason.
    """
    require_change(actor, dataset)
    column_settings = column_settings or ColumnSettings(roles={}, sensitive=None)
    if DatasetVersion.objects.filter(dataset=dataset, version=version).exists():
        raise _duplicate(dataset, version)
    incoming = spool_to_incoming(data_file)
    sha256, size = incoming.sha256, incoming.size
    profile: DataProfile | None = None
    try:
        try:
            # With an object store, ``source`` reads the upload by byte ranges from the
            # store: the web process keeps no copy of it.
            source = incoming.source
            data_format = detect_data_format(source)
            if sheet and data_format != "xlsx":
                raise ServiceError(
                    "sheet_not_applicable",
                    _(
                        "The file is %(format)s, which has no sheets; leave 'sheet' empty or "
                        "upload an Excel workbook."
                    )
                    % {"format": data_format.upper()},
                )
            names = read_column_names(source, data_format=data_format, sheet=sheet or None)
            _validate_settings(names, column_settings)
            if size <= settings.PROFILE_INLINE_MAX_BYTES:
                profile = _compute_profile(source, data_format, sheet)
        except DataFormatError as exc:
            raise ServiceError(exc.code, exc.message) from exc
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ServiceError(
                "unreadable_file",
                _(
                    "The data file cannot be read (%(error)s); check that it is a complete CSV, "
                    "Parquet, Excel or JSON Lines file."
                )
                % {"error": type(exc).__name__},
            ) from exc
        stored = incoming.store(detected_format=data_format)
    finally:
        incoming.discard()
    with transaction.atomic():
        try:
            with transaction.atomic():
                dv = DatasetVersion.objects.create(
                    dataset=dataset,
                    version=version,
                    description=description,
                    blob=stored.blob,
                    data_format=data_format,
                    created_by=actor,
                    original_filename=os.path.basename(getattr(data_file, "name", "") or "")[:255],
                )
        except IntegrityError as exc:
            raise _duplicate(dataset, version) from exc
        job = ProfilingJob.objects.create(dataset_version=dv)
        audit_event_record(
            actor=actor,
            action="dataset_version.registered",
            target=dv,
            payload={
                "dataset": dataset.pk,
                "version": version,
                "sha256": sha256,
                "size": size,
                "format": data_format,
                "blob_reused": not stored.created,
                "column_roles": column_settings.roles,
                "sensitive": column_settings.sensitive,
                "sheet": sheet,
            },
        )
        _remember_settings(job, column_settings, sheet)
        if profile is None:
            job_enqueue(job)
    if profile is not None:
        dataset_version_profile(job_id=job.pk, precomputed=profile)
        dv.refresh_from_db()
    return dv


def _compute_profile(path, data_format: str, sheet: str) -> DataProfile:
    profile = profile_data_file(
        path,
        data_format=data_format,
        max_uncompressed_bytes=settings.MAX_UNCOMPRESSED_DATA_BYTES,
        sheet=sheet or None,
    )
    if profile.row_count == 0:
        raise DataFormatError(
            "no_rows",
            f"The file has a header ({len(profile.columns)} columns) but no data rows; "
            "upload the export with its rows.",
        )
    return profile


def _remember_settings(job: ProfilingJob, column_settings: ColumnSettings, sheet: str) -> None:
    job.parameters = {
        "roles": column_settings.roles,
        "sensitive": column_settings.sensitive,
        "sheet": sheet,
    }
    job.save(update_fields=["parameters"])


def _duplicate(dataset: Dataset, version: str) -> Conflict:
    return conflict_with_existing(
        DatasetVersion,
        lookup={"dataset": dataset, "version": version},
        code="duplicate_version",
        message=_("Dataset %(dataset)s already has version %(version)s; register a new label.")
        % {"dataset": repr(dataset.name), "version": repr(version)},
    )


def dataset_version_profile(
    *, job_id: int, task=None, precomputed: DataProfile | None = None
) -> None:
    """Compute schema, statistics and the PII scan of a dataset version (idempotent).

    Whatever happens, the version does not stay "pending": a file that cannot be read, an
    unexpected error, the time limit, or a worker that died on it too often each end it
    "failed" with a reason a person can act on. Only transient database or broker errors
    leave it pending, for the task's retry (and the stale-profile sweep behind that).
    """
    with tracked_job(ProfilingJob, job_id, task=task) as job:
        if job is None:
            return
        dv = DatasetVersion.objects.select_related("blob").get(pk=job.dataset_version_id)
        if dv.profile_status == ProfileStatus.READY:
            return
        try:
            _profile(job, dv, precomputed)
        except JobFailed as exc:
            _profile_failed(dv, exc.message, code=exc.code)
            raise
        except SoftTimeLimitExceeded:
            minutes = settings.CELERY_HEAVY_SOFT_LIMIT // 60
            message = (
                f"Profiling took longer than {minutes} minutes and was stopped. Split the file "
                "or convert it to Parquet, then re-profile."
            )
            _profile_failed(dv, message, code="time_limit")
            raise JobFailed("time_limit", message) from None
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:
            logger.exception("profiling of dataset version %s failed", dv.pk)
            message = (
                f"Profiling stopped on an unexpected error ({type(exc).__name__}). The file is "
                "stored; re-profile it, and report the problem if it happens again."
            )
            _profile_failed(dv, message, code="internal_error")
            raise JobFailed("internal_error", f"{message} {exc}") from exc


def _profile(job: ProfilingJob, dv: DatasetVersion, precomputed: DataProfile | None) -> None:
    if job.attempts > settings.PROFILE_MAX_ATTEMPTS:
        raise JobFailed(
            "worker_lost",
            f"The worker stopped {job.attempts - 1} times while profiling this file (killed, "
            "or out of memory). Convert it to Parquet or split it, then re-profile.",
        )
    params = job.parameters or {}
    profile = precomputed
    if profile is None:
        path = dv.blob.path
        if not path.exists():
            raise JobFailed(
                "input_missing",
                f"The stored data file (blob {dv.blob.sha256[:12]}) is missing; upload the "
                "file again as a new version.",
            )
        job_progress(job, 0.1, "computing statistics")
        try:
            profile = _compute_profile(path, dv.data_format, params.get("sheet") or "")
        except DataFormatError as exc:
            raise JobFailed(exc.code, exc.message) from exc
    job_progress(job, 0.7, "scanning for personal data")
    hits = scan_columns({c.name: c.sample_values for c in profile.columns})
    _store_profile(dv, profile, hits, params, suggest_sensitive_attribute)


def _store_profile(dv, profile, hits, params, suggest) -> None:
    roles: dict[str, str] = params.get("roles") or {}
    explicit_sensitive = params.get("sensitive")
    with transaction.atomic():
        dv = DatasetVersion.objects.select_for_update().get(pk=dv.pk)
        if dv.profile_status == ProfileStatus.READY:
            return
        columns = []
        flagged = {h.column for h in hits}
        for cp in profile.columns:
            suggestion = suggest(cp.name) or ""
            if explicit_sensitive is None:
                sensitive = bool(suggestion)
            else:
                sensitive = cp.name in explicit_sensitive
            stats = cp.to_dict() if hasattr(cp, "to_dict") else dict(cp.__dict__)
            stats.pop("sample_values", None)  # raw values may be personal data: never stored
            if cp.name in flagged:
                # Top values and extremes of a personal-data column are personal data
                # themselves; the registry keeps only their shape.
                stats.update(top_values=[], min=None, max=None, redacted=True)
            columns.append(
                Column(
                    dataset_version=dv,
                    name=cp.name,
                    position=cp.position,
                    dtype=cp.dtype,
                    statistics=stats,
                    role=roles.get(cp.name, ColumnRole.FEATURE),
                    is_sensitive=sensitive,
                    sensitive_suggestion=suggestion,
                )
            )
        Column.objects.filter(dataset_version=dv).delete()
        bulk_create_with_history(columns, Column)
        by_name = {c.name: c for c in Column.objects.filter(dataset_version=dv)}
        flags = [
            PIIFlag(
                column=by_name[h.column],
                category=h.category,
                detector=h.detector,
                confidence=round(float(h.confidence), 4),
                evidence=h.evidence[:300],
            )
            for h in _best_hit_per_category(hits)
            if h.column in by_name
        ]
        bulk_create_with_history(flags, PIIFlag)
        dv.row_count = profile.row_count
        dv.profile_status = ProfileStatus.READY
        dv.profile_error = ""
        dv.profile_error_code = ""
        dv.encoding = profile.encoding or ""
        dv.sheet = profile.sheet or ""
        dv.profile_warnings = profile.warnings
        dv.save()
        audit_event_record(
            actor=None,
            action="dataset_version.profiled",
            target=dv,
            payload={
                "rows": profile.row_count,
                "columns": len(columns),
                "pii_flags": sorted({f"{f.column.name}:{f.category}" for f in flags}),
                "sensitive": sorted(c.name for c in columns if c.is_sensitive),
                "encoding": dv.encoding,
                "warnings": [w["code"] for w in profile.warnings],
            },
        )


def _best_hit_per_category(hits):
    best = {}
    for hit in hits:
        key = (hit.column, hit.category)
        if key not in best or hit.confidence > best[key].confidence:
            best[key] = hit
    return list(best.values())


def _profile_failed(dv: DatasetVersion, message: str, *, code: str) -> None:
    with transaction.atomic():
        dv = DatasetVersion.objects.select_for_update().get(pk=dv.pk)
        if dv.profile_status == ProfileStatus.READY:
            return
        dv.profile_status = ProfileStatus.FAILED
        dv.profile_error = message[:2000]
        dv.profile_error_code = code[:64]
        dv.save()
        audit_event_record(
            actor=None,
            action="dataset_version.profile_failed",
            target=dv,
            payload={"code": code, "error": message[:500]},
        )


def _live_jobs(dv: DatasetVersion, now):
    """Jobs still able to finish: queued, or running for less than the hard time limit."""
    dead_before = now - timedelta(seconds=settings.CELERY_HEAVY_HARD_LIMIT + 60)
    return ProfilingJob.objects.filter(dataset_version=dv).filter(
        Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, started_at__gt=dead_before)
    )


def dataset_version_reprofile(*, actor: User, dataset_version: DatasetVersion) -> DatasetVersion:
    """Profile a version again after a failure (or a profile that never finished).

    A version that is "ready" is refused: its columns carry people's PII decisions, which a
    new profile would replace. Small files are profiled before this returns.
    """
    require_change(actor, dataset_version)
    with transaction.atomic():
        dv = (
            DatasetVersion.objects.select_for_update(of=("self",))
            .select_related("blob")
            .get(pk=dataset_version.pk)
        )
        if dv.blob_id is None:
            raise Conflict(
                "reference_only",
                _(
                    "This version is a reference to data held elsewhere; there is no file to "
                    "profile."
                ),
            )
        if dv.profile_status == ProfileStatus.READY:
            raise Conflict(
                "already_profiled",
                _(
                    "This version is profiled; re-profiling would discard its columns and PII "
                    "decisions. Register a new version to profile the file again."
                ),
            )
        live = _live_jobs(dv, timezone.now()).first()
        if live is not None:
            raise Conflict(
                "profiling_in_progress",
                _("Profiling job %(job)s is still %(status)s; wait for it to finish.")
                % {
                    "job": live.pk,
                    "status": vocabulary_term(live.status, JobStatus(live.status).label),
                },
                job_id=live.pk,
            )
        previous = dv.profiling_jobs.order_by("-queued_at", "-id").first()
        before = {"status": dv.profile_status, "error_code": dv.profile_error_code}
        dv.profile_status = ProfileStatus.PENDING
        dv.profile_error = ""
        dv.profile_error_code = ""
        dv.save()
        job = ProfilingJob.objects.create(
            dataset_version=dv, parameters=previous.parameters if previous else {}
        )
        audit_event_record(
            actor=actor,
            action="dataset_version.reprofile_requested",
            target=dv,
            payload={"job": job.pk, "before": before},
        )
        inline = dv.blob.size <= settings.PROFILE_INLINE_MAX_BYTES
        if not inline:
            job_enqueue(job)
    if inline:
        dataset_version_profile(job_id=job.pk)
    dv.refresh_from_db()
    return dv


def dataset_versions_sweep_stale(*, now=None) -> list[int]:
    """Fail every version "pending" longer than ``PROFILE_STALE_SECONDS`` with no live job.

    Runs from beat. The reason says what happened: the job failed without the version
    being told, the worker died, or no worker took the job at all. Returns the swept ids.
    """
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.PROFILE_STALE_SECONDS)
    swept: list[int] = []
    for dv in DatasetVersion.objects.filter(profile_status=ProfileStatus.PENDING).order_by("pk"):
        latest = dv.profiling_jobs.order_by("-queued_at", "-id").first()
        pending_since = latest.queued_at if latest else dv.created_at
        if pending_since > stale_before:
            continue
        running = _live_jobs(dv, now).filter(status=JobStatus.RUNNING).exists()
        if running:
            continue
        code, message = _stale_reason(latest)
        for job in ProfilingJob.objects.filter(
            dataset_version=dv, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        ):
            job_fail(job, code, message)
        _profile_failed(dv, message, code=code)
        swept.append(dv.pk)
    if swept:
        logger.warning("swept %d dataset versions stuck in pending: %s", len(swept), swept)
    return swept


def _stale_reason(job: ProfilingJob | None) -> tuple[str, str]:
    minutes = max(1, settings.PROFILE_STALE_SECONDS // 60)
    if job is None:
        return "never_started", "Profiling was never started for this version; re-profile it."
    if job.status == JobStatus.FAILED:
        detail = job.error_message or job.error_code or "no reason recorded"
        return job.error_code or "job_failed", f"Profiling failed: {detail}"[:2000]
    if job.status == JobStatus.RUNNING:
        return (
            "worker_lost",
            "The worker profiling this file stopped without finishing (killed, or out of "
            "memory); re-profile it.",
        )
    if job.status == JobStatus.QUEUED:
        return (
            "not_started",
            f"No worker started profiling within {minutes} minutes; the task queue may be "
            "down or busy. Re-profile once workers run.",
        )
    return "not_recorded", "Profiling finished without recording a profile; re-profile it."


@transaction.atomic
def column_update(
    *, actor: User, column: Column, role: str | None = None, is_sensitive: bool | None = None
) -> Column:
    """Change a column's role or sensitive flag (data scientists and compliance officers)."""
    require_change(actor, column)
    column = Column.objects.select_for_update().get(pk=column.pk)
    changes: dict[str, Any] = {}
    if role is not None:
        if role not in ColumnRole.values:
            raise ServiceError("invalid_role", _("Unknown role %(role)s.") % {"role": repr(role)})
        if (
            role == ColumnRole.TARGET
            and Column.objects.filter(
                dataset_version_id=column.dataset_version_id, role=ColumnRole.TARGET
            )
            .exclude(pk=column.pk)
            .exists()
        ):
            raise Conflict("target_exists", _("The dataset version already has a target column."))
        changes["role"] = role
    if is_sensitive is not None:
        changes["is_sensitive"] = is_sensitive
    diff = apply_changes(column, changes)
    if diff:
        column.save()
        audit_event_record(
            actor=actor,
            action="column.updated",
            target=column,
            payload={"dataset_version": column.dataset_version_id, **diff},
        )
    return column


@transaction.atomic
def pii_flag_decide(*, actor: User, flag: PIIFlag, status: str, comment: str = "") -> PIIFlag:
    """Confirm or dismiss a suspected PII flag (or reopen it); records who and when."""
    require_change(actor, flag)
    if status not in PIIStatus.values:
        raise ServiceError(
            "invalid_status", _("Unknown PII status %(status)s.") % {"status": repr(status)}
        )
    flag = PIIFlag.objects.select_for_update().select_related("column").get(pk=flag.pk)
    if flag.status == status:
        return flag
    before = flag.status
    flag.status = status
    flag.decided_by = actor
    flag.decided_at = timezone.now()
    flag.decision_comment = comment
    flag.save()
    audit_event_record(
        actor=actor,
        action=f"pii_flag.{status}",
        target=flag,
        payload={
            "column": flag.column.name,
            "dataset_version": flag.column.dataset_version_id,
            "category": flag.category,
            "from": before,
            "to": status,
            "comment": comment,
        },
    )

    pii_flag_decided.send(sender=PIIFlag, flag=flag, actor=actor, previous=before)
    return flag


@transaction.atomic
def dataset_version_reference_ensure(
    *,
    actor: User,
    team: Team,
    name: str,
    digest: str,
    source_uri: str = "",
    source_type: str = "",
    description: str = "",
) -> DatasetVersion:
    """The team's dataset version known by ``name`` and ``digest`` (e.g. an MLflow run's
    logged input), created as a reference without data when there is none.

    The dataset is found by name in the team or created; the version's label is the digest
    (a version with that label, uploaded or referenced, is reused). No file is held, so the
    version is never profiled and checks cannot use it; lineage can point at it.
    """
    if actor.role != Role.ADMIN and team.pk not in actor.team_ids():
        raise Forbidden("not_your_team", _("You can only register datasets for your own teams."))
    source_uri = url_without_secrets(source_uri)
    label = re.sub(r"[^A-Za-z0-9._+-]", "-", digest.strip())[:64].lstrip("._+-")
    if not label:
        raise ServiceError(
            "invalid_digest",
            _("The dataset %(name)s has no usable digest.") % {"name": repr(name)},
        )
    dataset = Dataset.objects.filter(team=team, name=name[:200]).first()
    if dataset is None:
        dataset = dataset_create(
            actor=actor,
            team=team,
            name=name[:200],
            origin=f"Referenced from {source_uri}"[:2000] if source_uri else "",
        )
    existing = DatasetVersion.objects.filter(dataset=dataset, version=label).first()
    if existing is not None:
        return existing
    dv = DatasetVersion.objects.create(
        dataset=dataset,
        version=label,
        description=description,
        blob=None,
        profile_status=ProfileStatus.REFERENCE,
        source_uri=source_uri[:2000],
        source_digest=digest[:128],
        source_type=source_type[:64],
        created_by=actor,
    )
    audit_event_record(
        actor=actor,
        action="dataset_version.referenced",
        target=dv,
        payload={
            "dataset": dataset.pk,
            "name": dataset.name,
            "digest": digest,
            "source_uri": source_uri,
            "source_type": source_type,
        },
    )
    return dv
