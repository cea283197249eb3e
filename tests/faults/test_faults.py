"""Faults of the production stack: Redis gone, database connections cut.

Each test prints one ``FAULT <name>: PASS|FAIL <detail>`` line (run with ``-s`` to see them)
and runs in the PostgreSQL + Redis pass of ``make test`` (marker ``worker``).

Covered elsewhere, not repeated here:

* two beat-style dispatchers start a due audit once: tests/audits/test_schedules.py
* a worker killed in the middle of a check: tests/audits/test_worker_kill.py

The machine's shared Redis is never stopped: the Redis test starts its own ``redis-server`` on
a free port, and a gunicorn process pointed at it, then kills and restarts that Redis. The
shared PostgreSQL is never restarted either: the app's backend connections are terminated
with ``pg_terminate_backend`` from a second connection instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection

from governance.kernel.accounts.services import api_token_issue
from registry.models import DatasetVersion, ModelVersion, ProfilingJob
from registry.services.datasets import dataset_create
from registry.services.systems import model_create, system_create
from tests.conftest import ROOT

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def report(name: str, ok: bool, detail: str = "") -> None:
    print(f"FAULT {name}: {'PASS' if ok else 'FAIL'} {detail}".rstrip(), flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def stop(proc: subprocess.Popen, log, *, timeout: float) -> None:
    """Terminate a child process (kill it if it lingers) and close its log."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@contextmanager
def private_redis(port: int):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def app_server(extra_env: dict, tmp_path: Path):
    """gunicorn (one worker) on the test database, with ``extra_env`` on top."""

    base = settings.DATABASE_URL.rsplit("/", 1)[0]
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"{base}/{connection.settings_dict['NAME']}",
        "GOVERNANCE_VAR_DIR": str(tmp_path),
        "BLOB_ROOT": str(settings.BLOB_ROOT),
        "DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **extra_env,
    }
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "governance.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/healthz/", timeout=5).status_code < 500:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"server did not start: see {log.name}")
        yield url
    finally:
        stop(proc, log, timeout=20)


def upload_version(url: str, token: str, path: str, field: str, name: str, version, content):
    return requests.post(
        f"{url}/api/v1/{path}/versions/",
        headers={"Authorization": f"Bearer {token}"},
        data={"version": version},
        files={field: (name, content)},
        timeout=60,
    )


def register(url: str, token: str, model_id: int, version: str, content: bytes):
    return upload_version(
        url, token, f"models/{model_id}", "artefact", "model.json", version, content
    )


def register_data(url: str, token: str, dataset_id: int, version: str, content: bytes):
    return upload_version(
        url, token, f"datasets/{dataset_id}", "file", "german.csv", version, content
    )


@pytest.fixture
def registry_objects(scientist, team):

    system = system_create(actor=scientist, team=team, name="Faults", intended_purpose="test")
    model = model_create(actor=scientist, system=system, name="faulty")
    dataset = dataset_create(actor=scientist, team=team, name="Faulty data")
    token = api_token_issue(user=scientist, name="faults").raw
    return token, model, dataset


@contextmanager
def worker_with_beat(extra_env: dict, tmp_path: Path):
    """A real Celery worker with an embedded beat, on the test database and ``extra_env``."""

    base = settings.DATABASE_URL.rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DATABASE_URL": f"{base}/{connection.settings_dict['NAME']}",
        "GOVERNANCE_VAR_DIR": str(tmp_path),
        "BLOB_ROOT": str(settings.BLOB_ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DB_CONN_MAX_AGE": "0",
        **extra_env,
    }
    prefix = extra_env.get("CELERY_QUEUE_PREFIX", "")
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "governance", "worker", "-B",
         "-s", str(tmp_path / "beat-schedule"), "--loglevel", "INFO", "--concurrency", "1",
         "-Q", f"{prefix}light,{prefix}analysis", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield proc
    finally:
        stop(proc, log, timeout=30)


