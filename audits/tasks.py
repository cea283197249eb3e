"""Background work of the audits app. Tasks take ids and keep their state in the row."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from governance.jobs import TrackedTask


@shared_task(
    base=TrackedTask,
    bind=True,
    name="analysis.run_check",
    soft_time_limit=settings.CELERY_HEAVY_SOFT_LIMIT,
    time_limit=settings.CELERY_HEAVY_HARD_LIMIT,
)
def run_check_task(self, run_id: int) -> None:
    """Compute one CheckRun (heavy queue: SHAP and fairness must not delay e-mails)."""
    from audits.services.checks import check_run_process

    check_run_process(run_id=run_id, task=self)


@shared_task(base=TrackedTask, bind=True, name="audits.run_audit")
def run_audit_task(self, run_id: int) -> None:
    """One scheduled audit: queues its checks and raises findings; light work itself."""
    from audits.services.audit_runs import audit_run_process

    audit_run_process(run_id=run_id, task=self)


@shared_task(base=TrackedTask, bind=True, name="audits.dispatch_due_audits")
def dispatch_due_audits_task(self) -> list[int]:
    """Periodic (every minute): start every due audit exactly once."""
    from audits.services.schedules import dispatch_due_audits

    return dispatch_due_audits()


@shared_task(base=TrackedTask, bind=True, name="audits.sync_schedules")
def sync_schedules_task(self) -> dict[str, int]:
    """Periodic (hourly): one schedule per classified system, following its policy."""
    from audits.services.schedules import schedules_sync

    return schedules_sync()
