"""The process a trusted pickle is loaded in: run as a script, never imported by the app.

Protocol on stdin/stdout, each message a frame (8-byte big-endian length, then bytes):
the parent sends a JSON request frame, followed for predictions by a Parquet frame holding the
rows; the child answers with one JSON frame. Nothing is pickled across the boundary: the
parent never deserialises anything that could run code, since whatever the pickle did, it did
here.

Limits are set before the artefact is opened: address space (RLIMIT_AS), CPU seconds
(RLIMIT_CPU: the kernel kills the process past it), no core files. The environment the parent
gives this process holds no secret (no database URL, no SECRET_KEY).
"""

from __future__ import annotations

import io
import json
import pickle
import resource
import struct
import sys

# Imported before the limits are set: the libraries are ours, only the artefact is contained.
import cloudpickle
import joblib
import numpy as np
import pandas as pd


def _limit(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _read_frame(stream) -> bytes | None:
    head = stream.read(8)
    if len(head) < 8:
        return None
    (size,) = struct.unpack(">Q", head)
    return stream.read(size)


def _write_frame(stream, payload: bytes) -> None:
    stream.write(struct.pack(">Q", len(payload)) + payload)
    stream.flush()


def _plain(value):
    item = getattr(value, "item", None)
    return item() if callable(item) and getattr(value, "shape", None) == () else value


def _load(path: str, artefact_format: str):
    if artefact_format == "joblib":
        return joblib.load(path)
    if artefact_format == "cloudpickle":
        with open(path, "rb") as fh:
            return cloudpickle.load(fh)
    with open(path, "rb") as fh:
        return pickle.load(fh)  # noqa: S301 - this process exists to contain exactly this


def _describe(estimator) -> dict:
    classes = getattr(estimator, "classes_", None)
    classes = [_plain(c) for c in classes] if classes is not None and len(classes) else None
    names = getattr(estimator, "feature_names_in_", None)
    return {
        "ok": True,
        "classes": classes,
        "feature_names": [str(n) for n in names] if names is not None else None,
        "has_proba": classes is not None and hasattr(estimator, "predict_proba"),
        "framework": type(estimator).__module__.split(".")[0],
        "estimator": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
    }


def main(argv: list[str]) -> int:
    path, artefact_format, memory_bytes, cpu_seconds = argv
    _limit(int(memory_bytes), int(cpu_seconds))
    out = sys.stdout.buffer
    # Whatever the artefact prints must not corrupt the frames: its prints go to stderr.
    sys.stdout = sys.stderr
    stdin = sys.stdin.buffer
    try:
        estimator = _load(path, artefact_format)
        if not hasattr(estimator, "predict"):
            raise TypeError(f"loaded object of type {type(estimator).__name__} cannot predict")
        reply = _describe(estimator)
    except BaseException as exc:
        _write_frame(out, json.dumps({"ok": False, "error": _error(exc)}).encode())
        return 1
    _write_frame(out, json.dumps(reply).encode())
    while True:
        request = _read_frame(stdin)
        if request is None:
            return 0
        op = json.loads(request)["op"]
        frame = _read_frame(stdin)
        try:
            X = pd.read_parquet(io.BytesIO(frame))
            values = estimator.predict_proba(X) if op == "predict_proba" else estimator.predict(X)
            values = np.asarray(values)
            reply = {"ok": True, "values": values.tolist(), "dtype": values.dtype.kind}
        except Exception as exc:
            reply = {"ok": False, "error": _error(exc)}
        _write_frame(out, json.dumps(reply).encode())


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
