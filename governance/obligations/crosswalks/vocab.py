"""The controls file beside the code and its loader (run by the data migration and by
``controls_sync`` when the file changes)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

CONTROLS_FILE = Path(__file__).resolve().parent / "controls.json"


@cache
def controls_data() -> dict:
    return json.loads(CONTROLS_FILE.read_text(encoding="utf-8"))


def load_controls(control_model) -> int:
    """Create or update every control of the file; returns how many rows it holds. Takes the
    model class so that a migration can pass its historical model."""
    count = 0
    for framework in controls_data()["frameworks"]:
        for position, row in enumerate(framework["controls"]):
            control_model.objects.update_or_create(
                framework=framework["key"],
                ref=row["ref"],
                defaults={
                    "group": row["group"],
                    "group_title": row["group_title"],
                    "title": row["title"],
                    "evidence": list(row["evidence"]),
                    "position": position,
                },
            )
            count += 1
    return count
