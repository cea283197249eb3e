"""Art. 50 duties from the questionnaire become requirements met by recorded measures."""

from __future__ import annotations

import pytest

from governance.kernel.audit.models import AuditEvent
from governance.policy.transparency.models import TransparencyMeasure
from governance.review.evaluation import evaluate
from tests.governance.conftest import BASE, classify

pytestmark = pytest.mark.django_db

ASSISTANT = {**BASE, "q6-transparency": ["interacts", "synthetic-content"]}


def _codes(mv):
    return {r.code: r for r in evaluate(mv).requirements}


def test_duties_follow_the_answers_and_measures_meet_them(
    api, scientist, officer, system, model_version
):
    classify(system, ASSISTANT, officer)
    codes = _codes(model_version)
    assert not codes["transparency_missing:disclosure_to_users"].met
    assert not codes["transparency_missing:synthetic_content_marking"].met
    assert "Art. 50(2)" in codes["transparency_missing:synthetic_content_marking"].label

    listed = api(scientist).get(f"/api/v1/systems/{system.pk}/transparency/").json()
    assert [(d["paragraph"], d["duty"], d["met"]) for d in listed] == [
        ("Art. 50(1)", "disclosure_to_users", False),
        ("Art. 50(2)", "synthetic_content_marking", False),
    ]
    response = api(scientist).post(
        f"/api/v1/systems/{system.pk}/transparency/",
        {
            "duty": "disclosure_to_users",
            "measure": "The chat window opens with 'You are talking to an automated assistant'.",
            "evidence": "Screenshot in the release notes of 1.0.0; UI test test_banner.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    codes = _codes(model_version)
    assert codes["transparency:disclosure_to_users"].met
    assert "transparency_missing:synthetic_content_marking" in codes
    assert AuditEvent.objects.filter(action="transparency_measure.recorded").count() == 1
    listed = api(scientist).get(f"/api/v1/systems/{system.pk}/transparency/").json()
    assert listed[0]["met"] is True
    assert listed[0]["measure"]["recorded_by"] == scientist.username


def test_no_duties_without_art_50_answers(officer, system, model_version):
    classify(system, BASE, officer)
    assert not any(code.startswith("transparency") for code in _codes(model_version))


def test_bad_input_is_a_400(api, scientist, officer, system):
    classify(system, ASSISTANT, officer)
    url = f"/api/v1/systems/{system.pk}/transparency/"
    client = api(scientist)
    wrong = client.post(
        url, {"duty": "deep_fake_disclosure", "measure": "m", "evidence": "e"}, format="json"
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "duty_not_applicable"
    unknown = client.post(url, {"duty": "x", "measure": "m", "evidence": "e"}, format="json")
    assert unknown.status_code == 400
    blank = client.post(
        url, {"duty": "disclosure_to_users", "measure": " ", "evidence": "e"}, format="json"
    )
    assert blank.status_code == 400
    assert not TransparencyMeasure.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("auditor", 403), ("outsider", 404)])
def test_refused(api, users, officer, system, who, status):
    classify(system, ASSISTANT, officer)
    body = {"duty": "disclosure_to_users", "measure": "m", "evidence": "e"}
    url = f"/api/v1/systems/{system.pk}/transparency/"
    assert api(users[who]).post(url, body, format="json").status_code == status
    if who == "outsider":
        assert api(users[who]).get(url).status_code == 404
    assert not TransparencyMeasure.objects.exists()


def test_compliance_officer_records_for_any_team(api, officer, system):
    classify(system, ASSISTANT, officer)
    body = {"duty": "synthetic_content_marking", "measure": "C2PA manifest", "evidence": "doc"}
    response = api(officer).post(f"/api/v1/systems/{system.pk}/transparency/", body, format="json")
    assert response.status_code == 201
