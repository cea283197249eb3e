"""The vocabularies of this layer, read once from the JSON files beside the code: the law's
numbers (incident day counts) and the risk scales are data a compliance officer can review
without reading Python."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

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
