"""What the client does without a server: safe serialisation, the config file, provenance."""

from __future__ import annotations

import io
import pickle
import stat
import subprocess
import zipfile

import lightgbm as lgb
import numpy as np
import pytest
import skops.io as sio
import xgboost as xgb
from aigov_client import config, serialize_model
from aigov_client.provenance import environment_lock, git_commit
from skl2onnx import to_onnx
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .conftest import ROOT


@pytest.fixture(scope="module")
def xy():
    rng = np.random.RandomState(0)
    x = rng.rand(80, 3)
    return x, (x[:, 0] + x[:, 1] > 1).astype(int)


def test_sklearn_goes_through_skops_and_loads_back(xy):
    x, y = xy
    clf = RandomForestClassifier(n_estimators=3, random_state=0).fit(x, y)
    out = serialize_model(clf)
    assert out.format == "skops" and out.filename.endswith(".skops")
    assert out.content.startswith(b"PK\x03\x04")
    back = sio.loads(out.content, trusted=sio.get_untrusted_types(data=out.content))
    assert (back.predict_proba(x) == clf.predict_proba(x)).all()


def test_skops_bytes_depend_only_on_the_model(xy):
    """skops names entries after id() and stamps the time; the client makes them stable, or
    a training script run twice could never be recognised as the same version."""
    x, y = xy
    # Two objects fitted alike: equal values at different addresses.
    first, second = (make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y) for _ in "ab")
    assert serialize_model(first).content == serialize_model(second).content


def test_xgboost_lightgbm_and_onnx_use_their_native_formats(xy):
    x, y = xy
    xgb_model = xgb.XGBClassifier(n_estimators=3, max_depth=2).fit(x, y)
    wrapped = serialize_model(xgb_model)
    assert wrapped.format == "xgboost_json" and wrapped.content.startswith(b'{"learner"')
    assert b"scikit_learn" in wrapped.content  # the wrapper's attributes survive
    booster = serialize_model(xgb_model.get_booster())
    assert booster.format == "xgboost_json" and booster.content.startswith(b'{"learner"')

    lgb_model = lgb.LGBMClassifier(n_estimators=3, verbose=-1).fit(x, y)
    for obj in (lgb_model, lgb_model.booster_):
        out = serialize_model(obj)
        assert out.format == "lightgbm_text" and out.content.startswith(b"tree\nversion=v")

    proto = to_onnx(LogisticRegression().fit(x, y), x[:1].astype(np.float32))
    out = serialize_model(proto)
    assert out.format == "onnx" and out.content == proto.SerializeToString()


class Homemade:
    def predict(self, x):
        return x


@pytest.mark.parametrize("obj", [Homemade(), {"weights": [1, 2]}, b"bytes", lambda x: x])
def test_anything_else_is_refused_and_never_pickled(obj, monkeypatch):
    def no_pickle(*args, **kwargs):
        raise AssertionError("pickle must never be used")

    monkeypatch.setattr(pickle, "dumps", no_pickle)
    monkeypatch.setattr(pickle, "dump", no_pickle)
    with pytest.raises(TypeError, match="Pickle is never used"):
        serialize_model(obj)


def test_skops_archive_is_canonical(xy):
    x, y = xy
    out = serialize_model(LogisticRegression().fit(x, y))
    with zipfile.ZipFile(io.BytesIO(out.content)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert all(len(n.split(".")[0]) < 6 for n in z.namelist() if n.endswith(".npy"))


def test_config_file_is_private_and_resolution_order(tmp_path, monkeypatch):
    path = tmp_path / "cfg" / "config.toml"
    monkeypatch.setenv("AIGOV_CONFIG", str(path))
    monkeypatch.delenv("AIGOV_URL", raising=False)
    monkeypatch.delenv("AIGOV_TOKEN", raising=False)
    config.save_file(
        config.Settings(url="http://a", token='gov_x_"quoted"', token_id=3, username="ana")
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config.resolve() == config.Settings("http://a", 'gov_x_"quoted"', 3, "ana")
    monkeypatch.setenv("AIGOV_TOKEN", "gov_env_token")
    monkeypatch.setenv("AIGOV_URL", "http://b")
    assert config.resolve() == config.Settings("http://b", "gov_env_token", None, None)
    assert config.resolve("http://c", "gov_arg_t").token == "gov_arg_t"
    path.chmod(0o644)
    config.forget_token()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config.load_file() == config.Settings(url="http://a")


def test_provenance(tmp_path):
    commit = git_commit(ROOT)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    assert commit == head
    assert git_commit(tmp_path) == ""
    names = [line.split("==")[0].lower() for line in environment_lock().splitlines()]
    assert "requests" in names and names == sorted(names)
