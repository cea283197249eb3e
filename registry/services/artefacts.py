"""Artefacts registered by reference: which URIs are accepted, and the worker's fetch.

A version registered with ``artefact_uri`` has no artefact until a worker has downloaded it:
over https (plain http only in development) under the same outbound rules as webhooks
(``governance.kernel.outbound``: public addresses only unless allowed, no redirects, bounded
size and time), from ``s3://bucket/key`` through ``ARTEFACT_S3_ENDPOINT`` (signed with AWS
Signature Version 4 when ``ARTEFACT_S3_ACCESS_KEY_ID`` or ``ARTEFACT_S3_PROFILE`` names
credentials), from
``mlflow://path`` through the MLflow server's artifact proxy, or from ``file://`` under one of
``ARTEFACT_LOCAL_ROOTS``. The bytes are hashed while they stream to the blob volume, compared
with the declared SHA-256, and recognised by ``registry.inspection.formats``; only then is the
version "verified" and may it be submitted.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

import boto3
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ProfileNotFound
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import ServiceError
from governance.kernel.jobs.services import (
    TRANSIENT_ERRORS,
    JobFailed,
    job_progress,
    tracked_job,
)
from governance.kernel.languages import DEFAULT_LANGUAGE
from governance.kernel.outbound import FetchFailed, WebhookRefused, check_url, get_streamed
from registry.inspection.formats import detect_artefact_format
from registry.models import ArtefactFetchJob, ModelVersion, Verification
from registry.storage import CHUNK, blob_store, incoming_dir

SHA256_RE = re.compile(r"^[0-9a-f]{64}\Z")
URI_SCHEMES = ("https", "http", "s3", "mlflow", "file")


def _refuse(reason: str) -> ServiceError:
    return ServiceError("artefact_uri_refused", reason)


def artefact_uri_download_url(uri: str) -> str:
    """The http(s) URL an https/http/s3/mlflow artefact URI is downloaded from."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme in ("https", "http"):
        return uri
    if scheme == "s3":
        key = parts.path.lstrip("/")
        if not parts.netloc or not key:
            raise _refuse(_("An s3 URI names a bucket and a key: s3://bucket/path/to/model.onnx."))
        endpoint = settings.ARTEFACT_S3_ENDPOINT.rstrip("/")
        return f"{endpoint}/{quote(parts.netloc)}/{quote(unquote(key))}"
    if scheme == "mlflow":
        if not settings.MLFLOW_TRACKING_URI:
            raise _refuse(_("mlflow:// URIs need MLFLOW_TRACKING_URI, which is not configured."))
        path = f"{parts.netloc}{parts.path}".strip("/")
        if not path or ".." in PurePosixPath(path).parts:
            raise _refuse(
                _("An mlflow URI names an artifact path: mlflow://<experiment>/<run>/...")
            )
        base = settings.MLFLOW_TRACKING_URI.rstrip("/")
        return f"{base}/api/2.0/mlflow-artifacts/artifacts/{quote(unquote(path))}"
    raise _scheme_refused(scheme)


def _scheme_refused(scheme: str) -> ServiceError:
    return _refuse(
        _("The scheme %(scheme)s is not allowed; use %(schemes)s.")
        % {"scheme": repr(scheme or "(none)"), "schemes": ", ".join(URI_SCHEMES)}
    )


def _local_path(uri: str) -> Path:
    parts = urlsplit(uri)
    if parts.netloc not in ("", "localhost"):
        raise _refuse(_("A file:// URI names a path on this server: file:///path/to/model.onnx."))
    roots = [Path(r).resolve() for r in settings.ARTEFACT_LOCAL_ROOTS]
    if not roots:
        raise _refuse(_("Local paths (file://) are not allowed on this server."))
    path = Path(unquote(parts.path)).resolve()
    if not any(path.is_relative_to(root) for root in roots):
        raise _refuse(_("The path is outside the directories allowed for local artefacts."))
    return path


