"""Where the client finds its server and token: arguments, then the environment, then the
config file that ``aigov login`` writes."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

ENV_URL = "AIGOV_URL"
ENV_TOKEN = "AIGOV_TOKEN"  # noqa: S105 - the variable's name, not a secret
ENV_CONFIG = "AIGOV_CONFIG"


def config_path() -> Path:
    """``$AIGOV_CONFIG``, else ``$XDG_CONFIG_HOME/aigov/config.toml`` (``~/.config`` by
    default)."""
    explicit = os.environ.get(ENV_CONFIG)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "aigov" / "config.toml"


@dataclass(frozen=True)
class Settings:
    url: str | None = None
    token: str | None = None
    token_id: int | None = None
    username: str | None = None


def load_file(path: Path | None = None) -> Settings:
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    token_id = data.get("token_id")
    return Settings(
        url=data.get("url") or None,
        token=data.get("token") or None,
        token_id=int(token_id) if isinstance(token_id, int) else None,
        username=data.get("username") or None,
    )


def resolve(url: str | None = None, token: str | None = None) -> Settings:
    """Arguments win over the environment, which wins over the file. The token id and user
    name from the file are kept only when the file's token is the one in use (logout needs
    the id to revoke it)."""
    stored = load_file()
    final_url = url or os.environ.get(ENV_URL) or stored.url
    final_token = token or os.environ.get(ENV_TOKEN) or stored.token
    same = final_token is not None and final_token == stored.token
    return Settings(
        url=final_url,
        token=final_token,
        token_id=stored.token_id if same else None,
        username=stored.username if same else None,
    )


def save_file(settings: Settings, path: Path | None = None) -> Path:
    """Write the config readable by its owner only (0600): it holds a bearer token."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lines = ["# Written by `aigov login`; holds an API token: keep it private.\n"]
    for key in ("url", "token", "username"):
        value = getattr(settings, key)
        if value is not None:
            # A JSON string is a valid TOML basic string (same escapes).
            lines.append(f"{key} = {json.dumps(value)}\n")
    if settings.token_id is not None:
        lines.append(f"token_id = {int(settings.token_id)}\n")
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # O_CREAT's mode is ignored when the file already existed
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.writelines(lines)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    os.replace(tmp, path)
    return path


def forget_token(path: Path | None = None) -> Path | None:
    """Drop the token from the config file, keeping the URL for the next login."""
    path = path or config_path()
    current = load_file(path)
    if current.token is None and not path.exists():
        return None
    save_file(Settings(url=current.url), path)
    return path
