"""Trusted pickles run in a separate, short-lived, resource-limited process.

An admin marking a pickle "trusted" vouches for its origin, not for what unpickling does: a
pickle runs whatever code its author wrote, with the rights of the process that opens it. So
it is never opened in the web or worker process. ``load_isolated`` starts
``pickle_child.py`` with a scrubbed environment and address-space and CPU limits; the child
loads the artefact and answers ``predict`` / ``predict_proba`` for the rows it is sent. Only
JSON and Parquet cross the boundary, so nothing the child sends can run code here. The child
ends when the model is released (or this process exits), or when it breaks a limit.

The model is explained model-agnostically (``model_type = "other"``): SHAP's tree and linear
explainers need the estimator object itself, which stays in the child.
"""

from __future__ import annotations

import io
import json
import os
import selectors
import struct
import subprocess
import sys
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

CHILD = Path(__file__).with_name("pickle_child.py")
MAX_REPLY_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class IsolationLimits:
    memory_bytes: int = 4 * 1024**3
    cpu_seconds: int = 600
    # Wall-clock bound for loading and for each call, so a child that sleeps is ended too.
    call_timeout_seconds: float = 600.0


class IsolatedModelError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _child_env() -> dict[str, str]:
    # Nothing of the parent's environment (database URL, SECRET_KEY, tokens) is passed on.
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return env


class _Child:
    def __init__(self, path: Path, artefact_format: str, limits: IsolationLimits):
        self.limits = limits
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-I",  # isolated mode: no user site, no PYTHON* variables, no cwd on sys.path
                str(CHILD),
                str(path),
                artefact_format,
                str(limits.memory_bytes),
                str(limits.cpu_seconds),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_child_env(),
            cwd="/",
            close_fds=True,
        )
        self._finalizer = weakref.finalize(self, _stop, self.proc)

    def close(self) -> None:
        self._finalizer()

    def _read_exact(self, size: int, deadline: float) -> bytes:
        chunks, remaining = [], size
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while remaining:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(timeout=left):
                    self.close()
                    raise IsolatedModelError(
                        "isolated_model_timeout", "the model process did not answer in time"
                    )
                chunk = os.read(fd, min(remaining, 1 << 20))
                if not chunk:
                    self.proc.wait(timeout=5)
                    raise IsolatedModelError(
                        "isolated_model_died",
                        "the model process ended "
                        f"({_exit_reason(self.proc.returncode)}); it may have broken its "
                        "memory or CPU limit",
                    )
                chunks.append(chunk)
                remaining -= len(chunk)
        return b"".join(chunks)

    def receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.limits.call_timeout_seconds
        (size,) = struct.unpack(">Q", self._read_exact(8, deadline))
        if size > MAX_REPLY_BYTES:
            self.close()
            raise IsolatedModelError("isolated_model_protocol", "the model process sent too much")
        try:
            reply = json.loads(self._read_exact(size, deadline))
        except ValueError as exc:
            self.close()
            raise IsolatedModelError(
                "isolated_model_protocol", "the model process answered garbage"
            ) from exc
        if not isinstance(reply, dict):
            raise IsolatedModelError("isolated_model_protocol", "unexpected answer")
        return reply

    def send(self, *frames: bytes) -> None:
        try:
            for frame in frames:
                self.proc.stdin.write(struct.pack(">Q", len(frame)) + frame)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise IsolatedModelError("isolated_model_died", "the model process ended") from exc

    def call(self, op: str, X: pd.DataFrame) -> np.ndarray:
        buffer = io.BytesIO()
        X.reset_index(drop=True).to_parquet(buffer, index=False)
        self.send(json.dumps({"op": op}).encode(), buffer.getvalue())
        reply = self.receive()
        if not reply.get("ok"):
            raise IsolatedModelError("isolated_model_failed", str(reply.get("error"))[:500])
        values = reply.get("values")
        kind = reply.get("dtype")
        return np.asarray(values, dtype=np.float64 if kind == "f" else None)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            proc.stdin.close()
            proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        return f"killed by signal {-code}"
    return f"exit status {code}"


def load_isolated(path: Path, artefact_format: str, limits: IsolationLimits | None = None):
    """Start the child for a trusted pickle; return (child, description of the estimator)."""
    child = _Child(path, artefact_format, limits or IsolationLimits())
    reply = child.receive()
    if not reply.get("ok"):
        child.close()
        raise IsolatedModelError(
            "isolated_model_failed", f"the artefact could not be loaded: {reply.get('error')}"
        )
    return child, reply
