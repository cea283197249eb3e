"""Background work of the audits app. Tasks take ids and keep their state in the row."""

from __future__ import annotations

from celery import shared_task

from audits.programme.services.audit_runs import audit_run_process
from audits.programme.services.schedules import dispatch_due_audits, schedules_sync
from governance.kernel.jobs.services import TrackedTask


@shared_task(base=TrackedTask, bind=True, name="audits.run_audit")
def run_audit_task(self, run_id: int) -> None:
    """One scheduled audit: queues its checks and raises findings; light work itself."""

    audit_run_process(run_id=run_id, task=self)


@shared_task(base=TrackedTask, bind=True, name="audits.dispatch_due_audits")
def dispatch_due_audits_task(self) -> list[int]:
    """Periodic (every minute): start every due audit exactly once."""

    return dispatch_due_audits()


@shared_task(base=TrackedTask, bind=True, name="audits.sync_schedules")
def sync_schedules_task(self) -> dict[str, int]:
    """Periodic (hourly): one schedule per classified system, following its policy."""

    return schedules_sync()
