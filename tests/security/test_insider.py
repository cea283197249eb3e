"""An insider (a data scientist of the team) tries every path to get an unfair high-risk
version through the deployment gate.

Each attack is one that worked before runs were held to the policy: the requester's
thresholds were merged over the policy's, any dataset of the team counted, and the latest
succeeded run of a kind was the evidence. Each test shows the attack's run would pass (so
the old gate would have counted it), and that now it is refused or not counted, and the gate
stays closed with a reason that names why.
"""

from __future__ import annotations

import numpy as np
import pytest

from audits.runs.models.checks import CheckRun
from governance.policy.classification.models import RiskClassification
from governance.review.evaluation import gate
from registry.services.lineage import lineage_edge_add
from tests.audits import conftest as audit_fixtures
from tests.audits.conftest import register_frame

pytestmark = pytest.mark.django_db

# The audits fixtures: real German Credit data, its held-out copy linked as tested_on.
german_frame = audit_fixtures.german_frame
holdout = audit_fixtures.holdout
labelled = audit_fixtures.labelled
request_check = audit_fixtures.request_check

LOOSE = {
    "demographic_parity_difference": 1.0,
    "disparate_impact_ratio": 0.0,
    "equal_opportunity_difference": 1.0,
    "equalized_odds_difference": 1.0,
}


@pytest.fixture
def unfair(officer, scientist, holdout, model_version, api, request_check):
    """A high-risk version whose honest fairness run on its own test data fails."""
    RiskClassification.objects.create(
        system=model_version.model.system,
        tier="high_risk",
        classified_by=officer,
        rationale=[],
        answers={},
    )
    response = request_check(
        api(scientist), model_version.pk, kind="fairness", dataset_version=holdout.pk
    )
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert run.status == "succeeded" and run.passed is False and run.counts_as_evidence
    return model_version


def _fairness_reason(mv) -> dict[str, str]:
    verdict = gate(mv, environment="prod")
    assert verdict["allowed"] is False
    (reason,) = [r for r in verdict["reasons"] if r["code"].endswith(":fairness")]
    return reason


def _post(api, user, mv, capture, **body):
    with capture(execute=True):
        return api(user).post(f"/api/v1/model-versions/{mv.pk}/checks/", body, format="json")


