"""Reports in French and German, as tagged PDF (PDF/UA-1): headings read back with pdftotext in
the report's language, the catalogue's /Lang, /MarkInfo and structure tree read with pypdf,
byte-identical re-rendering, the language chosen through the API and kept on the report."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess

import pytest
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from audits.reporting.documents import (
    ANNEX_IV_FULL_SECTIONS,
    APPENDICES,
    KIND_LABELS,
    render_report_html,
    render_report_pdf,
)
from audits.reporting.models import Report
from audits.reporting.render import PDF_VARIANT
from audits.runs.models.checks import CheckRun
from governance.kernel.audit.models import AuditEvent
from tests.audits.reporting.sample import sample

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def catalogue(pdf: bytes):
    reader = PdfReader(io.BytesIO(pdf))
    return reader.trailer["/Root"], reader.metadata


def snapshot_in(language: str) -> dict:
    s = sample(full=True)
    s["language"], s["pdf_variant"] = language, PDF_VARIANT
    return s


# Rendering a full Annex IV takes a few seconds: each language once for the whole module.
@pytest.fixture(scope="module")
def annex_iv_fr() -> bytes:
    return render_report_pdf("annex_iv", snapshot_in("fr"))


@pytest.fixture(scope="module")
def annex_iv_de() -> bytes:
    return render_report_pdf("annex_iv", snapshot_in("de"))


@needs_poppler
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            [
                "Documentation technique",
                "1 Description générale du système d'IA",
                "1.1 Destination",
                "5 Système de gestion des risques (article 9)",
                "9 Plan de surveillance après commercialisation (article 72)",
                "Appendice E : manifeste des empreintes",
                "non fourni",
                "Page 3 sur",
            ],
        ),
        (
            "de",
            [
                "Technische Dokumentation",
                "1 Allgemeine Beschreibung des KI-Systems",
                "1.1 Zweckbestimmung",
                "5 Risikomanagementsystem (Art. 9)",
                "9 Plan für die Beobachtung nach dem Inverkehrbringen (Art. 72)",
                "nicht angegeben",
                "Seite 3 von",
            ],
        ),
    ],
)
def test_annex_iv_headings_in_the_reports_language(
    language, expected, annex_iv_fr, annex_iv_de, tmp_path
):
    pdf = {"fr": annex_iv_fr, "de": annex_iv_de}[language]
    text = pdf_text(pdf, tmp_path).replace("\u00a0", " ")
    for phrase in expected:
        assert phrase.replace("\u00a0", " ") in text, phrase
    # Every section heading is the catalogue's translation, none left in English.
    with translation.override(language):
        for _, heading in ANNEX_IV_FULL_SECTIONS + APPENDICES:
            translated = translation.gettext(heading)
            assert translated != heading, heading
            assert translated.replace("\u00a0", " ") in text, translated
    assert "1 General description of the AI system" not in text
    assert "not provided" not in text
    # Dates the local way: 22.11.2026 in German, 22/11/2026 in French.
    assert {"fr": "22/11/2026", "de": "22.11.2026"}[language] in text


@needs_poppler
def test_tagged_pdf_with_language_and_title(annex_iv_fr, annex_iv_de, tmp_path):
    for language, pdf in (("fr", annex_iv_fr), ("de", annex_iv_de)):
        root, info = catalogue(pdf)
        assert root["/Lang"] == language
        assert bool(root["/MarkInfo"]["/Marked"])
        tree = root["/StructTreeRoot"].get_object()
        assert tree["/K"], "the structure tree has elements"
        assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
        with translation.override(language):
            kind = translation.gettext(KIND_LABELS["annex_iv"])
        assert info.title.startswith(kind), info.title
        path = tmp_path / f"{language}.pdf"
        path.write_bytes(pdf)
        pdfinfo = subprocess.run(
            ["pdfinfo", str(path)], capture_output=True, text=True, check=True
        ).stdout
        assert "Tagged:          yes" in pdfinfo
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        names = [line.split()[0] for line in fonts.splitlines()[2:]]
        assert names and all("Report-" in name for name in names), names


def test_tagged_rendering_is_reproducible(annex_iv_de):
    again = render_report_pdf("annex_iv", snapshot_in("de"))
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(annex_iv_de).hexdigest()


def test_snapshots_from_before_languages_render_untagged_in_english():
    """A stored report's snapshot names neither language nor variant: it is re-rendered as it
    was made, so its hash still verifies."""
    pdf = render_report_pdf("model_card", sample(full=True))
    root, _ = catalogue(pdf)
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" not in root and "/MarkInfo" not in root


@pytest.mark.django_db
@needs_poppler
def test_language_chosen_through_the_api_is_kept(
    auditor, api, model_version, django_capture_on_commit_callbacks, tmp_path
):
    client = api(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/reports/", {"kind": "inventory", "language": "de"}, format="json"
        )
    assert response.status_code == 202, response.content
    assert response.json()["language"] == "de"
    report = Report.objects.get(pk=response.json()["id"])
    assert report.status == "succeeded", report.error_message
    assert report.language == "de" and report.snapshot["language"] == "de"
    assert report.snapshot["pdf_variant"] == PDF_VARIANT
    pdf = client.get(f"/api/v1/reports/{report.pk}/download/").content
    root, info = catalogue(pdf)
    assert root["/Lang"] == "de"
    assert "/StructTreeRoot" in root
    assert info.title.startswith("Bestandsverzeichnis der KI-Systeme"), info.title
    text = pdf_text(pdf, tmp_path)
    assert "Bestandsverzeichnis der KI-Systeme" in text
    assert "Systeme nach Risikostufe" in text
    # A table cell may wrap: the system's name word by word.
    assert all(word in text for word in model_version.model.system.name.split())
    # Re-rendered from the snapshot as stored in the database: the same bytes, in German.
    verdict = client.post(f"/api/v1/reports/{report.pk}/verify/").json()
    assert verdict["identical"] is True, verdict
    event = AuditEvent.objects.get(action="report.requested", target_id=str(report.pk))
    assert event.payload["language"] == "de"


@pytest.mark.django_db
def test_an_unknown_language_is_a_400(auditor, api, model_version):
    client = api(auditor)
    response = client.post(
        "/api/v1/reports/", {"kind": "inventory", "language": "xx"}, format="json"
    )
    assert response.status_code == 400
    assert "language" in response.content.decode()
    response = client.post(
        f"/api/v1/model-versions/{model_version.pk}/reports/",
        {"kind": "model_card", "language": "it"},
        format="json",
    )
    assert response.status_code == 400
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_the_generate_form_takes_the_language(auditor, scientist, model_version):
    """The browser's generate form: the chosen language, else the page's; a wrong one is a
    400; roles without reports are refused whatever the language."""
    client = Client()
    client.force_login(auditor)
    body = {"kind": "model_card", "model_version": model_version.pk}
    response = client.post("/reports/generate/", {**body, "language": "de"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"DE" in response.content
    assert Report.objects.get().language == "de"
    refused = client.post("/reports/generate/", {**body, "language": "xx"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and b"Unknown report language" in refused.content
    # Without a choice, the language of the page.
    client.post("/reports/generate/", {"kind": "inventory"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert Report.objects.get(kind="inventory").language == "fr"
    outsider = Client()
    outsider.force_login(scientist)
    denied = outsider.post("/reports/generate/", {**body, "language": "fr"})
    assert denied.status_code == 403
    assert Report.objects.count() == 2


def test_metric_names_in_the_reports_language(annex_iv_fr, annex_iv_de, tmp_path):
    """The fairness metric of the sample, kept in words in the snapshot, is named in French and
    German; English prints the words as they always were."""
    english = render_report_html("annex_iv", snapshot_in("en"))
    assert "<td>demographic parity difference</td>" in english
    for language, pdf, name in (
        ("fr", annex_iv_fr, "écart de parité démographique"),
        ("de", annex_iv_de, "Differenz der demografischen Parität"),
    ):
        html = render_report_html("annex_iv", snapshot_in(language))
        assert f"<td>{name}</td>" in html and "demographic parity difference" not in html
        if shutil.which("pdftotext"):
            words = " ".join(pdf_text(pdf, tmp_path).split())
            assert name.split()[-1] in words, language


def test_metric_names_on_the_check_run_page(scientist, model_version):
    run = CheckRun.objects.create(
        kind="performance",
        model_version=model_version,
        requested_by=scientist,
        status="succeeded",
        result={"metrics": {"roc_auc": 0.81, "balanced_accuracy": 0.77}},
    )
    client = Client()
    client.force_login(scientist)
    pages = {}
    for language in ("en", "fr", "de"):
        scientist.language = language
        scientist.save(update_fields=["language"])
        pages[language] = client.get(f"/checks/{run.pk}/").content.decode()
    assert "Roc auc:" in pages["en"] and "Balanced accuracy:" in pages["en"]
    assert "AUC ROC:" in pages["fr"] and "Exactitude équilibrée:" in pages["fr"]
    assert "ROC-AUC:" in pages["de"] and "Balancierte Genauigkeit:" in pages["de"]
