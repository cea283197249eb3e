"""The review policy's requirement texts in the reader's language: the pages (version page,
review queue, decision form, refusals) and the reports say them in French and German, while
the API, the kept states and the English pages keep the English text they always had."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from html import unescape

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from audits.reporting.models import Report
from audits.reporting.services import build_snapshot
from governance.kernel.sentences import (
    Day,
    Listing,
    Sentence,
    Term,
    localize,
    sentence_data,
    sentence_from_data,
)
from governance.policy.policies.models import Policy
from governance.review.approvals.models import Review
from governance.review.approvals.services import model_version_submit
from governance.review.evaluation import REQUIREMENT_TEXTS, evaluate
from governance.review.state.models import GovernanceState
from governance.review.state.services import state_derive, state_read, states_check
from governance.templatetags.ui import requirement_text
from tests.governance.conftest import CHATBOT, CREDIT_SCORING, classify

pytestmark = pytest.mark.django_db

API_REQUIREMENT_KEYS = {"code", "label", "met", "stage", "reason", "applies", "basis"}


def page(user, url: str, language: str, method: str = "get") -> str:
    """``url`` as ``user`` reads it with ``language`` on their profile ("" for none)."""
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    response = getattr(client, method)(url)
    assert response.status_code in (200, 400, 409), (url, response.status_code)
    return unescape(response.content.decode())


@pytest.fixture
def gaps(officer, system, model_version, pii_flag):
    """A classified high-risk version with no check run, an unresolved PII flag, empty
    documentation and nobody accountable, not submitted."""
    classify(system, CREDIT_SCORING, officer)
    return model_version


@pytest.fixture
def submitted(high_risk_version, scientist):
    model_version_submit(actor=scientist, model_version=high_risk_version)
    return high_risk_version


def test_a_sentence_is_its_english_text_and_says_itself_again_in_french_and_german():
    reason = Sentence(
        "The approval expired on %(day)s; the version must be re-certified.",
        day=Day(date(2026, 1, 15)),
    )
    assert reason == "The approval expired on 2026-01-15; the version must be re-certified."
    assert json.dumps({"message": reason}) == json.dumps({"message": str(reason)})
    with translation.override("fr"):
        assert localize(reason) == (
            "L'approbation a expiré le 15/01/2026 ; la version doit être recertifiée."
        )
    with translation.override("de"):
        assert localize(reason) == (
            "Die Freigabe ist am 15.01.2026 abgelaufen; die Version muss erneut zertifiziert "
            "werden."
        )
    # Vocabulary inside: English as it always printed it, translated labels elsewhere.
    where = Sentence(
        "the %(tier)s policy (v%(version)s)",
        tier=Term("High risk (Art. 6)", "high_risk"),
        version=3,
    )
    tasks = Listing([Term("Binary classification", "binary classification"), Term("Regression")])
    basis = Sentence(
        "Applies: %(policy)s requires it of %(tasks)s models; this model's task is %(task)s.",
        policy=where,
        tasks=tasks,
        task=Term("Regression", "regression"),
    )
    english = (
        "Applies: the high_risk policy (v3) requires it of binary classification, Regression "
        "models; this model's task is regression."
    )
    assert basis == english
    with translation.override("en"):  # whatever an earlier test left active in this thread
        assert localize(basis) == english
    with translation.override("de"):
        assert localize(basis) == (
            "Gilt: die Richtlinie „Hohes Risiko (Art. 6)“ (v3) verlangt sie für Modelle dieser "
            "Aufgaben: Binäre Klassifikation, Regression; Aufgabe dieses Modells: Regression."
        )
        # Kept as JSON and read back, copied: the same English, the same translation.
        again = sentence_from_data(json.loads(json.dumps(sentence_data(basis))))
        assert again == english and localize(again) == localize(basis)
        assert localize(copy.deepcopy(basis)) == localize(basis)


def test_missing_checks_pii_and_documentation_in_french_and_german(officer, gaps):
    url = f"/model-versions/{gaps.pk}/"
    french = page(officer, url, "fr")
    for phrase in (
        "Un contrôle « Équité » réussi",
        "Aucun contrôle « Équité » ne vaut encore élément de preuve pour cette version.",
        "S'applique : la politique « Haut risque (art. 6) » (v2) l'exige pour les tâches de "
        "modèle suivantes : Classification binaire,",
        "tâche de ce modèle : Classification binaire.",
        "Tous les signalements de données personnelles suspectées sur les données en amont "
        "sont résolus",
        "1 signalement(s) de données personnelles suspectées en amont non résolu(s) : "
        "German Credit 1 / sex (sex).",
        "Section « Mesures de contrôle humain » documentée pour le système",
        "Le champ 'human_oversight' (Mesures de contrôle humain) du système est vide.",
        "Personne n'est actuellement responsable (RACI A) du système ou du modèle",
        "La version n'a pas été soumise pour examen.",
    ):
        assert phrase in french, phrase
    assert "No fairness check counts as evidence" not in french
    assert "suspected PII flag(s) upstream are unresolved" not in french
    german = page(officer, url, "de")
    for phrase in (
        "Eine bestandene Prüfung „Erklärbarkeit“",
        "Noch keine Prüfung „Fairness“ gilt als Nachweis für diese Version.",
        "1 Verdachtsmeldung(en) zu personenbezogenen Daten im Vorfeld ungeklärt: "
        "German Credit 1 / sex (sex).",
        "Das Feld 'post_market_plan' (Plan zur Beobachtung nach dem Inverkehrbringen) des "
        "Systems ist leer.",
        # The generative check does not apply to a classifier: why, in German.
        "Gilt nicht: die Richtlinie „Hohes Risiko (Art. 6)“ (v2) verlangt die Prüfung "
        "„Generativ (LLM-Ausgaben)“ nur für Modelle dieser Aufgaben: Generativ (LLM-Anwendung);",
    ):
        assert phrase in german, phrase
    # English readers read what the page always said.
    english = page(officer, url, "")
    for phrase in (
        "No fairness check counts as evidence for this version yet.",
        "1 suspected PII flag(s) upstream are unresolved: German Credit 1 / sex (sex).",
        "The system's field 'human_oversight' (Human oversight measures) is empty.",
        "Applies: the high_risk policy (v2) requires it of binary classification, multiclass "
        "classification, regression, other models; this model's task is binary classification.",
    ):
        assert phrase in english, phrase


def test_approvals_on_the_version_page(officer, submitted):
    french = page(officer, f"/model-versions/{submitted.pk}/", "fr")
    for phrase in (
        "2 approbation(s) de personnes distinctes",
        "0 sur 2 approbation(s) requise(s) enregistrée(s).",
        "Approuvé par le responsable de la conformité",
        "Pas encore d'approbation du propriétaire responsable.",
        # The production gate's reasons on the deployments tab.
        "Pas encore d'approbation du responsable de la conformité.",
    ):
        assert phrase in french, phrase
    german = page(officer, f"/model-versions/{submitted.pk}/", "de")
    assert "0 von 2 erforderlichen Freigaben erfasst." in german
    assert "Noch keine Freigabe in der Funktion „Compliance-Beauftragter“." in german
    assert "required approval(s) recorded" not in german
    english = page(officer, f"/model-versions/{submitted.pk}/", "")
    assert "0 of 2 required approval(s) recorded." in english
    assert "No approval by the compliance officer yet." in english


def test_the_decision_form_lists_the_blockers_in_german(officer, gaps):
    german = page(officer, f"/model-versions/{gaps.pk}/decide/?decision=approve", "de")
    assert "Noch keine Prüfung „Fairness“ gilt als Nachweis für diese Version." in german
    assert "No fairness check counts as evidence" not in german
    english = page(officer, f"/model-versions/{gaps.pk}/decide/?decision=approve", "")
    assert "No fairness check counts as evidence for this version yet." in english


def test_the_review_queue_row_says_the_open_requirements_in_german(officer, gaps):
    gaps.status = "in_review"
    gaps.save(update_fields=["status"])
    german = page(officer, f"/review-queue/{gaps.pk}/requirements/", "de")
    assert "Noch keine Prüfung „Datenqualität“ gilt als Nachweis für diese Version." in german
    assert "Derzeit ist niemand für das System oder das Modell verantwortlich" in german


def test_a_refused_submission_lists_its_reasons_in_french(scientist, model_version):
    french = page(scientist, f"/model-versions/{model_version.pk}/submit/", "fr", "post")
    assert (
        "Le système n'a pas été classé ; un responsable de la conformité doit d'abord "
        "répondre au questionnaire de risque."
    ) in french
    assert "The system has not been classified" not in french


def test_transparency_duty_in_french(officer, system, model_version):
    classify(system, CHATBOT, officer)
    french = page(officer, f"/model-versions/{model_version.pk}/", "fr")
    assert (
        "Art. 50(1) : Les personnes qui interagissent avec le système sont informées "
        "qu'elles interagissent avec un système d'IA"
    ) in french
    assert "Aucune mesure n'est enregistrée pour l'obligation de l'art. 50(1) (Les " in french
    assert (
        "S'applique : la classification nº "
        f"{model_version.model.system.classifications.latest('pk').pk} du système (question "
        "Q6) lui impose l'obligation de l'art. 50(1), quel que soit le niveau."
    ) in french


def test_no_policy_for_the_tier_in_french_and_german(officer, system, model_version):
    classify(system, CREDIT_SCORING, officer)
    Policy.objects.filter(tier="high_risk").delete()
    url = f"/model-versions/{model_version.pk}/"
    assert "Une politique pour le niveau « Haut risque (art. 6) »" in page(officer, url, "fr")
    german = page(officer, url, "de")
    assert (
        "Für die Risikostufe „Hohes Risiko (Art. 6)“ gibt es keine Richtlinie; ein "
        "Administrator muss eine anlegen."
    ) in german
    english = page(officer, url, "")
    assert "No policy exists for tier high_risk; an admin must create one." in english


def test_an_expired_approval_with_the_date_written_the_local_way(officer, scientist, submitted):
    Review.objects.filter(model_version=submitted).update(
        status="approved", expires_at=datetime(2026, 1, 15, 12, tzinfo=UTC)
    )
    url = f"/model-versions/{submitted.pk}/"
    assert "L'approbation a expiré le 15/01/2026 ; la version doit être recertifiée." in page(
        officer, url, "fr"
    )
    assert "Die Freigabe ist am 15.01.2026 abgelaufen;" in page(officer, url, "de")
    assert "The approval expired on 2026-01-15; the version must be re-certified." in page(
        officer, url, ""
    )


def test_the_api_stays_english_whatever_the_reader_language(api, officer, scientist, submitted):
    officer.language = "fr"
    officer.save(update_fields=["language"])
    cache.clear()
    client = api(officer)
    url = f"/api/v1/model-versions/{submitted.pk}/"
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    cache.clear()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    # The same body (PostgreSQL's jsonb gives a kept state's keys in its own order: compare
    # values, and the ETag, which hashes them with sorted keys).
    assert json.loads(french.content) == json.loads(english.content)
    assert french["ETag"] == english["ETag"]
    requirements = json.loads(french.content)["governance"]["requirements"]
    assert all(set(r) == API_REQUIREMENT_KEYS for r in requirements)
    reasons = {r["code"]: r["reason"] for r in requirements}
    assert reasons["approvals"] == "0 of 2 required approval(s) recorded."
    assert reasons["approval_by:compliance_officer"] == "No approval by the compliance officer yet."
    gate = client.get(f"/api/v1/model-versions/{submitted.pk}/gate/?environment=prod")
    assert {"code": "approvals", "message": "0 of 2 required approval(s) recorded."} in (
        gate.json()["reasons"]
    )


def test_a_refused_submission_over_the_api_stays_english(api, scientist, model_version):
    scientist.language = "de"
    scientist.save(update_fields=["language"])
    response = api(scientist).post(
        f"/api/v1/model-versions/{model_version.pk}/submit/", HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 400
    assert response.json()["error"]["reasons"] == [
        {
            "code": "unclassified",
            "message": "The system has not been classified; a compliance officer must answer "
            "the risk questionnaire first.",
        }
    ]


def test_the_kept_state_does_not_depend_on_the_language_it_was_derived_in(gaps):
    english = state_derive(gaps)
    with translation.override("fr"):
        french = state_derive(gaps)
    with translation.override("de"):
        german = state_derive(gaps)
    assert french.body == english.body == german.body
    kept = {r["code"]: r for r in english.body["requirements"]}
    missing = kept["check_missing:fairness"]
    assert missing["reason"] == "No fairness check counts as evidence for this version yet."
    assert missing[REQUIREMENT_TEXTS]["reason"] == {
        "msgid": "No %(kind)s check counts as evidence for this version yet.",
        "params": {"kind": {"term": "Fairness", "english": "fairness"}},
    }
    # Shown from the kept state: in the reader's language, from the data alone.
    with translation.override("fr"):
        assert requirement_text(missing, "reason") == (
            "Aucun contrôle « Équité » ne vaut encore élément de preuve pour cette version."
        )


def test_a_state_kept_before_the_texts_were_still_shows_and_checks(gaps):
    state = state_read(model_version=gaps)
    for r in state.body["requirements"]:
        r.pop(REQUIREMENT_TEXTS)
    GovernanceState.objects.filter(pk=state.pk).update(body=state.body)
    assert states_check() == (1, [])
    old = next(
        r for r in GovernanceState.objects.get(pk=state.pk).body["requirements"] if not r["met"]
    )
    with translation.override("de"):
        assert requirement_text(old, "reason") == old["reason"]
        assert requirement_text(old, "label") == old["label"]
    # A kept state that says something else is still named.
    state.body["requirements"][0]["reason"] = "something else"
    GovernanceState.objects.filter(pk=state.pk).update(body=state.body)
    assert states_check() == (1, [gaps.pk])


def test_reports_print_the_requirements_in_their_language(auditor, gaps):
    def requirements(language: str) -> dict[str, str]:
        report = Report.objects.create(
            kind="annex_iv", model_version=gaps, requested_by=auditor, language=language
        )
        rows = build_snapshot(report, datetime(2026, 12, 1, tzinfo=UTC))["requirements"]
        return {row["label"]: row["reason"] for row in rows}

    english = requirements("en")
    assert english == {
        r.label: r.reason for r in evaluate(gaps).requirements
    }  # the English snapshot: the texts the evaluation computed, as before
    french = requirements("fr")
    assert (
        french["Un contrôle « Équité » réussi"]
        == "Aucun contrôle « Équité » ne vaut encore élément de preuve pour cette version."
    )
    german = requirements("de")
    assert german["Ein verantwortlicher Eigentümer (RACI A) für das System oder das Modell"] == (
        "Derzeit ist niemand für das System oder das Modell verantwortlich (RACI A); ein "
        "Administrator muss jemanden zuweisen."
    )


def test_the_crosswalks_quote_the_unmet_requirements_in_the_reader_language(officer, gaps):
    url = f"/systems/{gaps.model.system_id}/crosswalks/?framework=iso42001"
    french = page(officer, url, "fr")
    assert "Un contrôle « Équité » réussi; Un contrôle « Explicabilité » réussi" in french
    english = page(officer, url, "")
    assert "A passing fairness check; A passing explainability check" in english
