"""Deployments behind the gate, rollbacks, and which version ran in production at time T."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

from governance.policy.deployments.models import Deployment
from governance.review.approvals.services import model_version_submit, review_decide
from registry.services.versions import model_version_register
from tests.factories import PASSWORD
from tests.governance.conftest import SPAM_FILTER, classify, satisfy_required_checks
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db


def approve_minimal(mv, scientist, officer):
    model_version_submit(actor=scientist, model_version=mv)
    review_decide(actor=officer, model_version=mv, decision="approve", password=PASSWORD)
    mv.refresh_from_db()
    assert mv.status == "approved"


@pytest.fixture
def minimal(admin_user, officer, system, model_version):
    classify(system, SPAM_FILTER, officer)
    satisfy_required_checks(model_version, "minimal", admin_user)
    return model_version


def deploy(api, user, mv, env="prod", action="deploy"):
    return api(user).post(
        f"/api/v1/model-versions/{mv.pk}/deployments/",
        {"environment": env, "action": action},
        format="json",
    )


def test_prod_needs_a_valid_approval(api, minimal, scientist, officer):
    refused = deploy(api, scientist, minimal)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "gate_closed"
    assert "not_submitted" in {r["code"] for r in error["reasons"]}
    approve_minimal(minimal, scientist, officer)
    ok = deploy(api, scientist, minimal)
    assert ok.status_code == 201, ok.content
    assert ok.json()["approval"] is not None
    minimal.refresh_from_db()
    assert minimal.status == "deployed"
    assert deploy(api, scientist, minimal).json()["error"]["code"] == "already_running"


def test_dev_accepts_a_draft(api, minimal, scientist):
    response = deploy(api, scientist, minimal, env="dev")
    assert response.status_code == 201
    minimal.refresh_from_db()
    assert minimal.status == "draft"


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 403), ("compliance_officer", 403), ("auditor", 403), ("outsider", 404)],
)
def test_refused_roles(api, users, minimal, who, status):
    assert deploy(api, users[who], minimal, env="dev").status_code == status
    assert not Deployment.objects.exists()


@pytest.mark.parametrize(
    "body", [{"environment": "staging"}, {}, {"environment": "dev", "action": "teleport"}]
)
def test_bad_input(api, minimal, scientist, body):
    response = api(scientist).post(
        f"/api/v1/model-versions/{minimal.pk}/deployments/", body, format="json"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


def test_rollback_needs_a_previous_deployment(api, minimal, scientist):
    response = deploy(api, scientist, minimal, env="dev", action="rollback")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "never_deployed"


def test_which_version_was_in_production_at_time_t(
    api, admin_user, minimal, scientist, officer, model, xgb_json_bytes, auditor, outsider
):
    v1 = minimal
    approve_minimal(v1, scientist, officer)
    v2 = model_version_register(
        actor=scientist,
        model=model,
        version="1.1.0",
        artefact=upload("model.json", xgb_json_bytes + b" "),
    )
    satisfy_required_checks(v2, "minimal", admin_user)
    approve_minimal(v2, scientist, officer)
    first = deploy(api, scientist, v1).json()
    second = deploy(api, scientist, v2).json()
    back = deploy(api, scientist, v1, action="rollback").json()
    assert back["replaces"] == v2.pk and back["action"] == "rollback"
    # Spread the rows in time so the question has crisp answers.
    base = Deployment.objects.get(pk=first["id"]).deployed_at - timedelta(days=10)
    for i, row_id in enumerate((first["id"], second["id"], back["id"])):
        Deployment.objects.filter(pk=row_id).update(deployed_at=base + timedelta(days=i * 2))

    def at(moment):
        url = (
            f"/api/v1/deployments/?model={model.pk}&environment=prod&at={quote(moment.isoformat())}"
        )
        response = api(auditor).get(url)
        assert response.status_code == 200, response.content
        return [r["model_version"] for r in response.json()["results"]]

    assert at(base - timedelta(hours=1)) == []
    assert at(base + timedelta(hours=1)) == [v1.pk]
    assert at(base + timedelta(days=3)) == [v2.pk]
    assert at(base + timedelta(days=5)) == [v1.pk]
    v2.refresh_from_db()
    assert v2.status == "approved"
    hidden = api(outsider).get(f"/api/v1/deployments/?model={model.pk}&environment=prod")
    assert hidden.json()["count"] == 0
    mine = api(scientist).get(f"/api/v1/model-versions/{v1.pk}/deployments/")
    assert mine.json()["count"] == 2
    assert api(outsider).get(f"/api/v1/model-versions/{v1.pk}/deployments/").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "at=yesterday&model=1&environment=prod",
        "at=2025-01-01T00:00Z",
        "environment=space",
        "model=abc",
    ],
)
def test_deployment_query_bad_input(api, auditor, query):
    response = api(auditor).get(f"/api/v1/deployments/?{query}")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("who", ["admin", "compliance_officer", "data_scientist", "auditor"])
def test_gate_for_every_reader(api, users, minimal, who):
    response = api(users[who]).get(f"/api/v1/model-versions/{minimal.pk}/gate/?environment=prod")
    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is False and body["environment"] == "prod" and body["tier"] == "minimal"
    assert all(set(r) == {"code", "message"} for r in body["reasons"])


def test_gate_hidden_and_bad_environment(api, outsider, scientist, minimal):
    assert api(outsider).get(f"/api/v1/model-versions/{minimal.pk}/gate/").status_code == 404
    bad = api(scientist).get(f"/api/v1/model-versions/{minimal.pk}/gate/?environment=moon")
    assert bad.status_code == 400
    dev = api(scientist).get(f"/api/v1/model-versions/{minimal.pk}/gate/?environment=dev")
    assert dev.json()["allowed"] is True