def artefact_uri_check(uri: str) -> None:
    """Raise a 400 ``ServiceError`` with the reason when ``uri`` may not be fetched."""
    if not uri or len(uri) > 2000:
        raise _refuse(_("Give an artefact URI of at most 2000 characters."))
    scheme = urlsplit(uri).scheme.lower()
    if scheme not in URI_SCHEMES:
        raise _scheme_refused(scheme)
    if scheme == "file":
        _local_path(uri)
        return
    try:
        check_url(artefact_uri_download_url(uri))
    except WebhookRefused as exc:
        raise _refuse(exc.reason) from exc


def artefact_uri_filename(uri: str) -> str:
    return PurePosixPath(unquote(urlsplit(uri).path)).name[:255]


def _copy_local(path: Path, sink, *, max_bytes: int, deadline: float) -> int:
    read = 0
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                read += len(chunk)
                if read > max_bytes:
                    raise FetchFailed(
                        "too_large", f"The file exceeds the limit of {max_bytes} bytes."
                    )
                if time.monotonic() > deadline:
                    raise FetchFailed("timeout", "The copy did not finish in time.")
                sink(chunk)
    except OSError as exc:
        raise FetchFailed("unreadable", "The local file cannot be read.") from exc
    return read


def _s3_credentials() -> Credentials | None:
    """The keys that sign s3:// reads, or None for unsigned reads."""
    if settings.ARTEFACT_S3_ACCESS_KEY_ID:
        return Credentials(
            settings.ARTEFACT_S3_ACCESS_KEY_ID,
            settings.ARTEFACT_S3_SECRET_ACCESS_KEY,
            settings.ARTEFACT_S3_SESSION_TOKEN or None,
        )
    if settings.ARTEFACT_S3_PROFILE:
        try:
            found = boto3.session.Session(
                profile_name=settings.ARTEFACT_S3_PROFILE
            ).get_credentials()
        except ProfileNotFound as exc:
            raise FetchFailed(
                "credentials", f"The profile {settings.ARTEFACT_S3_PROFILE!r} is not configured."
            ) from exc
        if found is None:
            raise FetchFailed(
                "credentials", f"The profile {settings.ARTEFACT_S3_PROFILE!r} has no credentials."
            )
        frozen = found.get_frozen_credentials()
        return Credentials(frozen.access_key, frozen.secret_key, frozen.token)
    return None


def s3_signed_headers(url: str) -> dict[str, str]:
    """AWS Signature Version 4 headers for a GET of ``url`` (none without credentials)."""
    credentials = _s3_credentials()
    if credentials is None:
        return {}
    request = AWSRequest(method="GET", url=url)
    S3SigV4Auth(credentials, "s3", settings.ARTEFACT_S3_REGION).add_auth(request)
    return dict(request.headers.items())


def _download(uri: str, sink) -> int:
    max_bytes = settings.MAX_UPLOAD_BYTES
    total = float(settings.ARTEFACT_FETCH_TIMEOUT_SECONDS)
    # A refusal here becomes the version's recorded failure, so it is written in English even
    # when the task runs inside a request (eager tasks, in development).
    scheme = urlsplit(uri).scheme.lower()
    with translation.override(DEFAULT_LANGUAGE):
        try:
            if scheme == "file":
                path = _local_path(uri)
            else:
                url = artefact_uri_download_url(uri)
        except ServiceError as exc:
            raise FetchFailed("refused", exc.message) from exc
    if scheme == "file":
        return _copy_local(path, sink, max_bytes=max_bytes, deadline=time.monotonic() + total)
    headers = s3_signed_headers(url) if scheme == "s3" else {}
    return get_streamed(url, sink, max_bytes=max_bytes, total_seconds=total, headers=headers)


def _forget_source(job: ArtefactFetchJob) -> None:
    """The fetch has ended: drop the URI as given (it may carry a pre-signed credential)."""
    ArtefactFetchJob.objects.filter(pk=job.pk).update(source_uri="")


