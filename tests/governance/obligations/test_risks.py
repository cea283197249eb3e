"""The risk register: scored hazards, mitigations with evidence, overdue reviews, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from governance.kernel.audit.models import AuditEvent
from governance.obligations.risks.models import Risk
from governance.policy.policies.models import Policy

pytestmark = pytest.mark.django_db


def risk_body(**extra):
    return {
        "title": "Indirect discrimination by postcode",
        "likelihood": 3,
        "severity": 4,
        "affected_groups": "Applicants from poorer districts",
        "fundamental_rights": ["non_discrimination"],
        "review_date": str(timezone.localdate() + timedelta(days=30)),
        **extra,
    }


def test_officer_adds_risk_and_mitigation(users, api, system):
    client = api(users["compliance_officer"])
    r = client.post(f"/api/v1/systems/{system.pk}/risks/", risk_body(), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["band"] == {"key": "high", "label": "High", "min_score": 10, "score": 12}
    m = client.post(
        f"/api/v1/risks/{body['id']}/mitigations/",
        {
            "description": "Fairness checks gate each version",
            "evidence_type": "check_kind",
            "check_kind": "fairness",
        },
        format="json",
    )
    assert m.status_code == 201, m.content
    assert m.json()["evidence"] == "fairness checks"
    p = client.patch(
        f"/api/v1/risks/{body['id']}/",
        {"residual_likelihood": 2, "residual_severity": 2},
        format="json",
    )
    assert p.json()["residual_band"]["key"] == "low"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"risk.created", "risk.mitigation_added", "risk.updated"} <= actions


def test_evidence_must_exist(users, api, system):
    client = api(users["admin"])
    risk = client.post(f"/api/v1/systems/{system.pk}/risks/", risk_body(), format="json").json()
    r = client.post(
        f"/api/v1/risks/{risk['id']}/mitigations/",
        {"description": "x", "evidence_type": "oversight", "oversight_measure": "not documented"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_measure"


def test_unknown_right_and_bad_level_are_400(users, api, system):
    client = api(users["admin"])
    r = client.post(f"/api/v1/systems/{system.pk}/risks/", risk_body(likelihood=9), format="json")
    assert r.status_code == 400
    r = client.post(
        f"/api/v1/systems/{system.pk}/risks/",
        risk_body(fundamental_rights=["flying"]),
        format="json",
    )
    assert r.status_code == 400


@pytest.mark.parametrize("role", ["data_scientist", "auditor"])
def test_readers_may_not_write(users, api, system, role):
    client = api(users[role])
    assert client.get(f"/api/v1/systems/{system.pk}/risks/").status_code == 200
    r = client.post(f"/api/v1/systems/{system.pk}/risks/", risk_body(), format="json")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "obligation_role"


def test_other_team_404(users, api, system):
    risk = (
        api(users["admin"])
        .post(f"/api/v1/systems/{system.pk}/risks/", risk_body(), format="json")
        .json()
    )
    client = api(users["outsider"])
    assert client.get(f"/api/v1/systems/{system.pk}/risks/").status_code == 404
    assert client.get(f"/api/v1/risks/{risk['id']}/").status_code == 404
    assert (
        client.patch(f"/api/v1/risks/{risk['id']}/", {"title": "x"}, format="json").status_code
        == 404
    )


def test_page_flags_overdue_reviews_and_adds_risks(users, browser_for, system):
    client = browser_for(users["compliance_officer"])
    r = client.post(
        f"/systems/{system.pk}/risks/",
        {**risk_body(review_date=str(timezone.localdate() - timedelta(days=1))), "status": "open"},
    )
    assert r.status_code == 302, r.content
    page = client.get(f"/systems/{system.pk}/risks/").content.decode()
    assert "1 risk review overdue" in page and "review overdue" in page
    assert "Non-discrimination" in page
    risk = Risk.objects.get()
    client.post(
        f"/risks/{risk.pk}/mitigations/",
        {
            "description": "Weekly review",
            "evidence_type": "policy",
            "policy": str(Policy.objects.first().pk),
        },
    )
    assert risk.mitigations.count() == 1
    scientist = browser_for(users["data_scientist"])
    assert scientist.post(f"/systems/{system.pk}/risks/", risk_body()).status_code == 403
    assert browser_for(users["outsider"]).get(f"/systems/{system.pk}/risks/").status_code == 404
