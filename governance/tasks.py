"""Light background work of the governance app."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from governance.jobs import TrackedTask, job_progress, job_succeed, tracked_job
from governance.models import BackgroundJob


@shared_task(base=TrackedTask, bind=True, name="analysis.audit_chain_verify")
def audit_chain_verify_task(self, job_id: int) -> None:
    """Verify the whole audit chain and store the verdict on the BackgroundJob row."""
    from governance.services.audit import audit_chain_verify

    with tracked_job(BackgroundJob, job_id, task=self) as job:
        if job is None:
            return
        verdict = audit_chain_verify(progress=lambda f, m: job_progress(job, f, m))
        job_succeed(job, result=verdict.as_dict())


def enqueue_on_commit(task, *args) -> None:
    """Queue ``task`` once the current transaction commits, so the worker sees the row."""
    transaction.on_commit(lambda: task.delay(*args))
