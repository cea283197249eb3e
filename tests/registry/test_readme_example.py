"""The README's Python example, run as a new user would: a real HTTP server, requests, real
public data with names and dates of birth."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_readme_example_registers_and_reads_lineage(live_server):
    call_command("seed_demo", "--users-only")
    out = subprocess.run(
        [sys.executable, "docs/examples/register_model.py", live_server.url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    lines = dict(line.split(": ", 1) for line in out.stdout.strip().splitlines())
    assert "'person_name'" in lines["PII"] and "'date_of_birth'" in lines["PII"]
    assert lines["artefact"].startswith("xgboost_json ")
    assert "person_name" in lines["inherited personal data"]
    assert "date_of_birth" in lines["inherited personal data"]
    assert "trained_on" in lines["lineage"]
    code_lines = [
        line
        for line in (ROOT / "docs/examples/register_model.py").read_text().splitlines()
        if line.strip() and not line.startswith(('"""', "Run `make run`", "Register a system"))
    ]
    assert len(code_lines) < 30
