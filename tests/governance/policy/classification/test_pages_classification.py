"""The classification pages: questionnaire from the database rows, result, history."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from governance.policy.classification.models import QuestionnaireQuestion, RiskClassification
from tests.governance.conftest import CREDIT_SCORING, SPAM_FILTER, classify

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_form_shows_every_active_question_with_its_article(officer, system):

    html = as_user(officer).get(f"/systems/{system.pk}/classification/new/").content.decode()
    questions = list(QuestionnaireQuestion.objects.filter(active=True).order_by("position", "id"))
    sizes = Counter(q.step for q in questions)
    for q in questions:
        assert q.article in html
        assert f'name="{q.key}"' in html
    assert "Creditworthiness or credit score" in html
    assert "Annex III(5)(b)" in html
    assert "Only if you chose an Annex III area" in html
    # Each step once; a step that asks several questions letters them: Q0a, Q0b, ...
    for step, size in sizes.items():
        labels = [f"{step}{letter}" for letter in "abcdefghij"[:size]] if size > 1 else [step]
        for label in labels:
            assert html.count(f'<span class="step">{label}</span>') == 1, label


def test_a_question_edited_in_the_database_shows_on_the_form(officer, system):
    q = QuestionnaireQuestion.objects.get(key="q3-annex-i")
    q.help_text = "Machinery, toys, medical devices and the like."
    q.save()
    html = as_user(officer).get(f"/systems/{system.pk}/classification/new/").content.decode()
    assert "Machinery, toys, medical devices" in html


def _post(answers: dict) -> dict:
    return {**answers, "notes": "assessed with the product owner"}


def test_officer_classifies_and_sees_the_result(officer, system):
    client = as_user(officer)
    response = client.post(f"/systems/{system.pk}/classification/new/", _post(CREDIT_SCORING))
    record = RiskClassification.objects.get(system=system)
    assert response.status_code == 302
    assert response["Location"] == f"/classifications/{record.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert record.tier == "high_risk"
    assert "High risk (Art. 6)" in html
    assert "5(b)" in html
    assert "profiles natural persons" in html
    assert "Creditworthiness or credit score" in html  # the answer, in the rationale


def test_history_lists_every_record_newest_first(officer, admin_user, system):
    classify(system, SPAM_FILTER, officer)
    classify(system, CREDIT_SCORING, admin_user)
    html = as_user(officer).get(f"/systems/{system.pk}/classification/").content.decode()
    first, second = RiskClassification.objects.filter(system=system).order_by("-id")
    assert html.index(f"#{first.pk}") < html.index(f"#{second.pk}")
    assert "Classify again" in html
    old = as_user(officer).get(f"/classifications/{second.pk}/").content.decode()
    assert "superseded" in old


def test_incomplete_answers_are_a_friendly_400_naming_the_questions(officer, system):
    answers = {k: v for k, v in CREDIT_SCORING.items() if k != "q5-profiling"}
    response = as_user(officer).post(f"/systems/{system.pk}/classification/new/", answers)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The classification was not recorded" in html
    assert "Does the system perform profiling" in html
    assert "This question needs an answer" in html
    assert 'value="credit-scoring" checked' in html  # answers given are kept
    assert not RiskClassification.objects.exists()


def test_contradictory_answers_are_a_friendly_400(officer, system):
    answers = {**SPAM_FILTER, "q4-annex-iii": ["none", "education"]}
    response = as_user(officer).post(f"/systems/{system.pk}/classification/new/", answers)
    assert response.status_code == 400
    assert b"cannot be combined" in response.content


def test_unknown_option_is_a_friendly_400(officer, system):
    response = as_user(officer).post(
        f"/systems/{system.pk}/classification/new/", {**SPAM_FILTER, "q3-annex-i": "perhaps"}
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


@pytest.mark.parametrize("who", ["data_scientist", "auditor"])
def test_other_roles_read_but_cannot_classify(users, system, officer, who):
    classify(system, SPAM_FILTER, officer)
    client = as_user(users[who])
    page = client.get(f"/systems/{system.pk}/classification/")
    assert page.status_code == 200
    assert b"Minimal risk" in page.content
    assert b"Classify again" not in page.content
    assert client.get(f"/systems/{system.pk}/classification/new/").status_code == 403
    refused = client.post(f"/systems/{system.pk}/classification/new/", SPAM_FILTER)
    assert refused.status_code == 403
    assert RiskClassification.objects.count() == 1


def test_another_team_gets_404(outsider, system, officer):
    record = classify(system, SPAM_FILTER, officer)
    client = as_user(outsider)
    assert client.get(f"/systems/{system.pk}/classification/").status_code == 404
    assert client.get(f"/classifications/{record.pk}/").status_code == 404
    assert client.get(f"/systems/{system.pk}/classification/new/").status_code == 404
