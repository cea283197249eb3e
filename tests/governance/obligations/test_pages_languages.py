"""The AI Act record pages in French and German. The labels of the JSON vocabularies (risk
scales, rights, incident categories) and of stored choices are translated where shown; the
records keep the English values."""

import shutil
import subprocess
from datetime import timedelta
from html import unescape

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from governance.obligations.crosswalks.texts import CONTROL_TEXTS, control_texts
from governance.obligations.risks.models import Risk
from governance.obligations.vocab import TRANSLATED_LABELS, vocabulary_labels

pytestmark = pytest.mark.django_db


def page(user, url, language) -> str:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_every_vocabulary_label_is_in_the_catalogues():
    assert vocabulary_labels() <= set(TRANSLATED_LABELS)
    for language in ("fr", "de"):
        path = settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
        translated = {e.msgid for e in polib.pofile(str(path)) if e.translated()}
        assert vocabulary_labels() <= translated, language


def test_every_control_text_is_in_the_catalogues():
    assert control_texts() <= set(CONTROL_TEXTS)
    for language in ("fr", "de"):
        path = settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
        translated = {e.msgid for e in polib.pofile(str(path)) if e.translated()}
        assert control_texts() <= translated, language


def test_crosswalks_page_shows_the_controls_in_the_readers_language(users, system):
    officer = users["compliance_officer"]
    iso = f"/systems/{system.pk}/crosswalks/?framework=iso42001"
    nist = f"/systems/{system.pk}/crosswalks/?framework=nist_ai_rmf"
    body = page(officer, iso, "fr")
    for phrase in (
        "A.2 Politiques en matière d'IA",
        "Le système est vérifié et validé",
        # Computed from the records, in whole sentences.
        "Analyse d'impact sur les droits fondamentaux : Aucune révision de l'AIDF n'est "
        "enregistrée.",
        "Le registre ne conserve aucun enregistrement pour ce contrôle",
        ">Registre des risques</a>",
    ):
        assert phrase in body, phrase
    for english in ("The system is verified and validated", "No FRIA revision is recorded."):
        assert english not in body, english
    assert "Risk tolerance is set" not in page(officer, nist, "fr")
    body = page(officer, iso, "de")
    for phrase in (
        "A.6 Lebenszyklus des KI-Systems",
        "Das System wird verifiziert und validiert",
        "Grundrechte-Folgenabschätzung: Keine Revision der GFA erfasst.",
    ):
        assert phrase in body, phrase
    assert "No FRIA revision is recorded." not in body
    assert "Die Risikotoleranz ist festgelegt" in page(officer, nist, "de")
    # English readers see the file's texts, as stored.
    body = page(officer, iso, "en")
    assert "A.2 AI policies" in body and "The system is verified and validated" in body
    assert "Fundamental rights impact assessment: No FRIA revision is recorded." in body


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_statement_of_applicability_in_french(users, system, tmp_path):
    officer = users["compliance_officer"]
    client = Client()
    client.force_login(officer)
    r = client.get(f"/systems/{system.pk}/statement-of-applicability.pdf?language=fr")
    assert r.status_code == 200 and r.content[:5] == b"%PDF-"
    path = tmp_path / "soa-fr.pdf"
    path.write_bytes(r.content)
    raw = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(raw.split())
    for phrase in (
        "A.2 Politiques en matière d'IA",
        "A.10 Tiers et clients",
        "A.6.2.4 Le système est vérifié et validé",
        "Aucune révision de l'AIDF n'est enregistrée.",
    ):
        assert phrase in text, phrase
    for english in ("The system is verified and validated", "No FRIA revision is recorded."):
        assert english not in text, english


def test_record_pages_in_french(users, api, system):
    officer = users["compliance_officer"]
    created = api(officer).post(
        f"/api/v1/systems/{system.pk}/risks/",
        {
            "title": "Indirect discrimination by postcode",
            "likelihood": 3,
            "severity": 4,
            "fundamental_rights": ["non_discrimination"],
            "review_date": str(timezone.localdate() + timedelta(days=30)),
        },
        format="json",
    )
    assert created.status_code == 201
    risks = page(officer, f"/systems/{system.pk}/risks/", "fr")
    for phrase in (
        "Registre des risques",
        "Possible",
        "Majeur",
        "Élevé (12)",
        "Non-discrimination (art. 21)",
        "Ouvert",
        "Ajouter un risque",
    ):
        assert phrase in risks, phrase
    assert "Add a risk" not in risks
    # The record keeps the scale's English label.
    assert Risk.objects.get().status == "open"
    pages = {
        "documentation": ("Documentation technique", "Destination", "Enregistrer comme nouvelle"),
        "incidents": ("Incidents graves", "Ouvrir un incident"),
        "monitoring-plan": ("Plan de surveillance après commercialisation",),
        "fria": ("Analyse d'impact sur les droits fondamentaux",),
        "conformity": ("Déclarations UE de conformité", "Évaluations au titre de l'art. 6(3)"),
        "crosswalks": ("Correspondances avec les normes",),
    }
    for tab, phrases in pages.items():
        body = page(officer, f"/systems/{system.pk}/{tab}/", "fr")
        for phrase in (*phrases, "Registre des risques", "Incidents graves"):
            assert phrase in body, (tab, phrase)


def test_record_pages_in_german(users, system):
    officer = users["compliance_officer"]
    pages = {
        "documentation": ("Technische Dokumentation", "Zweckbestimmung"),
        "risks": ("Risikoregister", "Risiko hinzufügen"),
        "incidents": ("Schwerwiegende Vorfälle", "Schwerwiegender Vorfall — 15 Tage"),
        "monitoring-plan": ("Plan zur Beobachtung nach dem Inverkehrbringen",),
        "fria": ("Grundrechte-Folgenabschätzung",),
        "conformity": ("EU-Konformitätserklärungen",),
        "crosswalks": ("Abgleich mit Normen",),
    }
    for tab, phrases in pages.items():
        body = page(officer, f"/systems/{system.pk}/{tab}/", "de")
        for phrase in phrases:
            assert phrase in body, (tab, phrase)
        assert "Serious incidents" not in body, tab
