"""Helpers and a Celery base class for tasks whose state lives in a TrackedJob row.

Usage in a task::

    @app.task(base=TrackedTask, name="analysis.run_check", bind=True)
    def run_check(self, run_id):
        with tracked_job(CheckRun, run_id, task=self) as job:
            if job is None:
                return  # already finished: a redelivery, nothing to do
            ...
            job_progress(job, 0.5, "half way")
            ...
            job_succeed(job, result=...)

Exceptions inside the block mark the row failed with the reason. Transient infrastructure
errors (database or broker connection) are retried with backoff by ``TrackedTask`` instead.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from celery import Task, current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.apps import apps
from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from governance.kernel.jobs.models import TERMINAL_STATUSES, JobStatus, TrackedJob
from governance.kernel.middleware import bind_request_id, note_delayed_work, reset_request_id

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    ConnectionError,
    TimeoutError,
)


class JobFailed(Exception):
    """Raise inside a tracked job to end it as failed with a code and a clear message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class TrackedTask(Task):
    """Defaults for every task of the project (ARCHITECTURE.md, convention 4)."""

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 5


# What a publish raises when the broker cannot be reached (kombu wraps redis-py's errors).
BROKER_ERRORS: tuple[type[BaseException], ...] = (BrokerOperationalError, ConnectionError, OSError)


def job_dispatch(task: Task, job: TrackedJob) -> bool:
    """Send ``task(job.pk)`` to the broker and stamp ``dispatched_at`` on the row.

    When the broker cannot be reached the row stays queued with ``dispatched_at`` empty and a
    progress message saying so; ``jobs_redispatch`` (beat, every minute) sends it once the
    broker is back. The caller's request therefore succeeds: the work is delayed, not lost.
    Returns whether the message reached the broker.
    """
    model = type(job)
    try:
        task.apply_async(args=[job.pk], retry=False)
    except BROKER_ERRORS as exc:
        logger.warning(
            "broker unreachable: %s #%s stays queued until it returns (%s)",
            model.__name__,
            job.pk,
            exc,
        )
        model.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            progress_message="Waiting for the task queue, which is unreachable; "
            "the work starts when it returns."
        )
        note_delayed_work(f"{model._meta.verbose_name} #{job.pk}")
        return False
    model.objects.filter(pk=job.pk).update(dispatched_at=timezone.now())
    return True


def task_named(name: str) -> Task | None:
    """The registered Celery task called ``name`` (importing the task modules on first use)."""
    task = current_app.tasks.get(name)
    if task is None:
        current_app.loader.import_default_modules()
        task = current_app.tasks.get(name)
    return task


def job_enqueue(job: TrackedJob) -> None:
    """Dispatch the job's own task, named by its model (``dispatch_task_name``), once the
    current transaction commits.

    Services name their task instead of importing it, so a task module can import its service
    at the top and no service/task pair forms an import circle.
    """

    def send() -> None:
        task = task_named(job.dispatch_task_name())
        if task is None:
            logger.error(
                "no task %r for %s #%s", job.dispatch_task_name(), type(job).__name__, job.pk
            )
            return
        job_dispatch(task, job)

    transaction.on_commit(send)


def task_enqueue_on_commit(name: str, *args) -> None:
    """Queue the task called ``name`` with ``args`` once the transaction commits, for work that
    has no job row (e-mail copies of notifications, which stay readable in the product).

    Best effort: a broker outage is logged, not raised, so the request that caused it still
    succeeds. Work with a row goes through ``job_enqueue``, which survives an outage.
    """

    def send() -> None:
        task = task_named(name)
        if task is None:
            logger.error("no task %r: %r not sent", name, args)
            return
        try:
            task.apply_async(args=list(args), retry=False)
        except BROKER_ERRORS as exc:
            logger.warning("broker unreachable: %s%r not sent (%s)", name, args, exc)

    transaction.on_commit(send)


