"""Helpers for benchmarks: a real server process on loopback and memory readings."""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent

# MLflow pins many libraries, so it lives in a virtualenv of its own under var/, installed on
# first use and shared by the benchmark against MLflow and the MLflow import tests. XGBoost is
# the project's version, so a model logged there is one the registry reads.
MLFLOW_VERSION = "3.17.2"
# SQLAlchemy 2.1, which MLflow 3.17 installs, maps postgresql:// to psycopg 3 (not psycopg2);
# the same driver version as ours.
MLFLOW_REQUIREMENTS = [
    f"mlflow=={MLFLOW_VERSION}",
    "psycopg[binary]==3.3.9",
    "xgboost==3.2.0",
]
MLFLOW_VENV = ROOT / "var" / "mlflow-venv"


def peer_python(venv: Path, requirements: list[str]) -> tuple[Path | None, str]:
    """A virtualenv's Python with ``requirements`` installed, installing it on first use (or
    when the requirements changed); or None and the reason (e.g. no network)."""
    venv.parent.mkdir(parents=True, exist_ok=True)
    # Two test passes may start at once: the first installs, the second waits and reuses.
    with open(venv.with_name(venv.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _peer_python_locked(venv, requirements)


def _peer_python_locked(venv: Path, requirements: list[str]) -> tuple[Path | None, str]:
    python = venv / "bin" / "python"
    stamp = venv / ".requirements"
    wanted = "\n".join(requirements)
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python, "reused"
    print(f"installing {' '.join(requirements)} into {venv} …", flush=True)
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", "--clear", str(venv)],
            check=True,
            capture_output=True,
            text=True,
        )
        # A short timeout and one retry: without network pip would otherwise wait minutes.
        subprocess.run(
            [
                *[str(python), "-m", "pip", "install", "--quiet"],
                *["--retries", "1", "--timeout", "30", *requirements],
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    except (subprocess.CalledProcessError, OSError) as exc:
        output = getattr(exc, "stderr", None) or getattr(exc, "stdout", None) or str(exc)
        lines = [line for line in output.splitlines() if line.strip() and "is ignored" not in line]
        return None, lines[-1] if lines else str(exc)
    stamp.write_text(wanted)
    return python, "installed"


def mlflow_python() -> tuple[Path | None, str]:
    """MLflow's virtualenv's Python (see ``MLFLOW_REQUIREMENTS``), or None and the reason."""
    return peer_python(MLFLOW_VENV, MLFLOW_REQUIREMENTS)


#: The PostgreSQL server the benchmarks use, without a database name.
BENCH_PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def psql(sql: str, db: str = "postgres") -> str:
    """Run ``sql`` with psql on database ``db`` of BENCH_PG; its output, tuples only."""
    return subprocess.run(
        ["psql", f"{BENCH_PG}/{db}", "-v", "ON_ERROR_STOP=1", "-qtA", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """High-water mark of a process's resident memory, in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@contextmanager
def embedded_server(workers: int = 1, extra_env: dict | None = None):
    """gunicorn on a fresh embedded stack (SQLite, in-process tasks) in a temporary folder."""
    var = tempfile.mkdtemp(prefix="bench-")
    env = {**os.environ, "GOVERNANCE_VAR_DIR": var, "DEBUG": "false", **(extra_env or {})}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [py, "manage.py", "seed_demo", "--users-only"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            py,
            "-m",
            "gunicorn",
            "governance.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "600",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/healthz/", timeout=10).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def token(url: str, username: str = "scientist", password: str = "scientist-demo-2026") -> str:
    response = requests.post(
        f"{url}/api/v1/auth/token/", json={"username": username, "password": password}, timeout=30
    )
    response.raise_for_status()
    return response.json()["token"]
