"""The web server as deployed (gunicorn with the project's gunicorn.conf.py) keeps a client's
connection open between requests, where gunicorn's default sync workers closed it after every
response."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.faults.test_faults import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_the_config_file_asks_for_threaded_workers_with_keep_alive():
    from gunicorn.config import Config  # noqa: PLC0415 - only this test needs it

    config = Config()
    namespace: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    for name in ("worker_class", "threads", "keepalive"):
        config.set(name, namespace[name])
    assert config.worker_class_str == "gthread"
    assert config.threads >= 1 and config.keepalive >= 2


def test_a_client_sends_several_requests_over_one_connection(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "GOVERNANCE_VAR_DIR": str(tmp_path),
        "DEBUG": "false",
        "GOVERNANCE_ENV": "development",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "governance.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.connect()
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
        sockets = []
        for _ in range(3):
            # No credentials: refused before any database is touched, answered all the same.
            connection.request("GET", "/api/v1/models/", headers={"Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            assert response.status in (401, 403)
            assert (response.getheader("Connection") or "").lower() != "close"
            sockets.append(connection.sock)
        assert sockets[0] is not None and all(s is sockets[0] for s in sockets)
        connection.close()
        assert "Using worker: gthread" in (tmp_path / "server.log").read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
