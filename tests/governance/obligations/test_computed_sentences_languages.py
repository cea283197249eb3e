"""Sentences the registry computes from the records (the post-market plan's mismatches, the EU
database registration's points and gaps) in the reader's language on the pages, in English
over the API."""

from __future__ import annotations

from html import unescape

import pytest
from django.utils import timezone

from audits.programme.models import AuditSchedule
from governance.obligations.monitoring.services import monitoring_plan_save
from governance.policy.classification.models import RiskClassification

pytestmark = pytest.mark.django_db


def reader(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


MISMATCH = {
    "en": "The plan audits every 90 days; the schedule runs every 30 days.",
    "fr": (
        "Le plan prévoit un audit tous les 90 jours ; le calendrier en lance un tous les 30 jours."
    ),
    "de": "Der Plan sieht alle 90 Tage ein Audit vor; der Auditplan läuft alle 30 Tage.",
}


@pytest.mark.parametrize("language", ["fr", "de"])
def test_plan_mismatches_on_the_page_and_over_the_api(language, users, api, browser_for, system):
    officer = reader(users["compliance_officer"], language)
    monitoring_plan_save(actor=officer, system=system, audit_interval_days=90, metrics=[])
    AuditSchedule.objects.create(system=system, interval_days=30, next_due=timezone.now())
    page = unescape(
        browser_for(officer).get(f"/systems/{system.pk}/monitoring-plan/").content.decode()
    )
    assert MISMATCH[language] in page and MISMATCH["en"] not in page
    body = api(officer).get(
        f"/api/v1/systems/{system.pk}/monitoring-plan/", HTTP_ACCEPT_LANGUAGE=language
    )
    assert MISMATCH["en"] in body.json()["mismatches"]


REGISTRATION = {
    "en": [
        "Providers of high-risk AI systems (Art. 49(1))",
        "Name, address and contact details of the provider",
        "no signed declaration of conformity",
        "A10 Member States where placed on the market or put into service: not recorded in the "
        "registry",
    ],
    "fr": [
        "Fournisseurs de systèmes d'IA à haut risque (article 49, paragraphe 1)",
        "Nom, adresse et coordonnées du fournisseur",
        "aucune déclaration de conformité signée",
        "A10 États membres où le système est mis sur le marché ou mis en service : non "
        "enregistré dans le registre",
    ],
    "de": [
        "Anbieter von Hochrisiko-KI-Systemen (Art. 49 Abs. 1)",
        "Name, Anschrift und Kontaktdaten des Anbieters",
        "keine unterzeichnete Konformitätserklärung",
        "A10 Mitgliedstaaten, in denen es in Verkehr gebracht oder in Betrieb genommen wurde: "
        "nicht im Register erfasst",
    ],
}


@pytest.mark.parametrize("language", ["fr", "de"])
def test_registration_data_on_the_page_and_over_the_api(language, users, api, browser_for, system):
    officer = reader(users["compliance_officer"], language)
    RiskClassification.objects.create(
        system=system, tier="high_risk", role="provider", classified_by=officer, rationale=[]
    )
    page = unescape(browser_for(officer).get(f"/systems/{system.pk}/conformity/").content.decode())
    for text in REGISTRATION[language]:
        assert text in page, text
    assert REGISTRATION["en"][1] not in page
    data = api(officer).get(f"/api/v1/systems/{system.pk}/eu-database-registration/").json()
    assert data["sections"][0]["title"] == REGISTRATION["en"][0]
    assert data["sections"][0]["items"][0]["label"] == REGISTRATION["en"][1]
    assert REGISTRATION["en"][3] in data["missing"]
    assert any(REGISTRATION["en"][2] == i["gap"] for i in data["sections"][0]["items"])


NOT_PLACED = {
    "en": "Not yet placed on the market or put into service",
    "fr": "Pas encore mis sur le marché ni mis en service",
    "de": "Noch nicht in Verkehr gebracht oder in Betrieb genommen",
}


@pytest.mark.parametrize("language", ["fr", "de"])
def test_a_system_never_deployed_reads_so_in_the_readers_language(
    language, users, api, browser_for, system
):
    """The status point's value is a label the registry writes, not text people wrote: the
    page translates it, the API keeps it English."""
    officer = reader(users["compliance_officer"], language)
    RiskClassification.objects.create(
        system=system, tier="high_risk", role="provider", classified_by=officer, rationale=[]
    )
    page = unescape(browser_for(officer).get(f"/systems/{system.pk}/conformity/").content.decode())
    assert NOT_PLACED[language] in page and NOT_PLACED["en"] not in page
    data = api(officer).get(f"/api/v1/systems/{system.pk}/eu-database-registration/").json()
    values = [i["value"] for i in data["sections"][0]["items"]]
    assert NOT_PLACED["en"] in values
