"""The report renderer fetches bundled files only: decoded, resolved (symlinks too) and
checked against the allowed roots; any other scheme, host or path is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.reporting import render
from audits.reporting.render import STATIC_ROOT, ResourceRefused, bundled_path, render_pdf

STATIC_URI = STATIC_ROOT.as_uri()
HOSTNAME = Path("/etc/hostname")

ESCAPES = [
    f"{STATIC_URI}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/hostname",
    f"{STATIC_URI}/fonts/%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fhostname",
    "FILE:///etc/hostname",
    "File:///etc/hostname",
    "file:///etc/hostname",
    "file://localhost/etc/hostname",
    "file://attacker.example/etc/hostname",
    "http://127.0.0.1/",
    "ftp://example.org/x",
]


def _html(href: str) -> str:
    # rel="attachment" embeds the fetched file in the PDF: the exfiltration channel.
    return (
        '<html><head><meta name="dcterms.created" content="2026-01-01">'
        f'<link rel="attachment" href="{href}"></head><body><p>report</p></body></html>'
    )


@pytest.mark.parametrize("url", ESCAPES)
def test_escapes_are_refused(url):
    with pytest.raises(ResourceRefused):
        bundled_path(url)


@pytest.mark.parametrize("url", ESCAPES[:4])
def test_a_report_cannot_embed_a_file_outside_the_bundle(url):
    pdf = render_pdf(_html(url))
    assert b"/EmbeddedFile" not in pdf


def test_a_bundled_file_is_served():
    licence = STATIC_ROOT / "fonts" / "SourceSans3-OFL.txt"
    assert bundled_path(licence.as_uri()) == licence.resolve()
    # The same channel works for a bundled file, so the test above can see an embedding.
    assert b"/EmbeddedFile" in render_pdf(_html(licence.as_uri()))


def test_a_symlink_out_of_an_allowed_root_is_refused(tmp_path, monkeypatch):
    root = tmp_path / "static"
    root.mkdir()
    (root / "ok.txt").write_text("fine")
    (root / "link.txt").symlink_to(HOSTNAME)
    monkeypatch.setattr(render, "ALLOWED_ROOTS", (root.resolve(),))
    assert bundled_path((root / "ok.txt").as_uri()).name == "ok.txt"
    with pytest.raises(ResourceRefused):
        bundled_path((root / "link.txt").as_uri())
