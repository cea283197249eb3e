"""``aigov mlflow import`` against a live server importing from a real MLflow server."""

from __future__ import annotations

import json

import pytest

from registry.models import ModelVersion
from tests.client.conftest import PASSWORDS
from tests.registry.mlflow_server import COMMIT

pytestmark = pytest.mark.django_db(transaction=True)


def test_aigov_mlflow_import_is_idempotent(settings, mlflow, server, login, cli):
    settings.MLFLOW_TRACKING_URI = mlflow["url"]
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    client = login("scientist")
    model = client.ensure_model(client.ensure_system("Scoring"), "gbm")
    assert cli("login", "--password", PASSWORDS["scientist"], input=f"{server}\nscientist\n")
    first = cli("mlflow", "import", str(model.id), "gbm", "1", "--wait", "60")
    assert first.returncode == 0, first.stderr
    assert "verified xgboost_json" in first.stdout
    again = cli("mlflow", "import", str(model.id), "gbm", "1", "--json")
    assert again.returncode == 0, again.stderr
    body = json.loads(again.stdout)
    assert body["artefact"]["verification"] == "verified"
    assert ModelVersion.objects.count() == 1
    mv = ModelVersion.objects.get()
    assert mv.code_commit == COMMIT
    missing = cli("mlflow", "import", str(model.id), "gbm", "42")
    assert missing.returncode == 2 and "mlflow_not_found" in missing.stderr
    follow = cli("mlflow", "follow", str(model.id), "gbm")
    assert follow.returncode == 0, follow.stderr
    assert "follows MLflow model 'gbm'" in follow.stdout
