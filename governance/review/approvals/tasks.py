"""Light background work of the governance app."""

from __future__ import annotations

from celery import shared_task

from governance.kernel.jobs.services import (
    TrackedTask,
)
from governance.review.approvals.services import approvals_expire


@shared_task(base=TrackedTask, bind=True, name="governance.approvals_expire")
def approvals_expire_task(self) -> dict:
    """Periodic: warn about approvals nearing re-certification and expire overdue ones."""

    return approvals_expire()
