"""The audits' refusals in the reader's language on the pages (checks, reproductions, findings,
audits, reports, record PDFs), and in English, with the same code, through the API whatever
Accept-Language or the profile say."""

import pytest
from django.urls import reverse
from django.utils import translation

from audits.programme.models import AuditRun
from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from audits.runs.services.rules import validate_parameters
from governance.kernel.errors import ServiceError
from tests.languages import browser, refused, text

pytestmark = pytest.mark.django_db


def test_check_refusals_in_french_and_german_and_english_in_the_api(
    scientist, model_version, dataset_version, api
):
    url = f"/model-versions/{model_version.pk}/checks/run/"
    drift = {"kind": "drift", "dataset_version": dataset_version.pk}
    french = browser(scientist, "fr").post(url, drift)
    assert french.status_code == 400
    assert "Un contrôle de dérive a besoin d'une reference_dataset_version." in text(french)
    fairness = {"kind": "fairness", "dataset_version": dataset_version.pk}
    german = browser(scientist, "de").post(url, fairness)
    assert german.status_code == 400
    # The check kind is named by its translated label.
    assert "Eine Prüfung „Fairness“ braucht eine Spalte mit der Rolle 'target'" in text(german)
    french = browser(scientist, "fr").post(url, fairness)
    assert "Un contrôle « Équité » a besoin d'une colonne de rôle 'target'" in text(french)

    client = api(scientist)
    api_url = f"/api/v1/model-versions/{model_version.pk}/checks/"
    error = refused(client.post(api_url, drift, format="json", HTTP_ACCEPT_LANGUAGE="fr"), 400)
    assert error == {
        "code": "reference_required",
        "message": "A drift check needs a reference_dataset_version.",
    }
    error = refused(client.post(api_url, fairness, format="json", HTTP_ACCEPT_LANGUAGE="de"), 400)
    assert error["code"] == "missing_target"
    assert error["message"].startswith("A fairness check needs a column with role 'target'")


def test_rules_refuse_in_the_active_language():
    """Parameters come through the API only; the phrase a parameter expects is translated
    with the sentence around it."""
    with translation.override("fr"), pytest.raises(ServiceError) as french:
        validate_parameters("fairness", {"min_group_size": 0})
    assert french.value.message == "Le paramètre 'min_group_size' doit être un entier positif."
    with pytest.raises(ServiceError) as english:
        validate_parameters("fairness", {"min_group_size": 0})
    assert english.value.message == "Parameter 'min_group_size' must be a positive integer."


def test_reproduction_refusal_names_the_status_in_the_readers_language(
    auditor, scientist, model_version, api
):
    run = CheckRun.objects.create(
        kind="fairness", model_version=model_version, requested_by=scientist
    )
    url = f"/checks/{run.pk}/reproduce/"
    french = browser(auditor, "fr").post(url)
    assert french.status_code == 409
    assert (
        f"L'exécution {run.pk} n'a pas de résultat à reproduire (statut « En file d'attente »)."
        in text(french)
    )
    german = browser(auditor, "de").post(url)
    assert "(Status „In Warteschlange“)" in text(german)
    error = refused(
        api(auditor).post(f"/api/v1/checks/{run.pk}/reproduce/", HTTP_ACCEPT_LANGUAGE="fr"), 409
    )
    assert error["code"] == "not_reproducible"
    assert error["message"] == f"Run {run.pk} has no result to reproduce (status queued)."


