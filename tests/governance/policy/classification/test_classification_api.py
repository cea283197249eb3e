"""Classifying systems through the API: who may, what comes out, what is refused."""

from __future__ import annotations

import pytest

from governance.kernel.audit.models import AuditEvent
from governance.policy.classification.models import QuestionnaireOption, RiskClassification
from tests.governance.conftest import CHATBOT, CREDIT_SCORING, SOCIAL_SCORING, SPAM_FILTER

pytestmark = pytest.mark.django_db


def post(api, user, system, answers):
    return api(user).post(
        f"/api/v1/systems/{system.pk}/classification/", {"answers": answers}, format="json"
    )


@pytest.mark.parametrize(
    ("answers", "tier", "area", "flags"),
    [
        (CREDIT_SCORING, "high_risk", "5(b)", []),
        (SPAM_FILTER, "minimal", "", []),
        (CHATBOT, "limited", "", ["50(1)"]),
        (SOCIAL_SCORING, "prohibited", "", []),
    ],
)
def test_questionnaire_outcomes(api, officer, system, answers, tier, area, flags):
    response = post(api, officer, system, answers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["tier"], body["annex_iii_area"], body["transparency_flags"]) == (tier, area, flags)
    assert body["classified_by"] == officer.username and body["answers"] == answers
    assert all("article" in step for step in body["rationale"][:-1])
    event = AuditEvent.objects.get(action="classification.recorded")
    assert event.payload["tier"] == tier


def test_newest_is_current_and_supersedes(api, officer, admin_user, scientist, system):
    first = post(api, officer, system, SPAM_FILTER).json()
    second = post(api, admin_user, system, CREDIT_SCORING).json()
    assert second["supersedes"] == first["id"]
    current = api(scientist).get(f"/api/v1/systems/{system.pk}/classification/").json()
    assert current["id"] == second["id"] and current["tier"] == "high_risk"
    history = api(scientist).get(f"/api/v1/systems/{system.pk}/classifications/").json()
    assert [r["id"] for r in history["results"]] == [second["id"], first["id"]]
    with pytest.raises(RuntimeError):
        RiskClassification.objects.get(pk=first["id"]).save()


@pytest.mark.parametrize("who", ["admin", "compliance_officer", "data_scientist", "auditor"])
def test_every_reader_gets_the_current_one(api, users, officer, system, who):
    post(api, officer, system, CHATBOT)
    response = api(users[who]).get(f"/api/v1/systems/{system.pk}/classification/")
    assert response.status_code == 200 and response.json()["tier"] == "limited"


def test_unclassified_and_hidden(api, scientist, outsider, officer, system):
    missing = api(scientist).get(f"/api/v1/systems/{system.pk}/classification/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_classified"
    post(api, officer, system, CHATBOT)
    assert api(outsider).get(f"/api/v1/systems/{system.pk}/classification/").status_code == 404
    assert post(api, outsider, system, CHATBOT).status_code == 404


@pytest.mark.parametrize("who", ["data_scientist", "auditor"])
def test_refused_roles(api, users, system, who):
    response = post(api, users[who], system, CHATBOT)
    assert response.status_code == 403
    assert not RiskClassification.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"answers": {"q0-ai-system": "yes"}}, "incomplete_answers"),
        ({"answers": {**SPAM_FILTER, "q3-annex-i": "perhaps"}}, "incomplete_answers"),
        ({"answers": "high risk please"}, "invalid"),
        ({}, "invalid"),
    ],
)
def test_bad_answers_are_400_with_reasons(api, officer, system, body, code):
    response = api(officer).post(
        f"/api/v1/systems/{system.pk}/classification/", body, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    if code == "incomplete_answers":
        assert error["missing"] or error["problems"]


def test_questionnaire_is_data_that_admins_amend(api, scientist, officer, system):
    questions = api(scientist).get("/api/v1/classification-questionnaire/").json()
    assert [q["step"] for q in questions][:2] == ["Q0", "Q0"]
    q4 = next(q for q in questions if q["key"] == "q4-annex-iii")
    credit = next(o for o in q4["options"] if o["value"] == "credit-scoring")
    assert credit["article"] == "Annex III(5)(b)" and credit["effect_value"] == "5(b)"
    # An amendment: the credit-scoring point is renumbered; no code changes.
    QuestionnaireOption.objects.filter(value="credit-scoring").update(effect_value="5(b)-new")
    body = post(api, officer, system, CREDIT_SCORING).json()
    assert body["annex_iii_area"] == "5(b)-new"
