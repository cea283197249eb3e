"""A task run by a real Celery worker process updates its status row (second pass only)."""

import pytest

from governance.kernel.audit.tasks import audit_chain_verify_task
from governance.kernel.jobs.models import BackgroundJob
from tests.conftest import wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_updates_the_status_row(celery_worker_process, auditor, api):
    client = api(auditor)
    started = client.post("/api/v1/audit-events/verify/")
    assert started.status_code == 202
    # A quick worker may have picked it up before the response was written.
    assert started.json()["status"] in ("queued", "running", "succeeded")
    job_id = started.json()["id"]
    job = wait_for(
        lambda: BackgroundJob.objects.filter(pk=job_id, status="succeeded").first(), timeout=60
    )
    assert job.result["ok"] is True, job.result
    assert job.attempts == 1
    assert job.worker.startswith("test-")
    assert job.started_at and job.finished_at and job.progress == 1.0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_finished_job_is_not_run_again(celery_worker_process, auditor):

    job = BackgroundJob.objects.create(
        kind="audit_chain_verify", status="succeeded", result={"ok": "kept"}
    )
    audit_chain_verify_task.delay(job.pk)
    marker = BackgroundJob.objects.create(kind="audit_chain_verify")
    audit_chain_verify_task.delay(marker.pk)
    wait_for(lambda: BackgroundJob.objects.filter(pk=marker.pk, status="succeeded").exists())
    job.refresh_from_db()
    assert job.result == {"ok": "kept"} and job.attempts == 0