def test_finding_refusals_in_the_readers_language(officer, scientist, model_version, api):
    run = CheckRun.objects.create(
        kind="fairness", model_version=model_version, requested_by=scientist
    )
    finding = Finding.objects.create(
        model_version=model_version, source="check", check_run=run, severity="high", code="x"
    )
    url = f"/findings/{finding.pk}/act/"
    empty = {"action": "resolve", "comment": ""}
    french = browser(officer, "fr").post(url, empty, HTTP_HX_REQUEST="true")
    assert "Expliquez pourquoi dans un commentaire ; il ne peut pas être vide." in text(french)
    german = browser(officer, "de").post(url, empty, HTTP_HX_REQUEST="true")
    assert "Begründen Sie es in einem Kommentar; er darf nicht leer sein." in text(german)
    Finding.objects.filter(pk=finding.pk).update(status="false_positive")
    closed = browser(officer, "fr").post(
        url, {"action": "resolve", "comment": "fixed"}, HTTP_HX_REQUEST="true"
    )
    assert (
        f"Le constat {finding.pk} a le statut « Faux positif » ; seuls les constats ouverts ou "
        "en cours peuvent être résolus." in text(closed)
    )

    client = api(officer)
    error = refused(
        client.post(
            f"/api/v1/findings/{finding.pk}/resolve/",
            {"comment": "fixed"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="fr",
        ),
        409,
    )
    assert error["code"] == "finding_closed"
    assert error["message"] == (
        f"Finding {finding.pk} is false positive; only open or in-progress findings can be "
        "resolved."
    )


def test_audit_in_progress_refusal_in_the_readers_language(officer, system, api):
    busy = AuditRun.objects.create(system=system, trigger="manual", requested_by=officer)
    french = browser(officer, "fr").post("/audits/start/", {"system": system.pk}, follow=True)
    assert (
        f"L'exécution d'audit {busy.pk} de ce système a encore le statut « En file d'attente »"
        in text(french)
    )
    german = browser(officer, "de").post("/audits/start/", {"system": system.pk}, follow=True)
    assert f"Auditlauf {busy.pk} dieses Systems hat noch den Status „In Warteschlange“" in text(
        german
    )
    error = refused(
        api(officer).post(
            "/api/v1/audit-runs/", {"system": system.pk}, format="json", HTTP_ACCEPT_LANGUAGE="de"
        ),
        409,
    )
    assert error["code"] == "audit_in_progress"
    assert error["message"] == (
        f"Audit run {busy.pk} of this system is still queued; wait for it to finish."
    )


def test_report_refusals_in_the_readers_language(officer, scientist, system, model_version, api):
    annex_xi = {"kind": "annex_xi", "model_version": model_version.pk}
    french = browser(officer, "fr").post("/reports/generate/", annex_xi)
    assert french.status_code == 400
    assert "Les documents des annexes XI et XII concernent les modèles d'IA à usage général" in (
        text(french)
    )
    pdf = reverse("registration-pdf", args=[system.pk]) + "?language=xx"
    german = browser(officer, "de").get(pdf)
    assert german.status_code == 400
    assert "Unbekannte Sprache 'xx'; verwenden Sie eine der folgenden: en, fr, de." in text(german)
    forbidden = browser(scientist, "de").get("/reports/")
    assert forbidden.status_code == 403
    assert "Berichte sind Auditoren, Compliance-Beauftragten und Administratoren vorbehalten." in (
        text(forbidden)
    )

    error = refused(
        api(officer).post(
            f"/api/v1/model-versions/{model_version.pk}/reports/",
            {"kind": "annex_xi"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="fr",
        ),
        400,
    )
    assert error["code"] == "not_gpai"
    assert error["message"].startswith("Annex XI and XII documents are for general-purpose AI")


def test_finding_confirmations_in_the_readers_language(officer, scientist, model_version):
    """What the findings page says after an action done without HTMX (a message on the next
    page) is a sentence of the reader's language too."""
    run = CheckRun.objects.create(
        kind="fairness", model_version=model_version, requested_by=scientist
    )
    finding = Finding.objects.create(
        model_version=model_version, source="check", check_run=run, severity="high", code="x"
    )
    url = f"/findings/{finding.pk}/act/"
    french = browser(officer, "fr")
    done = french.post(url, {"action": "start"}, follow=True)
    assert f"Le constat n° {finding.pk} est en cours de traitement." in text(done)
    german = browser(officer, "de")
    done = german.post(url, {"action": "resolve", "comment": "behoben"}, follow=True)
    assert f"Feststellung Nr. {finding.pk} gelöst." in text(done)
    assert "resolved." not in text(done)


def test_severities_and_statuses_of_findings_in_the_readers_language(
    officer, scientist, model_version
):
    run = CheckRun.objects.create(
        kind="fairness", model_version=model_version, requested_by=scientist
    )
    Finding.objects.create(
        model_version=model_version,
        source="check",
        check_run=run,
        severity="high",
        code="x",
        status="in_progress",
    )
    french = text(browser(officer, "fr").get("/findings/"))
    assert ">Élevé<" in french and ">En cours<" in french
    german = text(browser(officer, "de").get("/findings/"))
    assert ">Hoch<" in german and ">In Bearbeitung<" in german
    run_page = text(browser(officer, "de").get(f"/checks/{run.pk}/"))
    assert ">Hoch</span>" in run_page
