"""Fixtures of the client tests: this checkout's client on the import path, a live server
with the demo users, and a runner for the ``aigov`` command as a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from aigov_client import Client
from django.core.management import call_command

from tests.client import CLIENT_DIR

ROOT = Path(__file__).resolve().parents[2]

PASSWORDS = {
    "scientist": "scientist-demo-2026",
    "compliance": "compliance-demo-2026",
    "owner": "owner-demo-2026",
    "auditor": "auditor-demo-2026",
    "admin": "admin-demo-2026",
}


@pytest.fixture
def server(live_server):
    """A live server whose database holds the demo users (one per role)."""
    call_command("seed_demo", "--users-only")
    return live_server.url


@pytest.fixture
def login(server):
    """``login("scientist")`` gives a client with a fresh token of that demo user."""

    def make(username: str = "scientist"):
        return Client.login(server, username, PASSWORDS[username], retries=0)

    return make


@pytest.fixture
def cli(tmp_path):
    """``cli("gate", "3")`` runs ``python -m aigov_client`` with its own config file and
    without any AIGOV_* variable from the environment running the tests."""
    config = tmp_path / "aigov" / "config.toml"

    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None):
        base = {k: v for k, v in os.environ.items() if not k.startswith("AIGOV_")}
        base["PYTHONPATH"] = os.pathsep.join(
            [str(CLIENT_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        base["AIGOV_CONFIG"] = str(config)
        return subprocess.run(
            [sys.executable, "-m", "aigov_client", *args],
            cwd=ROOT,
            env={**base, **(env or {})},
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
        )

    run.config = config
    return run