def test_redis_down_registration_accepted_and_delayed_work_runs_later(
    registry_objects, xgb_json_bytes, german_csv_bytes, tmp_path
):
    """With the broker and cache gone, a model version upload still registers and a data file
    that needs background profiling is stored and says its profile is pending, with a reason.
    When Redis returns, beat's sweeper sends the delayed profiling and a worker completes it."""

    token, model, dataset = registry_objects
    port = free_port()
    env = {
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "CELERY_QUEUE_PREFIX": "faults-",
        # Every data file is profiled in the background, so an upload needs the broker.
        "PROFILE_INLINE_MAX_BYTES": "1",
        "JOB_REDISPATCH_INTERVAL_SECONDS": "1",
        "JOB_REDISPATCH_GRACE_SECONDS": "0",
    }
    with private_redis(port) as redis_proc, app_server(env, tmp_path) as url:
        before = register(url, token, model.pk, "1.0.0", xgb_json_bytes)
        assert before.status_code == 201, before.text
        redis_proc.kill()
        redis_proc.wait(timeout=10)

        started = time.perf_counter()
        down = register(url, token, model.pk, "1.0.1", xgb_json_bytes + b" ")
        down_s = time.perf_counter() - started
        data_down = register_data(url, token, dataset.pk, "1", german_csv_bytes)
        stored_model = ModelVersion.objects.filter(model=model, version="1.0.1").exists()
        stored_data = DatasetVersion.objects.filter(dataset=dataset, version="1").first()
        job = ProfilingJob.objects.filter(dataset_version=stored_data).first()
        model_ok = down.status_code == 201 and stored_model
        data_ok = (
            data_down.status_code in (201, 202)
            and stored_data is not None
            and data_down.json().get("profile_status") == "pending"
            and job is not None
            and job.dispatched_at is None
            and "unreachable" in job.progress_message
            and f"profiling job #{job.pk}" in data_down.headers.get("X-Delayed-Work", "")
        )
        report(
            "redis-down model version registration",
            model_ok,
            f"HTTP {down.status_code} in {down_s:.1f} s, row stored: {stored_model}",
        )
        report(
            "redis-down dataset version registration (profiling delayed)",
            data_ok,
            f"HTTP {data_down.status_code}, row stored: {stored_data is not None}, "
            f"job: {job and (job.status, job.progress_message)}, "
            f"X-Delayed-Work: {data_down.headers.get('X-Delayed-Work')}",
        )
        assert model_ok, (down.status_code, down.text[:500])
        assert data_ok, (data_down.status_code, data_down.text[:500])

        with private_redis(port), worker_with_beat(env, tmp_path):
            after = register(url, token, model.pk, "1.0.2", xgb_json_bytes + b"  ")
            report("redis-restarted registration", after.status_code == 201, f"{after.status_code}")
            assert after.status_code == 201, after.text
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                job.refresh_from_db()
                if job.is_finished:
                    break
                time.sleep(0.5)
            stored_data.refresh_from_db()
            ran = job.status == "succeeded" and job.dispatched_at is not None
            report(
                "redis-restarted delayed profiling runs",
                ran,
                f"job {job.status}, dispatched {job.dispatched_at}, rows {stored_data.row_count}",
            )
            assert ran, (
                job.status,
                job.error_message,
                (tmp_path / "worker.log").read_text()[-3000:],
            )
            assert stored_data.row_count == 1000


def terminate_app_connections() -> int:
    """Cut every other backend of the test database, as a PostgreSQL restart would."""

    with connection.cursor() as cursor:  # the test's own connection stays up
        cursor.execute("SELECT pg_backend_pid()")
        mine = cursor.fetchone()[0]
    params = connection.get_connection_params()
    keep = {"host", "port", "user", "password", "dbname", "sslmode"}
    with psycopg.connect(**{k: v for k, v in params.items() if k in keep}) as second:
        second.autocommit = True
        rows = second.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> %s",
            [mine],
        ).fetchall()
    return len(rows)


