"""The client builds into a wheel that carries the package, its CLI entry point and nothing
of the server."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

from .conftest import CLIENT_DIR


def test_wheel_contents(tmp_path):
    # Built from a copy: setuptools writes build/ and *.egg-info next to the sources.
    source = tmp_path / "client"
    shutil.copytree(
        CLIENT_DIR, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
    )
    build = tmp_path / "wheels"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            str(source),
            "-w",
            str(build),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        # No index and a bare environment: the build uses only what is installed.
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "PIP_NO_CACHE_DIR": "1",
            "TMPDIR": str(tmp_path),
        },
    )
    assert out.returncode == 0, out.stdout + out.stderr
    (wheel,) = build.glob("ai_governance_client-*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {n for n in names if n.startswith("aigov_client/")}
    assert {
        "aigov_client/__init__.py",
        "aigov_client/client.py",
        "aigov_client/cli.py",
        "aigov_client/transport.py",
        "aigov_client/serialize.py",
        "aigov_client/py.typed",
    } <= modules
    assert not {
        n for n in names if n.split("/")[0] in {"governance", "registry", "audits", "tests"}
    }
    info = next(n for n in names if n.endswith(".dist-info/METADATA"))
    metadata = zipfile.ZipFile(wheel).read(info).decode()
    assert "Name: ai-governance-client" in metadata
    assert "Requires-Python: >=3.11" in metadata
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert requires[0].startswith("Requires-Dist: requests")
    assert any("typer" in r and 'extra == "cli"' in r for r in requires)
    assert len(requires) == 2
    entry_points = (
        zipfile.ZipFile(wheel).read(info.replace("METADATA", "entry_points.txt")).decode()
    )
    assert "aigov = aigov_client.cli:main" in entry_points
