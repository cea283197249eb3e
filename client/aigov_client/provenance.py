"""What a registration records about where a model came from: the code commit and the
installed packages."""

from __future__ import annotations

import os
import subprocess
from importlib import metadata
from pathlib import Path


def git_commit(cwd: str | os.PathLike[str] | None = None) -> str:
    """``git rev-parse HEAD`` of the repository containing ``cwd``; empty outside one (or
    without git), since a model trained from a notebook export is still worth registering."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(cwd) if cwd else None,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and 7 <= len(commit) <= 64 else ""


def environment_lock() -> str:
    """The installed distributions as ``name==version`` lines, sorted: what ``pip freeze``
    prints, without starting pip."""
    seen: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata.get("Name")
        if name and name.lower() not in seen:
            seen[name.lower()] = f"{name}=={dist.version}"
    return "\n".join(seen[key] for key in sorted(seen)) + "\n"
