"""POST/GET model-versions/{id}/checks/ and GET checks/{id}/: roles, teams and bad input."""

from __future__ import annotations

import pytest

from audits.runs.models.checks import CheckRun
from governance.kernel.audit.models import AuditEvent
from governance.policy.classification.models import RiskClassification
from governance.policy.policies.models import Policy
from registry.services.datasets import dataset_create
from tests.audits.conftest import register_frame

pytestmark = pytest.mark.django_db


def url(mv) -> str:
    return f"/api/v1/model-versions/{mv.pk}/checks/"


@pytest.fixture
def foreign_dv(outsider, other_team, german_frame):

    dataset = dataset_create(actor=outsider, team=other_team, name="Elsewhere")
    return register_frame(
        outsider, dataset, "1", german_frame.head(200), roles={"risk": "target"}, sensitive=["sex"]
    )


def test_scientist_and_officer_run_readers_read(api, users, labelled, model_version, request_check):
    for role in ("data_scientist", "compliance_officer", "admin"):
        response = request_check(
            api(users[role]), model_version.pk, kind="data_quality", dataset_version=labelled.pk
        )
        assert response.status_code == 202, (role, response.content)
        assert response.json()["url"] == f"/api/v1/checks/{response.json()['id']}/"
    run = CheckRun.objects.filter(kind="data_quality").first()
    assert run.status == "succeeded" and run.result_sha256
    assert run.column_roles["risk"] == "target"
    assert run.thresholds["max_missing_fraction"] == 0.05
    assert run.thresholds_source == "defaults"
    assert AuditEvent.objects.filter(action="check_run.requested", target_id=str(run.pk)).exists()
    for role in ("data_scientist", "compliance_officer", "auditor", "admin"):
        listed = api(users[role]).get(url(model_version))
        assert listed.status_code == 200
        assert listed.json()["count"] == 3
        detail = api(users[role]).get(f"/api/v1/checks/{run.pk}/")
        assert detail.status_code == 200
        assert detail.json()["result"]["n_rows"] == 1000
    filtered = api(users["auditor"]).get(url(model_version), {"kind": "fairness"})
    assert filtered.json()["count"] == 0


def test_auditor_may_not_run_and_outsider_sees_nothing(
    api, users, labelled, model_version, request_check
):
    body = {"kind": "data_quality", "dataset_version": labelled.pk}
    refused = request_check(api(users["auditor"]), model_version.pk, **body)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    hidden = request_check(api(users["outsider"]), model_version.pk, **body)
    assert hidden.status_code == 404
    assert api(users["outsider"]).get(url(model_version)).status_code == 404
    assert api(None).get(url(model_version)).status_code in (401, 403)
    run = request_check(api(users["data_scientist"]), model_version.pk, **body).json()
    assert api(users["outsider"]).get(f"/api/v1/checks/{run['id']}/").status_code == 404
    assert CheckRun.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"kind": "bias"}, "unknown_kind"),
        ({"kind": "operational"}, "unknown_kind"),
        ({"kind": "fairness", "thresholds": {"made_up": 1}}, "unknown_threshold"),
        ({"kind": "fairness", "thresholds": {"demographic_parity_difference": "x"}}, None),
        ({"kind": "fairness", "parameters": {"min_group_size": -3}}, "invalid_parameter"),
        ({"kind": "fairness", "parameters": {"nope": 1}}, "unknown_parameter"),
        ({"kind": "fairness", "sensitive_columns": ["religion"]}, "unknown_columns"),
        ({"kind": "drift"}, "reference_required"),
        ({"kind": "fairness", "dataset_version": 999999}, "unknown_dataset_version"),
        ({"kind": "fairness", "dataset_version": "one"}, "invalid"),
    ],
)
def test_bad_input_is_400_with_a_reason(api, scientist, labelled, model_version, body, code):
    payload = {"dataset_version": labelled.pk, **body}
    response = api(scientist).post(url(model_version), payload)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["message"]
    if code:
        assert error["code"] == code
    assert CheckRun.objects.count() == 0


def test_missing_target_is_refused(api, scientist, dataset_version, model_version):
    response = api(scientist).post(
        url(model_version), {"kind": "performance", "dataset_version": dataset_version.pk}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "missing_target"


def test_dataset_of_another_team_is_refused(api, users, model_version, foreign_dv):
    body = {"kind": "data_quality", "dataset_version": foreign_dv.pk}
    as_officer = api(users["compliance_officer"]).post(url(model_version), body)
    assert as_officer.status_code == 400
    assert as_officer.json()["error"]["code"] == "dataset_other_team"
    # The scientist cannot even see it: same answer as a dataset that does not exist.
    as_scientist = api(users["data_scientist"]).post(url(model_version), body)
    assert as_scientist.status_code == 400
    assert as_scientist.json()["error"]["code"] == "unknown_dataset_version"
    drift = api(users["compliance_officer"]).post(
        url(model_version),
        {"kind": "drift", "dataset_version": foreign_dv.pk, "reference_dataset_version": 1},
    )
    assert drift.status_code == 400


def test_thresholds_come_from_the_policy_of_the_tier(
    api, scientist, officer, labelled, model_version, request_check
):

    policy = Policy.objects.get(tier="high_risk")
    policy.thresholds = {
        "fairness": {"demographic_parity_difference_max": 0.05, "min_group_size": 50}
    }
    policy.save()
    RiskClassification.objects.create(
        system=model_version.model.system,
        tier="high_risk",
        classified_by=officer,
        rationale=[],
        answers={},
    )
    response = request_check(
        api(scientist),
        model_version.pk,
        kind="fairness",
        dataset_version=labelled.pk,
        thresholds={"equal_opportunity_difference": 0.05},
    )
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert run.thresholds["demographic_parity_difference"] == 0.05
    assert run.thresholds["equal_opportunity_difference"] == 0.05
    assert run.thresholds["disparate_impact_ratio"] == 0.8
    assert run.parameters["min_group_size"] == 50
    assert run.thresholds_source == f"policy:high_risk:v{policy.version}+request"
    assert run.result["min_group_size"] == 50
    assert run.result["thresholds"]["demographic_parity_difference"] == 0.05
