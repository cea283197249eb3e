from celery import shared_task
from django.conf import settings

from audits.reporting.services import report_generate, report_waiting_for_checks
from governance.kernel.jobs.services import TrackedTask


@shared_task(
    base=TrackedTask,
    bind=True,
    name="analysis.render_report",
    soft_time_limit=settings.CELERY_HEAVY_SOFT_LIMIT,
    time_limit=settings.CELERY_HEAVY_HARD_LIMIT,
)
def render_report_task(self, report_id: int) -> None:

    # An audit report describes finished checks; ask again later while any still runs.
    if report_waiting_for_checks(report_id):
        raise self.retry(countdown=15, max_retries=240)
    report_generate(report_id=report_id, task=self)
