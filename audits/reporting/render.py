"""HTML to PDF with WeasyPrint, deterministic: the same input gives the same bytes.

Determinism matters because a report's SHA-256 is its identity: regenerating from the stored
snapshot must prove that nothing changed. So the PDF's dates come from the snapshot (never the
clock), the document identifier is derived from the content, fonts are bundled with the
project (never the machine's), and no resource is fetched over the network.

Reports are tagged PDF (PDF/UA-1): a structure tree built from the HTML's headings, tables and
lists, the document language from ``<html lang>`` and the title from ``<title>``, so screen
readers and accessibility checkers can read them. Tagging adds no clock or random value, so
tagged output is as reproducible as untagged. Reports stored before tagging existed say so by
carrying no variant in their snapshot and are re-rendered untagged, as they were made.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

STATIC_ROOT = Path(__file__).resolve().parents[2] / "static"

#: The PDF variant of every report and record made now (WeasyPrint's name for PDF/UA-1).
PDF_VARIANT = "pdf/ua-1"


# Directories whose files a report may embed, by real path (symlinks resolved). The charts
# travel inside the HTML as data: URIs, so the bundled static files are all a report needs.
ALLOWED_ROOTS = (STATIC_ROOT.resolve(),)


class ResourceRefused(ValueError):
    """A report asked for something other than a bundled file or inline data."""


def bundled_path(url: str) -> Path:
    """The real path a ``file:`` URL names, if it lies inside ``ALLOWED_ROOTS``.

    The URL is decoded first (``%2e%2e`` is ``..``) and the path resolved with its symlinks
    before it is compared, so neither encoding nor links can step outside; the scheme is
    compared case-insensitively (``FILE://`` is ``file://``), and only local file URLs (no
    host, or ``localhost``) are accepted."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        raise ResourceRefused(f"reports may only use bundled resources, not {url}")
    if parts.netloc not in ("", "localhost"):
        raise ResourceRefused(f"reports may only use local files, not {url}")
    path = Path(url2pathname(unquote(parts.path)))
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise ResourceRefused(f"no bundled file at {url}") from exc
    if not real.is_file() or not any(root in real.parents for root in ALLOWED_ROOTS):
        raise ResourceRefused(f"reports may only use bundled resources, not {url}")
    return real


def _fetcher():
    """Serve bundled files (read here, by their checked real path) and ``data:`` URLs; refuse
    everything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            real = bundled_path(url)
            content_type = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                real.as_uri(), real.read_bytes(), {"Content-Type": content_type}
            )

    return LocalOnlyFetcher(allowed_protocols=("file", "data"), allow_redirects=False)


def render_pdf_pages(html: str, *, variant: str | None = PDF_VARIANT) -> tuple[bytes, int]:
    """Render ``html`` (which carries its own dcterms.created/modified meta, ``lang`` and
    title): PDF and pages. ``variant`` None renders an untagged PDF, as reports were made
    before tagging."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    options = {"pdf_variant": variant} if variant else {}
    document = HTML(
        string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=_fetcher()
    ).render(pdf_tags=bool(variant))
    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    return document.write_pdf(pdf_identifier=identifier, **options), len(document.pages)


def render_pdf(html: str, *, variant: str | None = PDF_VARIANT) -> bytes:
    return render_pdf_pages(html, variant=variant)[0]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
