"""The vocabularies of this layer, read once from the JSON files beside the code: the law's
numbers (incident day counts) and the risk scales are data a compliance officer can review
without reading Python."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_noop

HERE = Path(__file__).resolve().parent


@cache
def _load(relative: str) -> dict:
    return json.loads((HERE / relative).read_text(encoding="utf-8"))


def risk_scales() -> dict:
    return _load("risks/scales.json")


def incident_clocks() -> dict:
    return _load("incidents/clocks.json")


def scale_label(scale: str, value: int | None) -> str:
    for level in risk_scales()[scale]:
        if level["value"] == value:
            return level["label"]
    return ""


def risk_band(likelihood: int | None, severity: int | None) -> dict | None:
    """The band of likelihood x severity (highest band whose floor the score reaches)."""
    if not likelihood or not severity:
        return None
    score = likelihood * severity
    for band in risk_scales()["bands"]:
        if score >= band["min_score"]:
            return {**band, "score": score}
    return None


def incident_category(key: str) -> dict | None:
    return next((c for c in incident_clocks()["categories"] if c["key"] == key), None)


def rights_labels() -> dict[str, str]:
    return {r["key"]: r["label"] for r in risk_scales()["fundamental_rights"]}


# The labels of the JSON files, for the catalogues: the pages translate them when they show
# them; records, the API and the reports keep them as written in the files. A test checks
# that every label of the files is listed here.
TRANSLATED_LABELS = (
    gettext_noop("Rare"),
    gettext_noop("Unlikely"),
    gettext_noop("Possible"),
    gettext_noop("Likely"),
    gettext_noop("Almost certain"),
    gettext_noop("Negligible"),
    gettext_noop("Minor"),
    gettext_noop("Moderate"),
    gettext_noop("Major"),
    gettext_noop("Critical"),
    gettext_noop("High"),
    gettext_noop("Medium"),
    gettext_noop("Low"),
    gettext_noop("Human dignity (Charter art. 1)"),
    gettext_noop("Respect for private and family life (art. 7)"),
    gettext_noop("Protection of personal data (art. 8)"),
    gettext_noop("Freedom of expression and information (art. 11)"),
    gettext_noop("Non-discrimination (art. 21)"),
    gettext_noop("Equality between women and men (art. 23)"),
    gettext_noop("Rights of the child (art. 24)"),
    gettext_noop("Integration of persons with disabilities (art. 26)"),
    gettext_noop("Fair and just working conditions (art. 31)"),
    gettext_noop("Social security and assistance (art. 34)"),
    gettext_noop("Consumer protection (art. 38)"),
    gettext_noop("Right to good administration (art. 41)"),
    gettext_noop("Effective remedy and fair trial (art. 47)"),
    gettext_noop("Presumption of innocence (art. 48)"),
    gettext_noop("Serious incident"),
    gettext_noop("Death of a person"),
    gettext_noop(
        "Widespread infringement, or serious and irreversible disruption of critical infrastructure"
    ),
)


def vocabulary_labels() -> set[str]:
    """Every label of the JSON vocabularies."""
    scales = risk_scales()
    found = {
        x["label"]
        for k in ("likelihood", "severity", "bands", "fundamental_rights")
        for x in scales[k]
    }
    return found | {c["label"] for c in incident_clocks()["categories"]}
