"""Light background work of the governance app."""

from __future__ import annotations

from celery import shared_task

from governance.kernel.jobs.services import (
    TrackedTask,
    jobs_redispatch,
)


@shared_task(base=TrackedTask, bind=True, name="governance.jobs_redispatch")
def jobs_redispatch_task(self) -> dict:
    """Periodic: send again the queued work whose message never reached the broker."""

    return jobs_redispatch()
