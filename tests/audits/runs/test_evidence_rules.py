"""A run counts as evidence only at the policy's strength or stricter, on the version's own
evaluation data; a looser request is a 400 that names the metric and both values."""

from __future__ import annotations

import pytest

from audits.checks.vocabulary import (
    DEFAULT_THRESHOLDS,
    MAX,
    MIN,
    PARAMETER_RULES,
    looser,
    threshold_direction,
)
from audits.runs.models.checks import CheckRun
from audits.runs.services.rules import PARAMETERS
from governance.policy.classification.models import RiskClassification
from governance.policy.policies.models import Policy
from governance.review.evaluation import evaluate
from registry.services.lineage import lineage_edge_add
from tests.audits.conftest import register_frame

pytestmark = pytest.mark.django_db


def test_every_threshold_and_parameter_has_a_direction():
    for kind, values in DEFAULT_THRESHOLDS.items():
        for key in values:
            assert threshold_direction(kind, key) in (MAX, MIN), (kind, key)
    for kind, names in PARAMETERS.items():
        assert set(names) <= set(PARAMETER_RULES.get(kind, {})), kind
    assert threshold_direction("performance", "min_recall") == MIN
    assert threshold_direction("performance", "max_log_loss") == MAX


@pytest.mark.parametrize(
    ("kind", "key", "policy", "requested", "is_looser"),
    [
        ("fairness", "demographic_parity_difference", 0.1, 1.0, True),
        ("fairness", "demographic_parity_difference", 0.1, 0.05, False),
        ("fairness", "demographic_parity_difference", 0.1, None, True),
        ("fairness", "disparate_impact_ratio", 0.8, 0.5, True),
        ("fairness", "disparate_impact_ratio", 0.8, 0.9, False),
        ("fairness", "predictive_parity_difference", None, 0.2, False),
        ("data_quality", "min_group_count", 30, 5, True),
        ("data_quality", "iqr_multiplier", 1.5, 10.0, True),
        ("drift", "p_value", 0.01, 0.001, True),
        ("drift", "psi", 0.2, 0.1, False),
        ("explainability", "additivity_tolerance", None, 1.0, True),
        ("explainability", "additivity_tolerance", None, None, False),
    ],
)
def test_looser_knows_each_direction(kind, key, policy, requested, is_looser):
    assert looser(kind, key, policy, requested) is is_looser


@pytest.fixture
def high_risk(officer, model_version):
    return RiskClassification.objects.create(
        system=model_version.model.system,
        tier="high_risk",
        classified_by=officer,
        rationale=[],
        answers={},
    )


def _post(api, user, mv, **body):
    return api(user).post(f"/api/v1/model-versions/{mv.pk}/checks/", body, format="json")


def test_a_looser_threshold_is_refused_naming_metric_and_values(
    api, scientist, high_risk, holdout, model_version
):
    response = _post(
        api,
        scientist,
        model_version,
        kind="fairness",
        dataset_version=holdout.pk,
        thresholds={"demographic_parity_difference": 1.0},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "looser_than_policy"
    assert error["metric"] == "demographic_parity_difference"
    assert error["policy_value"] == 0.1 and error["requested_value"] == 1.0
    assert "demographic_parity_difference 1.0" in error["message"]
    assert "policy:high_risk:v" in error["message"] and "0.1" in error["message"]
    assert not CheckRun.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"thresholds": {"demographic_parity_difference": None}},
        {"thresholds": {"disparate_impact_ratio": 0.0}},
        {"parameters": {"min_group_size": 5}},
        {"parameters": {"min_group_size": 500}},
        {"parameters": {"intersections": False}},
        {"parameters": {"pos_label": 0}},
        {"sensitive_columns": ["sex"]},
    ],
)
def test_every_way_to_judge_less_is_a_400(api, scientist, high_risk, holdout, model_version, body):
    response = _post(
        api, scientist, model_version, kind="fairness", dataset_version=holdout.pk, **body
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] in ("looser_than_policy", "sensitive_columns_removed")


