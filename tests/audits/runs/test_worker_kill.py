"""A worker killed with SIGKILL mid-check: after redelivery exactly one completed run remains."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from audits.runs.services.checks import check_run_request
from audits.runs.tasks import run_check_task
from governance.celery import app as celery_app
from governance.kernel.audit.models import AuditEvent
from tests.conftest import ROOT, USES_WORKER, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _start_worker(queue: str, name: str, log) -> subprocess.Popen:

    base = settings.DATABASE_URL.rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DATABASE_URL": f"{base}/{connection.settings_dict['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DB_CONN_MAX_AGE": "0",
        "AUDITS_ALLOW_TEST_SLEEP": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "governance", "worker", "--loglevel", "INFO",
         "--concurrency", "1", "--pool", "prefork", "-Q", queue, "-n", f"{name}@%h",
         "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replies = celery_app.control.ping(timeout=1.0) or []
        if any(n.startswith(f"{name}@") for reply in replies for n in reply):
            return proc
        if proc.poll() is not None:
            raise RuntimeError(f"worker {name} exited: see {log.name}")
    proc.kill()
    raise RuntimeError(f"worker {name} did not start")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.skipif(not USES_WORKER, reason="needs PostgreSQL + Redis")
def test_sigkill_mid_check_leaves_one_completed_run(
    scientist, labelled, model_version, monkeypatch
):
    monkeypatch.setenv("AUDITS_ALLOW_TEST_SLEEP", "1")
    queue = f"{settings.CELERY_QUEUE_PREFIX}kill-{os.getpid()}"
    # Queued by hand on a queue only our workers read, not the shared test worker's.
    # (the request's own dispatch after commit would reach the suite's shared worker first).
    monkeypatch.setattr("audits.runs.services.checks.job_enqueue", lambda job: None)
    run = check_run_request(
        actor=scientist,
        model_version=model_version,
        kind="fairness",
        dataset_version=labelled,
        parameters={"sleep_seconds": 6},
    )
    log = open(ROOT / "var" / "test-worker-kill.log", "w")  # noqa: SIM115
    first = _start_worker(queue, f"kill-a-{os.getpid()}", log)
    second = None
    try:
        run_check_task.apply_async((run.pk,), queue=queue)
        wait_for(
            lambda: CheckRun.objects.filter(pk=run.pk, status="running", attempts=1).exists(),
            timeout=60,
        )
        time.sleep(1.0)  # inside the 6-second pause: the check is mid-run
        children = _children(first.pid)
        assert children, "the prefork worker has no child process"
        for child in children:
            os.kill(child, signal.SIGKILL)
        second = _start_worker(queue, f"kill-b-{os.getpid()}", log)
        done = wait_for(
            lambda: CheckRun.objects.filter(pk=run.pk, status__in=["succeeded", "failed"]).first(),
            timeout=120,
        )
    finally:
        for proc in (first, second):
            if proc is not None:
                _stop(proc)
        log.close()
    assert done.status == "succeeded", done.error_message
    assert done.attempts >= 2
    assert CheckRun.objects.count() == 1
    finished = AuditEvent.objects.filter(action="check_run.finished", target_id=str(run.pk))
    assert finished.count() == 1
    codes = list(Finding.objects.filter(check_run=done).values_list("code", "group"))
    assert len(codes) == len(set(codes))
