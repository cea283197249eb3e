"""The registry's refusals in the reader's language on the pages, and in English, with the
same code, through the API whatever Accept-Language or the profile say."""

import pytest
from django.test import override_settings
from django.utils import translation

from governance.kernel.errors import ServiceError
from registry.models import VersionStatus
from registry.services.artefacts import artefact_uri_check
from registry.services.common import require_change
from registry.services.lineage import lineage_edge_add
from registry.services.prompts import prompt_template_create
from registry.services.systems import system_create
from registry.services.versions import model_version_update
from registry.storage import spool_to_incoming
from tests.languages import browser, refused, text
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db


def test_upload_pages_refuse_in_french_and_german_the_api_in_english(
    scientist, model, model_version, dataset, dataset_version, api, xgb_json_bytes
):
    url = f"/models/{model.pk}/versions/new/"
    body = {"version": "1.0.0", "artefact": upload("m.json", xgb_json_bytes)}
    french = browser(scientist, "fr").post(url, body)
    assert french.status_code == 409
    assert f"Le modèle '{model.name}' a déjà une version '1.0.0' ; les versions" in text(french)
    assert "already has version" not in text(french)
    junk = {"version": "junk", "artefact": upload("m.bin", b"hello, I am not a model" * 10)}
    german = browser(scientist, "de").post(url, junk)
    assert german.status_code == 400
    assert "Das Artefakt hat kein unterstütztes Modellformat" in text(german)
    dataset_page = browser(scientist, "de").post(
        f"/datasets/{dataset.pk}/versions/new/",
        {"version": "1", "file": upload("d.csv", b"a,b\n1,2\n")},
    )
    assert dataset_page.status_code == 409
    assert f"Datensatz '{dataset.name}' hat bereits die Version '1'" in text(dataset_page)

    client = api(scientist)
    error = refused(
        client.post(
            f"/api/v1/models/{model.pk}/versions/",
            {"version": "1.0.0", "artefact": upload("m.json", xgb_json_bytes)},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="fr",
        ),
        409,
    )
    assert error["code"] == "duplicate_version"
    assert error["message"] == (
        f"Model '{model.name}' already has version '1.0.0'; versions are immutable, "
        "register a new label."
    )


def test_prompt_page_refuses_in_the_readers_language(scientist, model, api):
    prompt_template_create(actor=scientist, model=model, name="system", role="system", text="Hi.")
    url = f"/models/{model.pk}/prompts/"
    body = {"name": "system", "role": "system", "text": "Hello.", "note": ""}
    french = browser(scientist, "fr").post(url, body)
    assert french.status_code == 409
    assert f"Le modèle '{model.name}' a déjà un prompt nommé 'system'" in text(french)
    german = browser(scientist, "de").post(url, body)
    assert f"Modell '{model.name}' hat bereits einen Prompt namens 'system'" in text(german)

    error = refused(
        api(scientist).post(
            f"/api/v1/models/{model.pk}/prompts/",
            {"name": "system", "role": "system", "text": "Hello."},
            format="json",
            HTTP_ACCEPT_LANGUAGE="de",
        ),
        409,
    )
    assert error["code"] == "duplicate_prompt"
    assert error["message"] == (
        f"Model '{model.name}' already has a prompt named 'system'; add a version."
    )


