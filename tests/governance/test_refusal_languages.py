"""Service refusals in the reader's language on the pages, in English on the API.

A refusal's message is translated where the service raises it, so the page a French or German
reader gets says no in their language (vocabulary values such as a version's status or an
environment by their translated labels), while the API, always English, answers with the
same code and the message its clients have always read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from governance.obligations.conformity.models import DECLARATION_ELEMENTS, Declaration
from governance.obligations.fria.models import FriaRevision
from governance.obligations.incidents.services import incident_mark_reported, incident_open
from governance.review.approvals.services import model_version_submit
from tests.languages import browser, text

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 42"


def api_refusal(user, method: str, url: str, body: dict | None = None) -> dict:
    """The API's error for ``user``'s request, asked for in French (and answered in English)."""
    user.language = "fr"
    user.save(update_fields=["language"])
    client = APIClient()
    client.force_authenticate(user)
    response = getattr(client, method)(url, body or {}, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code >= 400, response.content
    assert response["Content-Language"] == "en"
    return response.json()["error"]


# --- kernel: accounts, second factor, single sign-on -----------------------------------------
def test_wrong_current_password(officer):
    officer.set_password(PASSWORD)
    officer.save()
    form = {
        "old_password": "wrong",
        "new_password": "a new long passphrase 7",
        "new_password_again": "a new long passphrase 7",
    }
    french = text(browser(officer, "fr").post("/profile/password/", form))
    assert "Le mot de passe actuel n'est pas correct." in french
    assert "The current password is not right." not in french
    german = text(browser(officer, "de").post("/profile/password/", form))
    assert "Das aktuelle Passwort ist nicht richtig." in german
    error = api_refusal(
        officer,
        "post",
        "/api/v1/me/password/",
        {"old_password": "wrong", "new_password": "a new long passphrase 7"},
    )
    assert error["code"] == "wrong_password"
    assert error["message"] == "The current password is not right."


def test_wrong_authenticator_code(officer):
    client = browser(officer, "fr")
    client.post("/profile/second-factor/", {"action": "begin"})
    french = text(client.post("/profile/second-factor/", {"action": "confirm", "code": "000000"}))
    assert "Ce code ne correspond pas ; vérifiez l'horloge du téléphone." in french
    client = browser(officer, "de")
    german = text(client.post("/profile/second-factor/", {"action": "confirm", "code": "000000"}))
    assert "Dieser Code stimmt nicht; prüfen Sie die Uhr des Telefons." in german


def test_a_sign_in_rule_without_role_or_team(admin_user):
    french = text(browser(admin_user, "fr").post("/people/sign-in/rules/", {"group": "nothing"}))
    assert "Une règle attribue un rôle, une équipe, ou les deux." in french
    german = text(browser(admin_user, "de").post("/people/sign-in/rules/", {"group": "nothing"}))
    assert "Eine Regel vergibt eine Rolle, ein Team oder beides." in german
    error = api_refusal(admin_user, "post", "/api/v1/sso/group-mappings/", {"group": "nothing"})
    assert error["code"] == "empty_rule"
    assert error["message"] == "A rule gives a role, a team, or both."


# --- policy: responsibilities ----------------------------------------------------------------
def test_an_auditor_cannot_be_accountable(admin_user, auditor, system):
    form = {"user": auditor.pk, "role": "accountable", "target": f"system:{system.pk}"}
    french = text(browser(admin_user, "fr").post("/responsibilities/", form))
    assert "Les auditeurs ne font que lire" in french and "Auditors only read" not in french
    german = text(browser(admin_user, "de").post("/responsibilities/", form))
    assert "Auditoren lesen nur; sie können konsultiert oder informiert werden" in german
    error = api_refusal(
        admin_user,
        "post",
        "/api/v1/responsibilities/",
        {"user": auditor.pk, "role": "accountable", "system": system.pk},
    )
    assert error["code"] == "auditor_cannot_be_accountable"
    assert error["message"].startswith("Auditors only read: they can be consulted or informed")


# --- review: submission, deployment gate, assignment -----------------------------------------
def test_submitting_twice_names_the_status_by_its_label(scientist, high_risk_version):
    model_version_submit(actor=scientist, model_version=high_risk_version)
    url = f"/model-versions/{high_risk_version.pk}/submit/"
    version = high_risk_version.version
    french = text(browser(scientist, "fr").post(url))
    assert f"La version {version} est à l'état « En revue »." in french
    german = text(browser(scientist, "de").post(url))
    assert f"Version {version} hat den Status „In Prüfung“." in german
    error = api_refusal(scientist, "post", f"/api/v1/model-versions/{high_risk_version.pk}/submit/")
    assert error["code"] == "not_submittable_status"
    assert error["message"] == f"Version {version} is in_review."


def test_the_gate_names_the_environment_by_its_label(scientist, high_risk_version):
    url = f"/model-versions/{high_risk_version.pk}/deployments/"
    version = high_risk_version.version
    french = text(browser(scientist, "fr").post(url, {"environment": "prod"}))
    assert (
        f"La version {version} ne peut pas s'exécuter dans l'environnement « Production »."
        in french
    )
    german = text(browser(scientist, "de").post(url, {"environment": "prod"}))
    assert f"Version {version} darf nicht in der Umgebung „Produktion“ laufen." in german
    error = api_refusal(
        scientist,
        "post",
        f"/api/v1/model-versions/{high_risk_version.pk}/deployments/",
        {"environment": "prod"},
    )
    assert error["code"] == "gate_closed"
    assert error["message"] == f"Version {version} may not run in prod."


def test_assigning_someone_who_may_not_decide(officer, scientist, high_risk_version):
    model_version_submit(actor=scientist, model_version=high_risk_version)
    url = f"/review-queue/{high_risk_version.pk}/assign/"
    form = {"assignee": scientist.username}
    french = text(browser(officer, "fr").post(url, form))
    assert f"{scientist.username} ne peut pas décider de cette version" in french
    german = text(browser(officer, "de").post(url, form))
    assert f"{scientist.username} darf über diese Version nicht entscheiden" in german


# --- obligations: FRIA, declaration of conformity, incidents ---------------------------------
def test_an_unchanged_fria_revision(officer, system):
    elements = {"deployer_processes": "Loan decisions"}
    browser(officer, "en").post(f"/systems/{system.pk}/fria/", elements)
    assert FriaRevision.objects.filter(system=system).count() == 1
    french = text(browser(officer, "fr").post(f"/systems/{system.pk}/fria/", elements))
    assert "La révision 1 dit déjà exactement cela." in french
    german = text(browser(officer, "de").post(f"/systems/{system.pk}/fria/", elements))
    assert "Revision 1 sagt bereits genau dies." in german
    error = api_refusal(officer, "post", f"/api/v1/systems/{system.pk}/fria/", elements)
    assert error["code"] == "no_change"
    assert error["message"] == "Revision 1 already says exactly this."


def test_signing_an_incomplete_declaration_names_the_missing_elements(officer, system):
    browser(officer, "en").post(
        f"/systems/{system.pk}/conformity/declarations/", {"provider_name": "Example Bank AG"}
    )
    declaration = Declaration.objects.get(system=system)
    signature = {
        "signatory_name": "Maria Keller",
        "signatory_function": "Head of Compliance",
        "on_behalf_of": "Example Bank AG",
        "place_of_issue": "Frankfurt",
    }
    address = {f: label for f, label, _point in DECLARATION_ELEMENTS}["provider_address"]
    url = f"/declarations/{declaration.pk}/sign/"
    for language, start in (("fr", "Remplissez d'abord : "), ("de", "Füllen Sie zuerst aus: ")):
        with translation.override(language):
            label = translation.gettext(address)
        assert label != address
        assert f"{start}{label}" in text(browser(officer, language).post(url, signature))
    error = api_refusal(officer, "post", f"/api/v1/declarations/{declaration.pk}/sign/", signature)
    assert error["code"] == "declaration_incomplete"
    assert error["message"].startswith(f"Fill in first: {address}")


def test_reporting_an_incident_twice(officer, system):
    incident = incident_open(
        actor=officer,
        system=system,
        title="Wrongful refusals",
        description="d",
        category="standard",
        owner=officer,
        aware_at=timezone.now() - timedelta(days=1),
    )
    incident_mark_reported(actor=officer, incident=incident, authority="BaFin")
    url = f"/incidents/{incident.pk}/reported/"
    french = text(browser(officer, "fr").post(url, {"authority": "BaFin"}, follow=True))
    assert "Cet incident a déjà été signalé." in french
    german = text(browser(officer, "de").post(url, {"authority": "BaFin"}, follow=True))
    assert "Dieser Vorfall wurde bereits gemeldet." in german
    error = api_refusal(
        officer, "post", f"/api/v1/incidents/{incident.pk}/reported/", {"authority": "BaFin"}
    )
    assert error["code"] == "already_reported"
    assert error["message"] == "This incident was already reported."


def test_a_reader_changing_an_obligation_record_through_the_api(auditor, system):
    error = api_refusal(auditor, "post", f"/api/v1/systems/{system.pk}/fria/", {"note": "x"})
    assert error["code"] == "obligation_role"
    assert error["message"] == "Only compliance officers and admins change this record."
