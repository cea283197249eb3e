"""Turn a report snapshot into HTML (Django templates in templates/reports/) and PDF.

The snapshot is plain JSON: everything a report shows is in it, so rendering needs no
database and regenerating from a stored snapshot reproduces the same bytes. The snapshot's
``language`` says which language the report is written in: the templates and the labels here
are translated while rendering (the labels below are English message ids), so the snapshot
itself stays the same whatever the language but for that one key.
"""

from __future__ import annotations

import json
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from audits.reporting.render import render_pdf_pages
from governance.kernel.audit.services import canonical_json
from governance.kernel.languages import language_or_default

TEMPLATE_VERSION = "2026.12-3"

KIND_LABELS = {
    "annex_iv": gettext_noop("Technical documentation (EU AI Act, Annex IV)"),
    "model_card": gettext_noop("Model card"),
    "annex_xi": gettext_noop(
        "Technical documentation of a general-purpose AI model (EU AI Act, Annex XI)"
    ),
    "annex_xii": gettext_noop("Information for downstream providers (EU AI Act, Annex XII)"),
    "audit": gettext_noop("Audit report"),
    "inventory": gettext_noop("AI system inventory register"),
}

# Section headings of the full Annex IV document (AI_ACT.md section 5), in order. Tests read
# the PDF back and look for each one.
ANNEX_IV_FULL_SECTIONS = [
    ("s1", gettext_noop("1 General description of the AI system")),
    ("s2", gettext_noop("2 Development process and design")),
    ("s3", gettext_noop("3 Monitoring, functioning and control")),
    ("s4", gettext_noop("4 Performance metrics and thresholds")),
    ("s5", gettext_noop("5 Risk management system (Art. 9)")),
    ("s6", gettext_noop("6 Changes over the lifecycle")),
    ("s7", gettext_noop("7 Harmonised standards and specifications applied")),
    ("s8", gettext_noop("8 EU declaration of conformity (Art. 47)")),
    ("s9", gettext_noop("9 Post-market monitoring plan (Art. 72)")),
]
ANNEX_IV_SHORT_SECTIONS = [
    ("s-short", gettext_noop("Classification and transparency (short technical documentation)"))
]
APPENDICES = [
    ("sa", gettext_noop("Appendix A: Model card")),
    ("sb", gettext_noop("Appendix B: Datasheets")),
    ("sc", gettext_noop("Appendix C: Logging and retention (Art. 12, 19)")),
    ("sd", gettext_noop("Appendix D: Incidents and reporting deadlines (Art. 73)")),
    ("se", gettext_noop("Appendix E: Hash manifest")),
]


def _context(kind: str, snapshot: dict[str, Any], charts: dict[str, str]) -> dict[str, Any]:
    # One key order whatever stored the snapshot: PostgreSQL's jsonb reorders object keys, and
    # a re-render from the stored snapshot must give the same bytes as the first render.
    s = json.loads(canonical_json(snapshot))
    s["kind_label"] = gettext(KIND_LABELS[kind])
    s.setdefault("template_version", TEMPLATE_VERSION)
    if kind == "annex_iv":
        body = ANNEX_IV_FULL_SECTIONS if s.get("full") else ANNEX_IV_SHORT_SECTIONS
        s["sections"] = [{"anchor": a, "title": gettext(t)} for a, t in body + APPENDICES]
    # Charts are referenced by blob hash in the snapshot and embedded as data URIs here.
    for key in ("fairness", "explainability"):
        block = s.get(key) or {}
        for chart in block.get("charts", []):
            chart["data_uri"] = charts.get(chart.get("sha256", ""), "")
    return {"s": s}


def render_report_html(
    kind: str, snapshot: dict[str, Any], charts: dict[str, str] | None = None
) -> str:
    """The report's HTML in the snapshot's language (English when it names none)."""
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown report kind {kind!r}")
    with translation.override(language_or_default(snapshot.get("language"))):
        return render_to_string(f"reports/{kind}.html", _context(kind, snapshot, charts or {}))


def render_report_pdf(
    kind: str, snapshot: dict[str, Any], charts: dict[str, str] | None = None
) -> bytes:
    return render_report_pdf_pages(kind, snapshot, charts)[0]


def render_report_pdf_pages(
    kind: str, snapshot: dict[str, Any], charts: dict[str, str] | None = None
) -> tuple[bytes, int]:
    """PDF and page count; tagged in the variant the snapshot names (none: untagged, as
    reports were made before tagging)."""
    html = render_report_html(kind, snapshot, charts)
    return render_pdf_pages(html, variant=snapshot.get("pdf_variant"))
