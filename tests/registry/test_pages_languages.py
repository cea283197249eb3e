"""The registry pages in French and German: the person's profile language or the browser's,
with the stored values (statuses, column roles) shown under their translated labels."""

from html import unescape

import pytest
from django.test import Client

from registry.models import PromptRole
from registry.services.prompts import prompt_template_create
from tests.registry.test_pages import people  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def page(user, url, language="", accept="") -> str:
    user.language = language  # blank: the browser's language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=accept) if accept else client.get(url)
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_model_version_page_in_french_and_german(scientist, model_version):
    url = f"/model-versions/{model_version.pk}/"
    french = page(scientist, url, language="fr")
    for phrase in (
        "Vue d'ensemble",
        "Lignage",
        "Historique des modifications",
        "Brouillon",
        "Hyperparamètres",
        "Données à caractère personnel en amont",
        "Enregistrer une nouvelle version de",
        "entraîné sur",
    ):
        assert phrase in french, phrase
    assert ">Overview<" not in french and "History of changes" not in french
    german = page(scientist, url, accept="de")
    for phrase in ("Übersicht", "Änderungsverlauf", "Entwurf", "Angegebene Metriken"):
        assert phrase in german, phrase
    assert ">Overview<" not in german


def test_dataset_version_page_in_french_and_german(scientist, people):  # noqa: F811
    url = f"/dataset-versions/{people.pk}/"
    french = page(scientist, url, language="fr")
    for phrase in (
        "Schéma, statistiques et données à caractère personnel",
        "Utilisé par",
        "Base juridique",
        "Présumé",
        "Confirmer",
        "Plage / valeurs fréquentes",
    ):
        assert phrase in french, phrase
    assert "Used by" not in french and ">Confirm<" not in french
    german = page(scientist, url, accept="de")
    for phrase in ("Schema, Statistiken und personenbezogene Daten", "Rechtsgrundlage", "Spalte"):
        assert phrase in german, phrase
    assert "Legal basis" not in german


def test_upload_and_prompt_pages_in_german(scientist, model, model_version):
    german = page(scientist, f"/models/{model.pk}/versions/new/", language="de")
    assert "Neue Version von" in german and "Hochladen und registrieren" in german
    assert "Modellartefakt" in german and "Model artefact" not in german
    template = prompt_template_create(
        actor=scientist, model=model, name="system", role=PromptRole.SYSTEM, text="Be brief."
    ).template
    german = page(scientist, f"/prompts/{template.pk}/", language="de")
    assert "Systemprompt" in german and "Änderungen anzeigen" in german
    assert "Show changes" not in german
