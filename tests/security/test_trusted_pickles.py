"""Trusted pickles are opened only in a separate, resource-limited process: what unpickling
runs, it runs there; a memory or CPU bomb is stopped by the limits; predictions come back as
data (JSON and Parquet), never as pickles."""

from __future__ import annotations

import builtins
import os
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from audits.checks import ModelLoadError, load_model
from audits.checks.isolation import IsolationLimits


class _Writes:
    """Unpickling this writes the loading process's id to a file, sets a flag in that
    process, and yields a real estimator."""

    def __init__(self, marker: str, estimator):
        self.marker, self.estimator = marker, estimator

    def __reduce__(self):
        code = (
            f"(open({self.marker!r}, 'w').write(str(__import__('os').getpid())),"
            " setattr(__import__('builtins'), 'PWNED_BY_PICKLE', True),"
            f" __import__('pickle').loads({pickle.dumps(self.estimator)!r}))[-1]"
        )
        return (eval, (code,))


class _MemoryBomb:
    def __reduce__(self):
        return (bytearray, (64 * 1024**3,))


class _CpuBomb:
    def __reduce__(self):
        return (exec, ("while True:\n    pass",))


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    y = (X["a"] + X["b"] > 0).astype(int)
    return X, y


def test_unpickling_runs_only_in_the_child(tmp_path, frame):
    X, y = frame
    estimator = LogisticRegression().fit(X, y)
    marker = tmp_path / "who-unpickled"
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(_Writes(str(marker), estimator)))
    model = load_model(path, artefact_format="pickle", trusted=True)
    # The payload ran, in another process; this one is untouched.
    assert marker.exists() and int(marker.read_text()) != os.getpid()
    assert not hasattr(builtins, "PWNED_BY_PICKLE")
    np.testing.assert_array_equal(model.predict(X), estimator.predict(X))
    np.testing.assert_allclose(model.predict_proba(X), estimator.predict_proba(X)[:, 1])
    assert model.classes == [0, 1] and model.feature_names == ["a", "b"]


def test_the_child_sees_none_of_our_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://secret@db/prod")
    marker = tmp_path / "env"
    code = f"(open({str(marker)!r}, 'w').write(repr(dict(__import__('os').environ))), 1)[-1]"

    class _ReadsEnv:
        def __reduce__(self):
            return (eval, (code,))

    path = tmp_path / "env.pkl"
    path.write_bytes(pickle.dumps(_ReadsEnv()))
    with pytest.raises(ModelLoadError):
        load_model(path, artefact_format="pickle", trusted=True)  # an int cannot predict
    assert "secret" not in marker.read_text()


def test_a_memory_bomb_is_stopped_by_the_address_space_limit(tmp_path):
    path = tmp_path / "bomb.pkl"
    path.write_bytes(pickle.dumps(_MemoryBomb()))
    with pytest.raises(ModelLoadError) as refused:
        load_model(
            path,
            artefact_format="pickle",
            trusted=True,
            isolation=IsolationLimits(memory_bytes=1024**3, cpu_seconds=30),
        )
    assert "MemoryError" in refused.value.message or refused.value.code == "isolated_model_died"


def test_a_cpu_bomb_is_killed_by_the_cpu_limit(tmp_path):
    path = tmp_path / "spin.pkl"
    path.write_bytes(pickle.dumps(_CpuBomb()))
    with pytest.raises(ModelLoadError) as refused:
        load_model(
            path,
            artefact_format="pickle",
            trusted=True,
            isolation=IsolationLimits(cpu_seconds=2, call_timeout_seconds=60),
        )
    assert refused.value.code == "isolated_model_died"
    assert "killed by signal" in refused.value.message
