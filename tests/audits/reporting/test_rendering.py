"""Report rendering without a database: every Annex IV heading, "not provided" for empty human
sections, bundled fonts only, no network, byte-identical output for the same snapshot."""

import hashlib
import shutil
import subprocess

import pytest

from audits.reporting.documents import (
    ANNEX_IV_FULL_SECTIONS,
    ANNEX_IV_SHORT_SECTIONS,
    APPENDICES,
    render_report_html,
    render_report_pdf,
)
from audits.reporting.render import render_pdf
from tests.audits.reporting.sample import sample

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def full_pdf() -> bytes:
    return render_report_pdf("annex_iv", sample(full=True))


@needs_poppler
def test_full_annex_iv_has_every_section_and_marks_gaps(full_pdf, tmp_path):
    text = pdf_text(full_pdf, tmp_path)
    for _, heading in ANNEX_IV_FULL_SECTIONS + APPENDICES:
        assert heading in text, heading
    # Human-written sections left empty in the snapshot are printed, not skipped.
    assert text.count("not provided") >= 8
    assert "Page 3 of" in text
    assert "Consumer credit scoring · credit-risk-xgb v1.0.0" in text
    assert "15d2" * 16 in text.replace("\n", "").replace(" ", "")


@needs_poppler
def test_fonts_are_the_bundled_ones(full_pdf, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(full_pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert names and all("Report-" in name for name in names), names


def test_same_snapshot_gives_the_same_bytes(full_pdf):
    again = render_report_pdf("annex_iv", sample(full=True))
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(full_pdf).hexdigest()
    changed = sample(full=True)
    changed["system"]["intended_purpose"] = "Something else."
    assert render_report_pdf("annex_iv", changed) != full_pdf


@needs_poppler
def test_short_version_for_systems_that_are_not_high_risk(tmp_path):
    snapshot = sample(full=False)
    snapshot["classification"].update(
        tier="limited", tier_label="Limited risk", art50=["50(1) interacts with people"]
    )
    text = pdf_text(render_report_pdf("annex_iv", snapshot), tmp_path)
    assert ANNEX_IV_SHORT_SECTIONS[0][1] in text
    assert "1 General description of the AI system" not in text
    assert "50(1) interacts with people" in text


def test_reports_refuse_remote_and_local_files_outside_static(caplog):

    html = (
        '<html><body><img src="https://example.org/x.png">'
        '<img src="file:///etc/passwd"></body></html>'
    )
    render_pdf(html)
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "bundled resources, not https://example.org/x.png" in messages
    assert "bundled resources, not file:///etc/passwd" in messages


def test_html_escapes_user_text():
    snapshot = sample(full=True)
    snapshot["system"]["intended_purpose"] = "<script>alert(1)</script>"
    html = render_report_html("annex_iv", snapshot)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
