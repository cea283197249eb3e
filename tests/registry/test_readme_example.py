"""The README's Python example, run as a new user would: a real HTTP server, the Python
client, real public data with names and dates of birth; run twice, as a training script is."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from registry.models import DatasetVersion, ModelVersion

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs/examples/register_model.py"


def run_example(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIGOV_")}
    # The client of this checkout, whether or not it is installed in the environment.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "client"), env.get("PYTHONPATH")]))
    out = subprocess.run(
        [sys.executable, str(EXAMPLE.relative_to(ROOT)), url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    return dict(line.split(": ", 1) for line in out.stdout.strip().splitlines())


@pytest.mark.django_db(transaction=True)
def test_readme_example_registers_and_reads_lineage(live_server):
    call_command("seed_demo", "--users-only")
    lines = run_example(live_server.url)
    assert "'person_name'" in lines["PII"] and "'date_of_birth'" in lines["PII"]
    assert lines["artefact"].startswith("xgboost_json ")
    assert "person_name" in lines["inherited personal data"]
    assert "date_of_birth" in lines["inherited personal data"]
    assert "trained_on" in lines["lineage"]

    # Run again: the same versions come back, nothing new is registered.
    assert run_example(live_server.url) == lines
    assert ModelVersion.objects.count() == 1 and DatasetVersion.objects.count() == 1

    source = EXAMPLE.read_text()
    docstring_end = ast.parse(source).body[0].end_lineno
    code_lines = [line for line in source.splitlines()[docstring_end:] if line.strip()]
    assert len(code_lines) < 30
