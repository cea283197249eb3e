"""Background work of the audits app. Tasks take ids and keep their state in the row."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from audits.runs.services.checks import check_run_process
from audits.runs.services.findings import findings_reopen_expired
from governance.kernel.jobs.services import TrackedTask


@shared_task(
    base=TrackedTask,
    bind=True,
    name="analysis.run_check",
    soft_time_limit=settings.CELERY_HEAVY_SOFT_LIMIT,
    time_limit=settings.CELERY_HEAVY_HARD_LIMIT,
)
def run_check_task(self, run_id: int) -> None:
    """Compute one CheckRun (heavy queue: SHAP and fairness must not delay e-mails)."""

    check_run_process(run_id=run_id, task=self)


@shared_task(name="audits.findings_reopen_expired")
def findings_reopen_expired_task() -> int:
    """Accepted risks whose date has passed are open again."""
    return len(findings_reopen_expired())