def jobs_redispatch(*, now=None, limit: int = 500) -> dict[str, int]:
    """Send again every queued job whose message never reached the broker, or whose message
    was sent so long ago that it must have been lost (a Redis restart without persistence).

    Runs every minute from beat. Sending twice is harmless: ``job_claim`` lets only one task
    work on a row, a second finds it running or finished and returns. Webhook deliveries
    waiting for their backoff (``next_attempt_at`` in the future) are left alone.
    Returns the number of rows sent per model.
    """

    now = now or timezone.now()
    grace = timedelta(seconds=settings.JOB_REDISPATCH_GRACE_SECONDS)
    never_sent = Q(dispatched_at__isnull=True, queued_at__lte=now - grace)
    lost = Q(dispatched_at__lte=now - timedelta(seconds=settings.JOB_REDISPATCH_STALE_SECONDS))
    sent: dict[str, int] = {}
    for model in apps.get_models():
        if not issubclass(model, TrackedJob):
            continue
        rows = model.objects.filter(
            never_sent | lost, model.redispatch_ready(now), status=JobStatus.QUEUED
        )
        count = 0
        for job in rows.order_by("queued_at")[:limit]:
            name = job.dispatch_task_name()
            task = task_named(name)
            if task is None:
                logger.error("no task %r for %s #%s", name, model.__name__, job.pk)
                continue
            if not job_dispatch(task, job):
                return sent  # the broker is still down: try again at the next sweep
            count += 1
        if count:
            sent[model.__name__] = count
            logger.info("re-sent %d queued %s rows", count, model.__name__)
    return sent


def job_claim(model: type[TrackedJob], job_id: int, *, worker: str = "") -> TrackedJob | None:
    """Lock the row and mark it running; None when it is missing or already finished."""
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in TERMINAL_STATUSES:
            return None
        job.status = JobStatus.RUNNING
        job.attempts = F("attempts") + 1
        job.started_at = timezone.now()
        job.worker = worker[:200]
        job.save(update_fields=["status", "attempts", "started_at", "worker"])
        job.refresh_from_db()
        return job


def job_progress(job: TrackedJob, fraction: float, message: str = "") -> None:
    """Record progress without touching anything else on the row (cheap, commit-free)."""
    fraction = min(max(float(fraction), 0.0), 1.0)
    type(job).objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        progress=fraction, progress_message=message[:200]
    )
    job.progress, job.progress_message = fraction, message[:200]


def _finish(job: TrackedJob, status: str, fields: dict[str, Any]) -> None:
    job.status = status
    job.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    update = ["status", "finished_at", *fields.keys()]
    job.save(update_fields=update)


def job_succeed(job: TrackedJob, **fields: Any) -> None:
    _finish(job, JobStatus.SUCCEEDED, {"progress": 1.0, **fields})


def job_fail(job: TrackedJob, code: str, message: str, **fields: Any) -> None:
    _finish(job, JobStatus.FAILED, {"error_code": code[:64], "error_message": message, **fields})


@contextlib.contextmanager
def tracked_job(
    model: type[Model], job_id: int, *, task: Task | None = None
) -> Iterator[TrackedJob | None]:
    """Claim, run and finish a job row; see the module docstring."""
    request = getattr(task, "request", None)
    request_id = (getattr(request, "id", None) or f"job-{job_id}")[:64]
    token = bind_request_id(request_id)
    worker = getattr(request, "hostname", None) or socket.gethostname()
    try:
        job = job_claim(model, job_id, worker=worker)
        if job is None:
            yield None
            return
        try:
            yield job
        except JobFailed as exc:
            job_fail(job, exc.code, exc.message)
        except SoftTimeLimitExceeded:
            job_fail(job, "time_limit", "The work exceeded its time limit and was stopped.")
        except TRANSIENT_ERRORS:
            # Leave the row running; the task's retry (or redelivery) will claim it again.
            raise
        except Exception as exc:
            logger.exception("job %s #%s failed", model.__name__, job_id)
            job_fail(job, "error", f"{type(exc).__name__}: {exc}")
        else:
            job.refresh_from_db(fields=["status"])
            if job.status not in TERMINAL_STATUSES:
                job_succeed(job)
    finally:
        reset_request_id(token)