def test_loosened_thresholds_are_refused(
    api, scientist, unfair, holdout, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    # The same request made exploratory shows what it did before: it passes.
    probe = _post(
        api,
        scientist,
        unfair,
        capture,
        kind="fairness",
        dataset_version=holdout.pk,
        thresholds=LOOSE,
        exploratory=True,
    )
    assert CheckRun.objects.get(pk=probe.json()["id"]).passed is True
    response = _post(
        api,
        scientist,
        unfair,
        capture,
        kind="fairness",
        dataset_version=holdout.pk,
        thresholds=LOOSE,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "looser_than_policy"
    assert error["metric"] in LOOSE and error["requested_value"] == LOOSE[error["metric"]]
    reason = _fairness_reason(unfair)
    assert reason["code"] == "check_failed:fairness"
    assert "did not pass" in reason["message"] and "holdout" in reason["message"]


def test_an_exploratory_run_is_stored_but_never_evidence(
    api, scientist, unfair, holdout, django_capture_on_commit_callbacks
):
    response = _post(
        api,
        scientist,
        unfair,
        django_capture_on_commit_callbacks,
        kind="fairness",
        dataset_version=holdout.pk,
        thresholds=LOOSE,
        exploratory=True,
    )
    assert response.status_code == 202
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert run.passed is True  # the newest passing run: what the old gate counted
    assert run.exploratory and run.counts_as_evidence is False
    assert "Exploratory" in run.evidence_note and "looser than" in run.evidence_note
    body = api(scientist).get(f"/api/v1/checks/{run.pk}/").json()
    assert body["exploratory"] is True and body["counts_as_evidence"] is False
    reason = _fairness_reason(unfair)
    assert reason["code"] == "check_failed:fairness"


def test_a_run_on_data_not_linked_in_lineage_is_not_evidence(
    api, scientist, unfair, dataset, german_frame, django_capture_on_commit_callbacks
):
    # Decisions that treat everyone alike: a perfectly "fair" file, not the version's data.
    frame = german_frame[["risk", "sex", "age"]].copy()
    frame["decision"] = np.ones(len(frame), dtype=int)
    fair = register_frame(
        scientist,
        dataset,
        "looks-fair",
        frame,
        roles={"risk": "target", "decision": "prediction"},
        sensitive=["sex", "age"],
    )
    response = _post(
        api,
        scientist,
        unfair,
        django_capture_on_commit_callbacks,
        kind="fairness",
        dataset_version=fair.pk,
    )
    assert response.status_code == 202
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert run.passed is True and run.counts_as_evidence is False
    assert "not linked to this version in lineage" in run.evidence_note
    reason = _fairness_reason(unfair)
    assert reason["code"] == "check_failed:fairness"


def test_the_training_data_is_not_evidence(
    api, scientist, unfair, labelled, django_capture_on_commit_callbacks
):
    response = _post(
        api,
        scientist,
        unfair,
        django_capture_on_commit_callbacks,
        kind="fairness",
        dataset_version=labelled.pk,
        exploratory=False,
    )
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert run.counts_as_evidence is False
    assert "linked only as trained_on" in run.evidence_note
    assert _fairness_reason(unfair)["code"] == "check_failed:fairness"


def _passing_probe(api, scientist, mv, holdout, capture, **body):
    probe = _post(
        api,
        scientist,
        mv,
        capture,
        kind="fairness",
        dataset_version=holdout.pk,
        exploratory=True,
        **body,
    )
    return CheckRun.objects.get(pk=probe.json()["id"])


def test_fewer_sensitive_columns_are_refused(
    api, scientist, unfair, holdout, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    worst = _worst_attribute(unfair)
    kept = [c for c in ("sex", "age") if c != worst]
    probe = _passing_probe(
        api,
        scientist,
        unfair,
        holdout,
        capture,
        sensitive_columns=kept,
        parameters={"intersections": False},
    )
    assert probe.passed is True, probe.result
    response = _post(
        api,
        scientist,
        unfair,
        capture,
        kind="fairness",
        dataset_version=holdout.pk,
        sensitive_columns=kept,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "sensitive_columns_removed"
    assert response.json()["error"]["missing"] == [worst]
    assert _fairness_reason(unfair)["code"] == "check_failed:fairness"


def test_a_changed_min_group_size_is_refused(
    api, scientist, unfair, holdout, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    for size in (1, 10_000):
        response = _post(
            api,
            scientist,
            unfair,
            capture,
            kind="fairness",
            dataset_version=holdout.pk,
            parameters={"min_group_size": size},
        )
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "looser_than_policy" and error["metric"] == "min_group_size"
        assert error["policy_value"] == 30 and error["requested_value"] == size
    assert _fairness_reason(unfair)["code"] == "check_failed:fairness"


def test_linking_fair_looking_data_is_visible(
    api, scientist, unfair, dataset, german_frame, django_capture_on_commit_callbacks
):
    """The remaining path, a claimed ``tested_on`` link to other data, is not silent: the
    gate's reason and the report name the run and its data, and the link is audited."""
    frame = german_frame[["risk", "sex", "age"]].copy()
    frame["decision"] = 1
    fair = register_frame(
        scientist,
        dataset,
        "claimed-test",
        frame,
        roles={"risk": "target", "decision": "prediction"},
        sensitive=["sex", "age"],
    )
    lineage_edge_add(actor=scientist, kind="tested_on", upstream=fair, downstream=unfair)
    response = _post(
        api,
        scientist,
        unfair,
        django_capture_on_commit_callbacks,
        kind="fairness",
        dataset_version=fair.pk,
    )
    run = CheckRun.objects.get(pk=response.json()["id"])
    verdict = gate(unfair, environment="prod")
    fairness = [r for r in verdict["reasons"] if r["code"].endswith(":fairness")]
    assert fairness == []  # the claim is honoured, and it says on which data:
    assert run.evidence_note.endswith("German Credit claimed-test (tested_on).")


def _worst_attribute(mv) -> str:
    run = CheckRun.objects.filter(model_version=mv, counts_as_evidence=True).get()
    gaps = {
        name: section["metrics"]["demographic_parity_difference"]["value"]
        for name, section in run.result["features"].items()
        if name in ("sex", "age")
    }
    return max(gaps, key=gaps.get)
