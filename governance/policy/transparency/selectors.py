"""Reads of Art. 50 duties and measures, narrowed to the acting user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from governance.kernel.accounts.models import User
from governance.kernel.permissions import VIEW
from governance.policy.transparency.models import TransparencyMeasure
from governance.policy.transparency.services import applicable_duties
from registry.models import AISystem


def measure_list(*, actor: User, action: str = VIEW) -> QuerySet[TransparencyMeasure]:
    return TransparencyMeasure.objects.visible_to(actor, action).select_related("recorded_by")


def duties_status(system: AISystem) -> list[dict[str, Any]]:
    """Each applicable duty with its latest measure (None: not met yet). The caller has
    selected the system for the acting user."""
    latest: dict[str, TransparencyMeasure] = {}
    for row in TransparencyMeasure.objects.filter(system=system).select_related("recorded_by"):
        latest.setdefault(row.duty, row)  # ordered newest first per duty
    return [
        {
            "paragraph": f"Art. {paragraph}",
            "duty": duty,
            "label": label,
            "met": duty in latest,
            "measure": latest.get(duty),
        }
        for paragraph, duty, label in applicable_duties(system)
    ]
