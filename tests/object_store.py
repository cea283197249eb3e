"""A real S3-compatible server for the tests: moto's server mode in its own process on a free
loopback port, spoken to over HTTP like any object store.

``scripts/test.sh`` runs ``python -m tests.object_store ENDPOINT_FILE`` before the
production-stack pass so the whole pass (web and worker) keeps its blobs in the bucket; tests
that need a bucket in the embedded pass start one through the ``s3_server`` fixture."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import boto3
from botocore.config import Config

ACCESS_KEY = "testing-access-key"
SECRET_KEY = "testing-secret-key"
REGION = "us-east-1"


@dataclass
class S3Server:
    endpoint: str
    process: subprocess.Popen | None = None

    def client(self, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
        )

    def create_bucket(self, name: str) -> None:
        client = self.client()
        with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
            client.create_bucket(Bucket=name)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(log_path: str | None = None, env: dict[str, str] | None = None) -> S3Server:
    """``env`` adds to the server's environment, e.g. ``INITIAL_NO_AUTH_ACTION_COUNT`` to
    have it check every request's signature after the first few."""
    port = free_port()
    log = open(log_path or os.devnull, "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = S3Server(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the S3 test server exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("the S3 test server did not start within 60 s")


def main() -> None:
    """Start a server and the suite's bucket, write its endpoint to the file named by the
    first argument when it is ready, and serve until stopped (SIGTERM stops the server)."""
    server = start()
    server.create_bucket(sys.argv[2] if len(sys.argv) > 2 else "governance-test")

    def stop(*_):
        server.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with open(sys.argv[1], "w") as out:
        out.write(server.endpoint)
    server.process.wait()


if __name__ == "__main__":
    main()
