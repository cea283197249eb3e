"""HTML to PDF with WeasyPrint, deterministic: the same input gives the same bytes.

Determinism matters because a report's SHA-256 is its identity: regenerating from the stored
snapshot must prove that nothing changed. So the PDF's dates come from the snapshot (never the
clock), the document identifier is derived from the content, fonts are bundled with the
project (never the machine's), and no resource is fetched over the network.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

STATIC_ROOT = Path(__file__).resolve().parents[2] / "static"


def _fetcher():
    """Resolve ``file://`` URLs inside ``static/`` and ``data:`` URLs; refuse everything else."""
    from weasyprint.urls import URLFetcher  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                path = Path(url[len("file://") :].split("?")[0]).resolve()
                if STATIC_ROOT not in path.parents:
                    raise ValueError(f"reports may only use bundled resources, not {url}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("file", "data"))


def render_pdf_pages(html: str) -> tuple[bytes, int]:
    """Render ``html`` (which carries its own dcterms.created/modified meta): PDF and pages."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    document = HTML(
        string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=_fetcher()
    ).render()
    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    return document.write_pdf(pdf_identifier=identifier), len(document.pages)


def render_pdf(html: str) -> bytes:
    return render_pdf_pages(html)[0]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
