"""RACI that keeps four eyes: nobody is made accountable owner where that would let one
signature fill two required capacities, or make them a signer of their own work."""

from __future__ import annotations

import pytest
from django.test import Client

from governance.kernel.accounts.models import Role
from governance.policy.raci.models import Raci, Responsibility
from governance.review.evaluation import evaluate
from tests.factories import UserFactory
from tests.governance.conftest import CREDIT_SCORING, SPAM_FILTER, classify

pytestmark = pytest.mark.django_db


def test_an_officer_cannot_be_accountable_for_a_high_risk_system(api, users, system):
    classify(system, CREDIT_SCORING, users["compliance_officer"])
    officer = users["compliance_officer"]
    response = api(users["admin"]).post(
        "/api/v1/responsibilities/",
        {"user": officer.pk, "role": "accountable", "system": system.pk},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "four_eyes" and "both required approvals" in error["message"]
    assert not Responsibility.objects.filter(role=Raci.ACCOUNTABLE).exists()


def test_what_the_attack_bought_one_signature_fills_two_capacities(users, system, model_version):
    # Why the rule exists: the review layer counts each capacity an approver holds.
    classify(system, CREDIT_SCORING, users["compliance_officer"])
    officer = users["compliance_officer"]
    Responsibility.objects.create(
        user=officer, role=Raci.ACCOUNTABLE, system=system, assigned_by=users["admin"]
    )
    assert evaluate(model_version).capacities(officer) == [
        "compliance_officer",
        "accountable_owner",
    ]


def test_an_officer_may_own_a_system_whose_policy_wants_no_accountable_owner(api, users, system):
    classify(system, SPAM_FILTER, users["compliance_officer"])
    response = api(users["admin"]).post(
        "/api/v1/responsibilities/",
        {"user": users["compliance_officer"].pk, "role": "accountable", "system": system.pk},
        format="json",
    )
    assert response.status_code == 201


def test_the_builder_of_a_version_cannot_be_its_accountable_owner(
    api, users, system, model, model_version, team
):
    classify(system, CREDIT_SCORING, users["compliance_officer"])
    builder = model_version.created_by
    for target in ({"system": system.pk}, {"model": model.pk}):
        response = api(users["admin"]).post(
            "/api/v1/responsibilities/",
            {"user": builder.pk, "role": "accountable", **target},
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "four_eyes"
    bystander = UserFactory(role=Role.DATA_SCIENTIST, teams=[team], username="bystander")
    ok = api(users["admin"]).post(
        "/api/v1/responsibilities/",
        {"user": bystander.pk, "role": "accountable", "system": system.pk},
        format="json",
    )
    assert ok.status_code == 201


def test_the_raci_page_shows_the_reason(users, system):
    classify(system, CREDIT_SCORING, users["compliance_officer"])
    client = Client()
    client.force_login(users["admin"])
    response = client.post(
        "/responsibilities/",
        {
            "user": users["compliance_officer"].pk,
            "role": Raci.ACCOUNTABLE,
            "target": f"system:{system.pk}",
        },
    )
    assert response.status_code == 400
    assert "both required approvals" in response.content.decode()
