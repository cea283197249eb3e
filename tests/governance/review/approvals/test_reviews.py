"""Submission, signed decisions, separation of duties and the high-risk journey end to end."""

from __future__ import annotations

import hashlib

import pytest

from governance.kernel.accounts.models import Role
from governance.kernel.audit.models import AuditEvent
from governance.kernel.audit.services import canonical_json
from governance.policy.policies.models import Policy
from governance.policy.raci.models import Responsibility
from governance.policy.raci.services import responsibility_assign
from governance.review.approvals.models import Decision, Review
from registry.models import PIIStatus
from tests.factories import PASSWORD, UserFactory
from tests.governance.conftest import (
    CREDIT_SCORING,
    SOCIAL_SCORING,
    SPAM_FILTER,
    classify,
    satisfy_required_checks,
)

pytestmark = pytest.mark.django_db


def submit(api, user, mv):
    return api(user).post(f"/api/v1/model-versions/{mv.pk}/submit/")


def decide(api, user, mv, decision="approve", password=PASSWORD, comment="ok"):
    body = {"decision": decision, "comment": comment, "password": password}
    return api(user).post(f"/api/v1/model-versions/{mv.pk}/decisions/", body, format="json")


def gate(api, user, mv, env="prod"):
    return api(user).get(f"/api/v1/model-versions/{mv.pk}/gate/?environment={env}").json()


def test_high_risk_journey(api, high_risk_version, scientist, officer, owner, pii_flag):
    mv = high_risk_version
    before = gate(api, scientist, mv)
    assert before["allowed"] is False
    assert {r["code"] for r in before["reasons"]} >= {"not_submitted"}

    assert submit(api, scientist, mv).status_code == 201
    mv.refresh_from_db()
    assert mv.status == "in_review" and mv.submitted_by == scientist

    refused = decide(api, scientist, mv)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] in {"not_a_reviewer", "separation_of_duties"}

    first = decide(api, officer, mv)
    assert first.status_code == 201, first.content
    mv.refresh_from_db()
    assert mv.status == "in_review"
    still = gate(api, scientist, mv)
    assert not still["allowed"]
    codes = {r["code"] for r in still["reasons"]}
    assert {"approvals", "approval_by:accountable_owner"} <= codes

    second = decide(api, owner, mv)
    assert second.status_code == 201, second.content
    assert second.json()["capacities"] == ["accountable_owner"]
    mv.refresh_from_db()
    assert mv.status == "approved"
    after = gate(api, scientist, mv)
    assert after == {**after, "allowed": True, "reasons": []}

    # Personal data confirmed upstream after the approval: the approval no longer holds.
    response = api(officer).patch(
        f"/api/v1/dataset-versions/{pii_flag.column.dataset_version_id}/columns/sex/",
        {"pii_status": PIIStatus.CONFIRMED, "comment": "it is personal data after all"},
        format="json",
    )
    assert response.status_code == 200, response.content
    pii_flag.refresh_from_db()
    assert pii_flag.status == "confirmed"
    mv.refresh_from_db()
    assert mv.status == "in_review"
    final = gate(api, scientist, mv)
    assert not final["allowed"]
    invalidated = [r for r in final["reasons"] if r["code"] == "approval_invalidated"]
    assert (
        invalidated
        and "personal data (sex) confirmed in column 'sex'" in (invalidated[0]["message"])
    )
    assert AuditEvent.objects.filter(action="approval.invalidated", target_id=str(mv.pk)).exists()