@pytest.mark.postgres
def test_database_connections_cut_app_recovers(registry_objects, tmp_path):
    """CONN_HEALTH_CHECKS makes a worker notice a dead persistent connection and reconnect:
    requests after the cut succeed without restarting anything."""
    token, model, _ = registry_objects
    headers = {"Authorization": f"Bearer {token}"}
    env = {"REDIS_URL": settings.REDIS_URL, "DB_CONN_MAX_AGE": "600"}
    with app_server(env, tmp_path) as url:
        for _ in range(3):  # open the persistent connection
            assert requests.get(f"{url}/api/v1/models/", headers=headers, timeout=30).ok
        cut = terminate_app_connections()
        codes = [
            requests.get(
                f"{url}/api/v1/models/{model.pk}/", headers=headers, timeout=30
            ).status_code
            for _ in range(5)
        ]
    ok = cut >= 1 and all(code == 200 for code in codes)
    report("postgres connections terminated", ok, f"{cut} backends cut; then {codes}")
    assert cut >= 1
    assert all(code == 200 for code in codes), codes


def local_cluster() -> str | None:
    """``VERSION/NAME`` of the local PostgreSQL cluster serving the test database, when this
    process may restart it (root, Debian's pg_ctlcluster, a loopback database)."""

    if connection.vendor != "postgresql" or os.geteuid() != 0:
        return None
    if shutil.which("pg_lsclusters") is None or shutil.which("pg_ctlcluster") is None:
        return None
    if connection.settings_dict.get("HOST") not in ("127.0.0.1", "localhost", "", None):
        return None
    port = str(connection.settings_dict.get("PORT") or 5432)
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False)
    for line in listing.stdout.splitlines():
        version, name, cluster_port, status, *_ = line.split()
        if cluster_port == port and status == "online":
            return f"{version}/{name}"
    return None


def pg_ctl(cluster: str, action: str) -> None:
    version, name = cluster.split("/")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action, "-m", "fast"]
        if action == "stop"
        else ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.postgres
def test_postgresql_restarted_app_answers_503_then_recovers(
    registry_objects, xgb_json_bytes, tmp_path
):
    """A real stop and start of the PostgreSQL server under a running gunicorn: while it is
    down the API answers 503 with a reason (not a hang, not a bare 500); once it is back the
    same processes serve requests again, reads and writes, without being restarted."""

    cluster = local_cluster()
    if cluster is None:
        pytest.skip("needs root and the local Debian PostgreSQL cluster of the test database")
    token, model, _ = registry_objects
    headers = {"Authorization": f"Bearer {token}"}
    env = {"REDIS_URL": settings.REDIS_URL, "DB_CONN_MAX_AGE": "600"}
    with app_server(env, tmp_path) as url:
        for _ in range(3):  # open the persistent connection
            assert requests.get(f"{url}/api/v1/models/", headers=headers, timeout=30).ok
        connection.close()
        stopped = False
        try:
            pg_ctl(cluster, "stop")
            stopped = True
            started = time.perf_counter()
            down = requests.get(f"{url}/api/v1/models/{model.pk}/", headers=headers, timeout=30)
            down_s = time.perf_counter() - started
        finally:
            if stopped:
                pg_ctl(cluster, "start")
        deadline = time.monotonic() + 60
        while subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode:
            assert time.monotonic() < deadline, "PostgreSQL did not come back"
            time.sleep(0.5)
        codes = [
            requests.get(
                f"{url}/api/v1/models/{model.pk}/", headers=headers, timeout=30
            ).status_code
            for _ in range(5)
        ]
        written = register(url, token, model.pk, "9.9.9", xgb_json_bytes)
    down_ok = down.status_code == 503 and down.json()["error"]["code"] == "database_unavailable"
    report(
        "postgres stopped: API answers 503",
        down_ok,
        f"HTTP {down.status_code} in {down_s:.2f} s, Retry-After {down.headers.get('Retry-After')}",
    )
    recovered = all(code == 200 for code in codes) and written.status_code == 201
    report(
        "postgres restarted: app recovers without a restart",
        recovered,
        f"reads {codes}, registration HTTP {written.status_code}",
    )
    assert down_ok, (down.status_code, down.text[:300])
    assert recovered, (codes, written.status_code, written.text[:300])