def test_stricter_rules_on_test_data_are_evidence(
    api, scientist, high_risk, holdout, model_version, request_check
):
    response = request_check(
        api(scientist),
        model_version.pk,
        kind="fairness",
        dataset_version=holdout.pk,
        thresholds={"demographic_parity_difference": 0.05, "disparate_impact_ratio": 0.9},
        sensitive_columns=["sex", "age", "job"],
    )
    assert response.status_code == 202, response.content
    assert response.json()["counts_as_evidence"] is True
    body = api(scientist).get(response.json()["url"]).json()
    assert body["counts_as_evidence"] is True and body["evidence_relation"] == "tested_on"
    assert "holdout (tested_on)" in body["evidence_note"]
    assert body["exploratory"] is False


def test_training_data_is_not_evidence_unless_the_policy_says_so(
    api, scientist, admin_user, high_risk, labelled, model_version, request_check
):
    response = request_check(
        api(scientist), model_version.pk, kind="fairness", dataset_version=labelled.pk
    )
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert run.counts_as_evidence is False
    assert "linked only as trained_on" in run.evidence_note
    reasons = {r.code: r.reason for r in evaluate(model_version).unmet()}
    assert "check_missing:fairness" in reasons
    assert f"run {run.pk}" in reasons["check_missing:fairness"]

    policy = Policy.objects.get(tier="high_risk")
    policy.evidence_datasets = ["tested_on", "validated_on", "trained_on"]
    policy.save()
    met = {r.code for r in evaluate(model_version).requirements}
    # Counted now (it ran on the training data, which the policy accepts): met or failed.
    assert met & {"check:fairness", "check_failed:fairness"}


def test_a_tightened_policy_withdraws_the_evidence_of_older_runs(
    api, scientist, high_risk, holdout, model_version, request_check
):
    request_check(api(scientist), model_version.pk, kind="fairness", dataset_version=holdout.pk)
    run = CheckRun.objects.get()
    assert run.counts_as_evidence is True
    assert {r.code for r in evaluate(model_version).requirements} & {
        "check:fairness",
        "check_failed:fairness",
    }
    policy = Policy.objects.get(tier="high_risk")
    policy.thresholds = {"fairness": {"demographic_parity_difference_max": 0.01}}
    policy.version += 1
    policy.save()
    reasons = {r.code: r.reason for r in evaluate(model_version).unmet()}
    assert "check_missing:fairness" in reasons
    assert "more leniently than the policy now requires" in reasons["check_missing:fairness"]


def test_policy_protected_attributes_cannot_be_unflagged_away(
    api, scientist, high_risk, dataset, german_frame, model_version, request_check
):
    """Unflagging ``sex`` on the data does not drop it when the policy protects it."""

    dv = register_frame(
        scientist, dataset, "test-unflagged", german_frame, roles={"risk": "target"}, sensitive=[]
    )
    lineage_edge_add(actor=scientist, kind="tested_on", upstream=dv, downstream=model_version)
    policy = Policy.objects.get(tier="high_risk")
    policy.protected_attributes = ["sex", "age"]
    policy.save()
    response = request_check(
        api(scientist), model_version.pk, kind="fairness", dataset_version=dv.pk
    )
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert sorted(run.sensitive_columns) == ["age", "sex"]
    refused = _post(
        api,
        scientist,
        model_version,
        kind="fairness",
        dataset_version=dv.pk,
        sensitive_columns=["sex"],
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["missing"] == ["age"]


def test_the_api_never_500s_on_odd_rules(api, scientist, high_risk, holdout, model_version):
    for body in (
        {"thresholds": {"demographic_parity_difference": "x"}},
        {"thresholds": {"demographic_parity_difference": True}},
        {"thresholds": ["a"]},
        {"parameters": {"min_group_size": None}},
        {"exploratory": "maybe"},
        {"sensitive_columns": "sex"},
    ):
        response = _post(
            api, scientist, model_version, kind="fairness", dataset_version=holdout.pk, **body
        )
        assert response.status_code == 400, (body, response.content)
