"""The tree keeps its shape: layers and circles checked by the import contract, no model left
without its migration (moving code between folders must never move data), and every
extension point filled by the layer that owns it."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from governance.kernel import panels

ROOT = Path(__file__).resolve().parent.parent


def test_import_contract_holds():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed in this environment")
    out = subprocess.run(
        [str(lint), "--no-cache"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "BROKEN" not in out.stdout


@pytest.mark.django_db
def test_models_match_their_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_extension_points_are_filled_by_the_upper_layers():
    assert list(panels.model_version_panels._providers) == ["review", "checks", "reports"]
    assert list(panels.model_version_extras._providers) == ["governance"]
    assert "responsibilities" in panels.person_panels._providers
    assert "report" in panels.audit_run_panels._providers