def test_approval_binds_evidence_and_a_verifiable_signature(
    api, high_risk_version, scientist, officer
):
    mv = high_risk_version
    submit(api, scientist, mv)
    body = decide(api, officer, mv, comment="fine").json()
    row = Decision.objects.get(pk=body["id"])
    evidence = row.evidence
    assert evidence["artefact_sha256"] == mv.artefact.sha256
    assert evidence["datasets"] == [
        {"dataset_version": d.pk, "sha256": d.blob.sha256}
        for d in sorted(
            (e.upstream_dataset_version for e in mv.upstream_edges.all()), key=lambda d: d.pk
        )
    ]
    # The checks it rests on ran on the version's own test data (tested_on), not the
    # training data.
    tested = mv.upstream_edges.get(kind="tested_on").upstream_dataset_version_id
    assert {c["dataset_version"] for c in evidence["check_runs"]} == {tested}
    assert {c["relation"] for c in evidence["check_runs"]} == {"tested_on"}
    assert evidence["classification_id"] == mv.model.system.classifications.latest().pk
    assert evidence["policy"] == {
        "tier": "high_risk",
        "version": Policy.objects.get(tier="high_risk").version,
    }
    material = {
        "evidence": evidence,
        "reviewer": {"id": officer.pk, "username": officer.username, "role": officer.role},
        "capacities": ["compliance_officer"],
        "decided_at": row.decided_at.isoformat(),
        "decision": "approve",
        "comment": "fine",
    }
    assert row.signature == hashlib.sha256(canonical_json(material).encode()).hexdigest()
    with pytest.raises(RuntimeError):
        row.save()


@pytest.mark.parametrize("who", ["admin", "auditor", "data_scientist", "outsider"])
def test_roles_that_may_not_decide(api, users, high_risk_version, scientist, who):
    submit(api, scientist, high_risk_version)
    response = decide(api, users[who], high_risk_version)
    expected = 404 if who == "outsider" else 403
    assert response.status_code == expected, response.content
    assert not Decision.objects.exists()


def test_nobody_decides_on_what_they_built_even_as_accountable_owner(
    api, admin_user, high_risk_version, scientist
):
    # The RACI service refuses this assignment (tests/security/test_raci_four_eyes.py); an
    # older row, or a version built after the assignment, is still refused at decision time.
    Responsibility.objects.create(
        user=scientist, role="accountable", model=high_risk_version.model, assigned_by=admin_user
    )
    submit(api, scientist, high_risk_version)
    response = decide(api, scientist, high_risk_version)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "separation_of_duties"


def test_upstream_data_author_may_not_decide(
    api, team, high_risk_version, scientist, officer2, dataset_version
):
    # The officer registered no data here, but a colleague who did would be refused.
    dataset_version.created_by = officer2  # who uploaded the training data
    dataset_version.save()
    submit(api, scientist, high_risk_version)
    assert decide(api, officer2, high_risk_version).json()["error"]["code"] == (
        "separation_of_duties"
    )