def _fail_verification(job: ArtefactFetchJob, code: str, reason: str) -> None:
    with transaction.atomic():
        mv = ModelVersion.objects.select_for_update().get(pk=job.model_version_id)
        if mv.artefact_verification != Verification.PENDING:
            return
        mv.artefact_verification = Verification.FAILED
        mv.artefact_verification_error = reason
        mv.save(
            update_fields=["artefact_verification", "artefact_verification_error", "updated_at"]
        )
        _forget_source(job)
        audit_event_record(
            actor=job.requested_by,
            action="model_version.artefact_verification_failed",
            target=mv,
            payload={"uri": mv.artefact_uri, "code": code, "reason": reason},
        )


def model_version_artefact_fetch(*, job_id: int, task=None) -> None:
    """The worker's part: fetch, hash, compare, recognise, store; the version ends verified or
    failed verification with the reason (and the job failed with the same)."""
    with tracked_job(ArtefactFetchJob, job_id, task=task) as job:
        if job is None:
            return
        mv = ModelVersion.objects.get(pk=job.model_version_id)
        if mv.artefact_verification != Verification.PENDING:
            _forget_source(job)
            return  # a redelivery after the work was done
        try:
            _fetch_and_verify(job, mv)
        except FetchFailed as exc:
            reason = f"The artefact could not be fetched: {exc.reason}"
            _fail_verification(job, exc.code, reason)
            raise JobFailed(exc.code, reason) from exc
        except JobFailed as exc:
            _fail_verification(job, exc.code, exc.message)
            raise
        except SoftTimeLimitExceeded:
            _fail_verification(job, "time_limit", "The fetch exceeded its time limit.")
            raise
        except TRANSIENT_ERRORS:
            raise  # the database or network blinked: the task is retried, the version waits
        except Exception as exc:
            _fail_verification(
                job, "error", f"The fetch failed unexpectedly ({type(exc).__name__})."
            )
            raise


def _fetch_and_verify(job: ArtefactFetchJob, mv: ModelVersion) -> None:
    digest = hashlib.sha256()
    fd, temp_path = tempfile.mkstemp(dir=incoming_dir(), prefix="fetch-")
    try:
        with os.fdopen(fd, "wb") as out:

            def sink(chunk: bytes) -> None:
                digest.update(chunk)
                out.write(chunk)

            job_progress(job, 0.1, "Fetching the artefact")
            # Jobs queued before credentials were kept apart have only the version's URI.
            size = _download(job.source_uri or mv.artefact_uri, sink)
        sha256 = digest.hexdigest()
        if size == 0:
            raise JobFailed("empty_file", "The fetched artefact is empty.")
        declared = mv.artefact_declared_sha256
        if declared and declared != sha256:
            raise JobFailed(
                "hash_mismatch",
                f"The fetched artefact's SHA-256 is {sha256}, not the declared {declared}.",
            )
        job_progress(job, 0.8, "Recognising the format")
        detected = detect_artefact_format(temp_path)
        if detected.format == "unknown":
            raise JobFailed(
                "unrecognised_artefact",
                f"The fetched file is not a supported model format: {detected.detail}",
            )
        stored = blob_store(
            temp_path=temp_path, sha256=sha256, size=size, detected_format=detected.format
        )
    finally:
        if os.path.exists(temp_path):
            os.unlink(temp_path)
    with transaction.atomic():
        mv = ModelVersion.objects.select_for_update().get(pk=mv.pk)
        if mv.artefact_verification != Verification.PENDING:
            return
        mv.artefact = stored.blob
        mv.artefact_format = detected.format
        mv.framework = detected.framework
        mv.artefact_safe = detected.safe
        mv.artefact_verification = Verification.VERIFIED
        mv.artefact_verification_error = ""
        mv.save()
        _forget_source(job)
        audit_event_record(
            actor=job.requested_by,
            action="model_version.artefact_verified",
            target=mv,
            payload={
                "uri": mv.artefact_uri,
                "sha256": sha256,
                "size": size,
                "format": detected.format,
                "safe": detected.safe,
                "declared_sha256_matched": bool(mv.artefact_declared_sha256),
                "blob_reused": not stored.created,
            },
        )
