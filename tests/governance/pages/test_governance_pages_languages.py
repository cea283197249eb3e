"""The governance pages in French and German: review queue, decision form, classification and
questionnaire, administration and second factor. Stored values (tiers, answers) are unchanged;
only what the page shows follows the reader's language."""

from html import unescape

import pytest
from django.test import Client

from governance.policy.classification.models import RiskClassification
from governance.review.approvals.services import model_version_submit
from tests.governance.conftest import SPAM_FILTER, classify

pytestmark = pytest.mark.django_db


def page(user, url: str, language: str | None = None, accept: str = "") -> str:
    """``url`` as ``user`` reads it, after setting their profile language when one is given
    ("" clears it)."""
    if language is not None:
        user.language = language
        user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=accept) if accept else client.get(url)
    assert response.status_code == 200, url
    return unescape(response.content.decode())


@pytest.fixture
def submitted(high_risk_version, scientist):
    model_version_submit(actor=scientist, model_version=high_risk_version)
    return high_risk_version


def test_review_queue_in_french_and_german(officer, submitted):
    french = page(officer, "/review-queue/", "fr")
    for phrase in ("File d'examen", "Tout ce qui est en examen", "Haut risque (art. 6)", "0 sur 2"):
        assert phrase in french, phrase
    assert "Everything in review" not in french and "High risk (Art. 6)" not in french
    german = page(officer, "/review-queue/", "de")
    for phrase in ("Prüfwarteschlange", "Wartet auf mich", "Hohes Risiko (Art. 6)", "0 von 2"):
        assert phrase in german, phrase
    # English stays as it was for a reader without a language.
    english = page(officer, "/review-queue/", "")
    assert "Everything in review" in english and "High risk (Art. 6)" in english


def test_decision_form_and_version_panels_in_french_and_german(officer, submitted):
    french = page(officer, f"/model-versions/{submitted.pk}/decide/?decision=approve", "fr")
    for phrase in ("Éléments de preuve que vous signez", "Signer et approuver", "Annuler"):
        assert phrase in french, phrase
    assert "Approuver :" in french  # the decision's label in the heading
    german = page(officer, f"/model-versions/{submitted.pk}/decide/?decision=reject", "de")
    assert "Kommentar (erforderlich)" in german and "Ablehnen" in german
    version = page(officer, f"/model-versions/{submitted.pk}/", "de")
    for phrase in (
        "Risikostufe und Anforderungen",
        "Noch keine Entscheidung.",
        "Bereitstellungsschranke",
    ):
        assert phrase in version, phrase


def test_questionnaire_and_classification_in_the_reader_language(officer, system):
    german = page(officer, f"/systems/{system.pk}/classification/new/", accept="de")
    assert "Handelt es sich um ein KI-System" in german
    assert "Wählen Sie alles Zutreffende." in german
    assert "Is it an AI system" not in german
    classify(system, SPAM_FILTER, officer)
    record = RiskClassification.objects.get(system=system)
    french = page(officer, f"/classifications/{record.pk}/", "fr")
    assert f"Classification nº {record.pk}" in french
    assert "Pourquoi ce niveau" in french
    # The stored record keeps the English texts it was answered with.
    assert record.rationale[0]["text"].startswith("Is it an AI system")
    assert "S'agit-il d'un système d'IA" in french
    assert "Classification actuelle" in page(officer, f"/systems/{system.pk}/classification/", "fr")


def test_administration_and_second_factor_in_german(admin_user):
    people = page(admin_user, "/people/", "de")
    for phrase in ("Personen und Teams", "Benutzer anlegen", "Letzte Anmeldung"):
        assert phrase in people, phrase
    policies = page(admin_user, "/policies/", "de")
    assert "Richtlinien je Stufe" in policies and "Hohes Risiko (Art. 6)" in policies
    raci = page(admin_user, "/responsibilities/", "de")
    assert "Zuständigkeiten" in raci and "RACI-Rolle" in raci
    second = page(admin_user, "/profile/second-factor/", "fr")
    assert "Ajouter une application d'authentification" in second
