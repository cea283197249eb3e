"""An MLflow tracking server for tests: ``mlflow server`` (sqlite backend, proxied artifacts)
on loopback, run from MLflow's own virtualenv under var/ (installed on first use, see
``bench.common.mlflow_python``), with models logged by that virtualenv's Python."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from bench.common import free_port, mlflow_python
from tests.registry.conftest import german_credit_path

HERE = Path(__file__).resolve().parent
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def running_mlflow(tmp_path_factory):
    """Generator for a module-scoped fixture: a running MLflow server with the models of
    mlflow_log_model.py logged; skips the module when MLflow cannot be installed."""
    python, how = mlflow_python()
    if python is None:
        pytest.skip(f"MLflow's virtualenv could not be created (no network?): {how}")
    work = tmp_path_factory.mktemp("mlflow")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (work / "server.log").open("w")
    # MLflow 3's server also starts a job runner (huey consumers, eight processes here) for
    # features the tests do not use; MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false is its switch.
    # Without it the server answers in about 60% of the time and leaves no busy processes.
    server = subprocess.Popen(
        [
            *[str(python), "-m", "mlflow", "server", "--host", "127.0.0.1"],
            *["--port", str(port), "--workers", "1"],
            *["--backend-store-uri", f"sqlite:///{work / 'mlflow.db'}"],
            *["--artifacts-destination", str(work / "artifacts")],
        ],
        cwd=work,
        env={
            **os.environ,
            "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
            # Webhooks may post to the test server on loopback over plain http.
            "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https",
            "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
            # MLflow keeps the list of webhooks for 60 s by default: a webhook created by a test
            # would miss the versions registered right after it.
            "MLFLOW_WEBHOOK_CACHE_TTL": "1",
            "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"{url}/health", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mlflow server did not start: see {work / 'server.log'}")
            time.sleep(0.5)
        logged = subprocess.run(
            [str(python), str(HERE / "mlflow_log_model.py"), url, str(german_credit_path()), "gbm"],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        info = json.loads(logged.stdout.strip().splitlines()[-1])
        yield {"url": url, "artifacts": work / "artifacts", "python": python, **info}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
