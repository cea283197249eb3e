"""Light background work of the governance app."""

from __future__ import annotations

import logging

from celery import shared_task

from governance.kernel.audit.checkpoints import audit_checkpoint_write
from governance.kernel.audit.services import audit_chain_verify
from governance.kernel.jobs.models import BackgroundJob
from governance.kernel.jobs.services import (
    TrackedTask,
    job_progress,
    job_succeed,
    tracked_job,
)

logger = logging.getLogger(__name__)


@shared_task(base=TrackedTask, bind=True, name="analysis.audit_chain_verify")
def audit_chain_verify_task(self, job_id: int) -> None:
    """Verify the whole audit chain and store the verdict on the BackgroundJob row."""

    with tracked_job(BackgroundJob, job_id, task=self) as job:
        if job is None:
            return
        verdict = audit_chain_verify(progress=lambda f, m: job_progress(job, f, m))
        job_succeed(job, result=verdict.as_dict())


@shared_task(name="governance.audit_checkpoint")
def audit_checkpoint_task() -> None:
    """Sign what was written since the last checkpoint and bring the sink up to date."""
    checkpoint = audit_checkpoint_write()
    if checkpoint is not None:
        logger.info("audit trail signed up to #%s", checkpoint.sequence)
