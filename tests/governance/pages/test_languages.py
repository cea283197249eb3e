"""The pages in a person's language: the profile setting (stored, audited), the sign-in page's
picker (a cookie), the browser's Accept-Language, and English for everyone else."""

from html import unescape

import pytest
from django.test import Client
from rest_framework.test import APIClient

from governance.kernel.audit.models import AuditEvent
from tests.governance.pages.test_pages import login

pytestmark = pytest.mark.django_db


def test_a_french_speaking_person_gets_french_pages(auditor):
    auditor.language = "fr"
    auditor.save(update_fields=["language"])
    client = Client()
    login(client, auditor)
    response = client.get("/")
    assert response.status_code == 200
    body = unescape(response.content.decode())
    assert '<html lang="fr">' in body
    assert response["Content-Language"] == "fr"
    for phrase in ("Tableau de bord", "Rapports", "Piste d'audit", "Se déconnecter", "Auditeur"):
        assert phrase in body, phrase
    assert ">Log out<" not in body
    # The profile setting wins over the browser's language.
    response = client.get("/profile/", HTTP_ACCEPT_LANGUAGE="de")
    assert "Langue des pages" in response.content.decode()


def test_the_profile_setting_is_stored_and_audited(scientist):
    client = Client()
    login(client, scientist)
    response = client.post("/profile/language/", {"language": "de"})
    assert response.status_code == 302
    scientist.refresh_from_db()
    assert scientist.language == "de"
    event = AuditEvent.objects.get(action="user.language_changed")
    assert event.payload == {"from": "", "to": "de"}
    page = client.get(response["Location"]).content.decode()
    assert "Sprache gespeichert." in page and '<html lang="de">' in page
    # Blank goes back to the browser's language.
    client.post("/profile/language/", {"language": ""})
    scientist.refresh_from_db()
    assert scientist.language == ""
    assert "Anmelden" not in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Abmelden" in client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()


def test_an_unknown_language_is_refused(scientist):
    client = Client()
    login(client, scientist)
    response = client.post("/profile/language/", {"language": "xx"})
    assert response.status_code == 400
    assert b"Unknown language" in response.content
    scientist.refresh_from_db()
    assert scientist.language == ""
    assert client.get("/profile/language/").status_code == 405


def test_setting_a_language_needs_a_sign_in():
    response = Client().post("/profile/language/", {"language": "fr"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_sign_in_page_follows_the_browser_and_the_picker():
    client = Client()
    assert "Se connecter" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get("/login/").content.decode()
    assert '<html lang="en">' in english and "Sign in" in english
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/login/"})
    assert response.status_code == 302
    german = client.get("/login/").content.decode()
    assert '<html lang="de">' in german and "Benutzername" in german


def test_the_api_answers_in_english_whatever_the_client_or_profile_asks(scientist):
    """Its messages are a contract clients parse and log: a French profile or an
    Accept-Language header changes the pages, never the API."""
    scientist.language = "fr"
    scientist.save(update_fields=["language"])
    anonymous = APIClient()
    refused = anonymous.get("/api/v1/models/", HTTP_ACCEPT_LANGUAGE="de")
    assert refused.status_code in (401, 403)
    assert refused["Content-Language"] == "en"
    assert "Anmeldedaten" not in refused.content.decode()
    assert "credentials were not provided" in refused.content.decode()
    client = APIClient()
    client.force_authenticate(scientist)
    bad = client.post("/api/v1/datasets/", {}, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert bad.status_code == 400
    assert bad["Content-Language"] == "en"
    body = bad.content.decode()
    assert "This field is required." in body and "Ce champ est obligatoire." not in body
    # The pages still follow the profile.
    client = Client()
    login(client, scientist)
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="de")["Content-Language"] == "fr"
