"""Policies (read by all, edited by admins, audited) and RACI responsibilities."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from governance.kernel.audit.models import AuditEvent
from governance.policy.policies.models import Policy
from governance.policy.raci.models import Responsibility
from governance.policy.raci.services import responsibility_assign
from governance.review.evaluation import policy_thresholds
from tests.governance.conftest import CREDIT_SCORING, classify

pytestmark = pytest.mark.django_db


def test_default_policies_are_seeded():
    high = Policy.objects.get(tier="high_risk")
    assert high.required_checks == [
        "fairness",
        "explainability",
        "data_quality",
        "performance",
        "generative",
    ]
    # Tabular checks bind classical models, the generative evaluation LLM applications.
    assert high.checks_for("binary_classification") == (
        ["fairness", "explainability", "data_quality", "performance"],
        ["generative"],
    )
    assert high.checks_for("generative") == (
        ["generative"],
        ["fairness", "explainability", "data_quality", "performance"],
    )
    assert high.thresholds["generative"]["jailbreak_success_rate"] == 0.0
    assert Policy.objects.get(tier="limited").thresholds["generative"]["groundedness"] == 0.7
    assert Policy.objects.get(tier="limited").required_checks == [
        "fairness",
        "explainability",
        "generative",
    ]
    assert Policy.objects.get(tier="out_of_scope").required_checks == []
    assert high.approvals_required == 2 and high.requires_accountable_owner
    assert high.recertify_days == 180 and high.pii_must_be_resolved
    assert high.thresholds["fairness"]["disparate_impact_ratio_min"] == 0.8
    assert set(high.required_documentation) == {
        "intended_purpose",
        "human_oversight",
        "post_market_plan",
    }
    assert not Policy.objects.get(tier="prohibited").submittable
    assert not Policy.objects.get(tier="unclassified").submittable
    assert Policy.objects.get(tier="limited").required_documentation == ["transparency_notice"]


@pytest.mark.parametrize(
    "who", ["admin", "compliance_officer", "data_scientist", "auditor", "outsider"]
)
def test_everyone_reads_policies(api, users, who):
    response = api(users[who]).get("/api/v1/policies/")
    assert response.status_code == 200 and len(response.json()) == 7


def test_admin_edits_a_policy_and_it_is_audited(api, admin_user):
    policy = Policy.objects.get(tier="limited")
    response = api(admin_user).patch(
        f"/api/v1/policies/{policy.pk}/", {"recertify_days": 90}, format="json"
    )
    assert response.status_code == 200, response.content
    version = policy.version + 1
    assert response.json()["version"] == version and response.json()["recertify_days"] == 90
    event = AuditEvent.objects.get(action="policy.updated")
    assert event.payload["changes"] == {"recertify_days": [365, 90]}
    assert policy.history.latest().version == version  # field-level history of the edit


@pytest.mark.parametrize("who", ["compliance_officer", "data_scientist", "auditor", "outsider"])
def test_others_may_not_edit_policies(api, users, who):
    policy = Policy.objects.get(tier="limited")
    response = api(users[who]).patch(
        f"/api/v1/policies/{policy.pk}/", {"recertify_days": 1}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"required_checks": ["astrology"]}, "invalid"),
        ({"approver_roles": ["ceo"]}, "invalid_policy"),
        ({"required_documentation": ["favourite_colour"]}, "invalid_policy"),
        ({"approvals_required": 1}, "invalid_policy"),  # high risk needs two capacities
        ({"recertify_days": 0}, "invalid"),
        # Beyond the 32-bit column (was a database error, 500) and beyond ten years.
        ({"recertify_days": 2147483648}, "invalid"),
        ({"audit_interval_days": 2147483648}, "invalid"),
        ({"recertify_days": 3651}, "invalid"),
        ({"audit_interval_days": 3651}, "invalid"),
        ({"check_applicability": {"fairness": ["spreadsheet"]}}, "invalid"),
        ({"check_applicability": {"astrology": ["generative"]}}, "invalid_policy"),
        ({"check_applicability": ["generative"]}, "invalid"),
        # A required check that binds no model at all is a mistake, not a policy.
        ({"check_applicability": {"fairness": []}}, "invalid_policy"),
    ],
)
def test_bad_policy_edits(api, admin_user, body, code):
    policy = Policy.objects.get(tier="high_risk")
    response = api(admin_user).patch(f"/api/v1/policies/{policy.pk}/", body, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert Policy.objects.get(pk=policy.pk).version == policy.version
    assert api(admin_user).get("/api/v1/policies/999/").status_code == 404


def test_responsibility_crud(api, admin_user, owner, system, model, dataset):
    client = api(admin_user)
    created = client.post(
        "/api/v1/responsibilities/",
        {"user": owner.pk, "role": "accountable", "model": model.pk, "note": "owner"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["target_type"] == "model" and body["active"] and body["assigned_by"] == "admin1"
    later = (timezone.now() + timedelta(days=30)).isoformat()
    patched = client.patch(
        f"/api/v1/responsibilities/{body['id']}/", {"ends_at": later}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["ends_at"]
    assert client.delete(f"/api/v1/responsibilities/{body['id']}/").status_code == 204
    ended = Responsibility.objects.get(pk=body["id"])
    assert ended.ends_at <= timezone.now() and not ended.is_active()
    actions = list(
        AuditEvent.objects.filter(action__startswith="responsibility.").values_list(
            "action", flat=True
        )
    )
    assert actions == ["responsibility.assigned", "responsibility.updated", "responsibility.ended"]
    again = client.patch(f"/api/v1/responsibilities/{body['id']}/", {"note": "x"}, format="json")
    assert again.status_code == 400 and again.json()["error"]["code"] == "already_ended"


@pytest.mark.parametrize("who", ["compliance_officer", "data_scientist", "auditor", "outsider"])
def test_only_admins_assign(api, users, owner, system, who):
    response = api(users[who]).post(
        "/api/v1/responsibilities/",
        {"user": owner.pk, "role": "informed", "system": system.pk},
        format="json",
    )
    assert response.status_code == 403
    assert not Responsibility.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"role": "accountable"},
        {"role": "boss", "system": "SYSTEM"},
        {"role": "informed", "system": "SYSTEM", "model": "MODEL"},
        {"role": "informed"},
    ],
)
def test_bad_assignments(api, admin_user, owner, system, model, body):
    body = {"user": owner.pk, **body}
    body = {k: {"SYSTEM": system.pk, "MODEL": model.pk}.get(v, v) for k, v in body.items()}
    response = api(admin_user).post("/api/v1/responsibilities/", body, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


def test_auditors_cannot_be_accountable(api, admin_user, auditor, system):
    response = api(admin_user).post(
        "/api/v1/responsibilities/",
        {"user": auditor.pk, "role": "accountable", "system": system.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "auditor_cannot_be_accountable"


def test_readers_see_responsibilities_of_visible_objects(api, users, admin_user, owner, system):

    row = responsibility_assign(actor=admin_user, user=owner, role="responsible", target=system)
    for who in ("admin", "compliance_officer", "data_scientist", "auditor"):
        listing = api(users[who]).get("/api/v1/responsibilities/").json()
        assert [r["id"] for r in listing["results"]] == [row.pk]
        assert api(users[who]).get(f"/api/v1/responsibilities/{row.pk}/").status_code == 200
    outsider = api(users["outsider"])
    assert outsider.get("/api/v1/responsibilities/").json()["count"] == 0
    assert outsider.get(f"/api/v1/responsibilities/{row.pk}/").status_code == 404
    assert outsider.delete(f"/api/v1/responsibilities/{row.pk}/").status_code == 403
    filtered = api(admin_user).get(f"/api/v1/responsibilities/?system={system.pk}&active=true")
    assert filtered.json()["count"] == 1
    assert api(admin_user).get("/api/v1/responsibilities/?system=abc").status_code == 400


def test_policy_thresholds_for_checks(admin_user, officer, system, model_version):

    assert policy_thresholds(model_version=model_version, kind="fairness") == (
        {},
        "policy:unclassified:v1",
    )
    classify(system, CREDIT_SCORING, officer)
    limits, source = policy_thresholds(model_version=model_version, kind="fairness")
    assert limits["demographic_parity_difference_max"] == 0.10 and source == "policy:high_risk:v2"