def test_wrong_or_missing_password_is_not_a_signature(api, high_risk_version, scientist, officer):
    submit(api, scientist, high_risk_version)
    wrong = decide(api, officer, high_risk_version, password="not-my-password")
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "signature_invalid"
    missing = decide(api, officer, high_risk_version, password="")
    assert missing.status_code == 400 and "password" in missing.json()["error"]["fields"]
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{"decision": "maybe"}, {}, {"decision": "approve", "comment": ["x"], "password": PASSWORD}],
)
def test_bad_decision_input_is_400(api, high_risk_version, scientist, officer, body):
    submit(api, scientist, high_risk_version)
    response = api(officer).post(
        f"/api/v1/model-versions/{high_risk_version.pk}/decisions/", body, format="json"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


def test_one_decision_per_person_per_round(api, high_risk_version, scientist, officer):
    submit(api, scientist, high_risk_version)
    assert decide(api, officer, high_risk_version).status_code == 201
    again = decide(api, officer, high_risk_version)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_decided"


def test_two_officers_do_not_replace_the_accountable_owner(
    api, high_risk_version, scientist, officer, officer2
):
    submit(api, scientist, high_risk_version)
    decide(api, officer, high_risk_version)
    decide(api, officer2, high_risk_version)
    high_risk_version.refresh_from_db()
    assert high_risk_version.status == "in_review"
    reasons = gate(api, scientist, high_risk_version)["reasons"]
    assert [r["code"] for r in reasons] == ["approval_by:accountable_owner"]


@pytest.mark.parametrize(
    ("decision", "status"), [("reject", "rejected"), ("request_changes", "changes_requested")]
)
def test_reject_and_request_changes(api, high_risk_version, scientist, owner, decision, status):
    submit(api, scientist, high_risk_version)
    response = decide(api, owner, high_risk_version, decision=decision, password="")
    assert response.status_code == 201, response.content
    high_risk_version.refresh_from_db()
    assert high_risk_version.status == status
    assert Review.objects.get(model_version=high_risk_version).status == status
    resubmit = submit(api, scientist, high_risk_version)
    assert resubmit.status_code == (201 if status == "changes_requested" else 409)


def test_approval_refused_while_evidence_is_missing(
    api, admin_user, officer, scientist, system, model_version
):
    classify(system, CREDIT_SCORING, officer)
    assert submit(api, scientist, model_version).status_code == 201
    response = decide(api, officer, model_version)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "requirements_unmet"
    codes = {r["code"] for r in error["reasons"]}
    assert {
        "accountable_owner_missing",
        "documentation_missing:human_oversight",
        "documentation_missing:post_market_plan",
    } <= codes


def test_minimal_tier_needs_one_compliance_officer(
    api, admin_user, officer, scientist, system, model_version
):

    classify(system, SPAM_FILTER, officer)
    satisfy_required_checks(model_version, "minimal", admin_user)
    submit(api, scientist, model_version)
    assert decide(api, officer, model_version).status_code == 201
    model_version.refresh_from_db()
    assert model_version.status == "approved"
    review = Review.objects.get(model_version=model_version)
    assert (review.expires_at - review.approved_at).days == 365


def test_submit_refused_when_unclassified(api, scientist, model_version):
    response = submit(api, scientist, model_version)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "submission_refused"
    assert [r["code"] for r in error["reasons"]] == ["unclassified"]
    model_version.refresh_from_db()
    assert model_version.status == "draft"


def test_prohibited_can_never_be_submitted(api, officer, scientist, system, model_version):
    classify(system, SOCIAL_SCORING, officer)
    response = submit(api, scientist, model_version)
    assert response.status_code == 400
    assert [r["code"] for r in response.json()["error"]["reasons"]] == ["prohibited"]
    assert gate(api, scientist, model_version, "dev")["allowed"] is False


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 403), ("compliance_officer", 403), ("auditor", 403), ("outsider", 404)],
)
def test_submit_refused_roles(api, users, officer, system, model_version, who, status):
    classify(system, SPAM_FILTER, officer)
    assert submit(api, users[who], model_version).status_code == status
    model_version.refresh_from_db()
    assert model_version.status == "draft"


def test_submitted_version_is_immutable(api, officer, scientist, system, model_version):
    classify(system, SPAM_FILTER, officer)
    submit(api, scientist, model_version)
    response = api(scientist).patch(
        f"/api/v1/model-versions/{model_version.pk}/", {"description": "x"}, format="json"
    )
    assert response.status_code == 409
    assert submit(api, scientist, model_version).status_code == 409


def test_decisions_list_and_detail_summary(api, users, high_risk_version, scientist, officer):
    submit(api, scientist, high_risk_version)
    decide(api, officer, high_risk_version)
    for who in ("admin", "compliance_officer", "data_scientist", "auditor"):
        rows = api(users[who]).get(f"/api/v1/model-versions/{high_risk_version.pk}/decisions/")
        assert rows.status_code == 200 and rows.json()["count"] == 1
    hidden = api(users["outsider"]).get(f"/api/v1/model-versions/{high_risk_version.pk}/decisions/")
    assert hidden.status_code == 404
    detail = api(officer).get(f"/api/v1/model-versions/{high_risk_version.pk}/").json()
    summary = detail["governance"]
    assert summary["tier"] == "high_risk" and summary["classification_id"]
    assert summary["approvals"][0]["reviewer"] == officer.username
    assert summary["can_decide"] is False  # the officer has decided in this round
    owner_view = api(users["admin"]).get(f"/api/v1/model-versions/{high_risk_version.pk}/")
    assert owner_view.json()["governance"]["can_decide"] is False  # admins never decide
    assert any(r["code"] == "approval_by:accountable_owner" for r in summary["gate"]["reasons"])


def test_accountable_user_who_cannot_see_the_version_gets_404(
    api, admin_user, other_team, high_risk_version, scientist
):
    # Visibility comes first: another team's data scientist never learns the version exists,
    # even if named accountable by mistake.

    boss = UserFactory(role=Role.DATA_SCIENTIST, teams=[other_team], username="boss")
    responsibility_assign(
        actor=admin_user, user=boss, role="accountable", target=high_risk_version.model
    )
    submit(api, scientist, high_risk_version)
    assert decide(api, boss, high_risk_version).status_code == 404