def test_mlflow_page_refuses_in_the_readers_language(scientist, model, api):
    name = "x" * 257
    body = {"model": model.pk, "registered_model": name}
    french = browser(scientist, "fr").post("/mlflow/follow/", body)
    assert french.status_code == 400
    assert "Indiquez le nom du modèle enregistré MLflow (256 caractères)." in text(french)
    german = browser(scientist, "de").post("/mlflow/follow/", body)
    assert "Geben Sie den Namen des registrierten MLflow-Modells an" in text(german)
    browser(scientist, "fr").post("/mlflow/follow/", {"model": model.pk, "registered_model": "m"})
    again = browser(scientist, "fr").post(
        "/mlflow/follow/", {"model": model.pk, "registered_model": "m"}
    )
    assert f"Le modèle '{model.name}' suit déjà 'm'." in text(again)

    error = refused(
        api(scientist).post(
            f"/api/v1/models/{model.pk}/mlflow-links/",
            {"registered_model": "m"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="fr",
        ),
        409,
    )
    assert error["code"] == "duplicate_link"
    assert error["message"] == f"Model '{model.name}' already follows 'm'."


def test_a_status_in_a_refusal_is_its_label_on_a_page_and_its_value_in_the_api(
    scientist, model_version, api
):
    model_version.status = VersionStatus.IN_REVIEW
    model_version.save(update_fields=["status"])
    with translation.override("fr"), pytest.raises(ServiceError) as french:
        model_version_update(actor=scientist, model_version=model_version, description="x")
    assert french.value.message.startswith("La version 1.0.0 a le statut « En revue » ;")
    with translation.override("de"), pytest.raises(ServiceError) as german:
        model_version_update(actor=scientist, model_version=model_version, description="x")
    assert "hat den Status „In Prüfung“" in german.value.message
    error = refused(
        api(scientist).patch(
            f"/api/v1/model-versions/{model_version.pk}/",
            {"description": "x"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="fr",
        ),
        409,
    )
    assert error["code"] == "version_immutable"
    assert error["message"] == (
        "Version 1.0.0 is in_review; submitted versions cannot change. Register a new version "
        "instead."
    )


def test_systems_lineage_artefacts_storage_and_access_refuse_in_the_active_language(
    scientist, outsider, team, system, model, model_version, dataset_version, api
):
    """Refusals no page shows yet: translated by the active language, English in the API."""
    with translation.override("fr"):
        with pytest.raises(ServiceError) as duplicate:
            system_create(actor=scientist, team=team, name=system.name)
        with pytest.raises(ServiceError) as cycle:
            lineage_edge_add(
                actor=scientist,
                kind="derived_from",
                upstream=model_version,
                downstream=model_version,
            )
        with pytest.raises(ServiceError) as scheme:
            artefact_uri_check("ftp://example.org/model.onnx")
        with pytest.raises(ServiceError) as hidden:
            require_change(outsider, model)
    assert (
        duplicate.value.message == f"L'équipe {team.slug} a déjà un système nommé '{system.name}'."
    )
    assert "ne peut pas être « dérivé de »" in cycle.value.message
    assert "le lignage contiendrait un cycle" in cycle.value.message
    assert scheme.value.message.startswith("Le schéma 'ftp' n'est pas autorisé ; utilisez https,")
    assert hidden.value.message == f"Aucun modèle {model.pk} que vous pouvez modifier."
    with (
        translation.override("de"),
        override_settings(MAX_UPLOAD_BYTES=3),
        pytest.raises(ServiceError) as too_large,
    ):
        spool_to_incoming(upload("d.csv", b"a,b\n1,2\n"))
    assert too_large.value.message == "Die Datei überschreitet die Grenze von 3 Bytes."

    client = api(scientist)
    system_error = refused(
        client.post(
            "/api/v1/systems/",
            {"team": team.slug, "name": system.name, "intended_purpose": "Score."},
            format="json",
            HTTP_ACCEPT_LANGUAGE="fr",
        ),
        409,
    )
    assert system_error["code"] == "duplicate_system"
    assert system_error["message"] == (
        f"Team {team.slug} already has a system named '{system.name}'."
    )
    uri_error = refused(
        client.post(
            f"/api/v1/models/{model.pk}/versions/",
            {"version": "2", "artefact_uri": "ftp://example.org/model.onnx"},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="de",
        ),
        400,
    )
    assert uri_error["code"] == "artefact_uri_refused"
    assert uri_error["message"].startswith("The scheme 'ftp' is not allowed; use https,")
    edge_error = refused(
        client.post(
            "/api/v1/lineage/",
            {
                "kind": "derived_from",
                "upstream": {"type": "model_version", "id": model_version.pk},
                "downstream": {"type": "model_version", "id": model_version.pk},
            },
            format="json",
            HTTP_ACCEPT_LANGUAGE="fr",
        ),
        409,
    )
    assert edge_error["code"] == "lineage_cycle"
    assert "cannot be derived_from" in edge_error["message"]
