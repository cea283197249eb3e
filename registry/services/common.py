"""Small helpers shared by the registry services."""

from __future__ import annotations

from typing import Any

from django.db import models

from governance.kernel.accounts.models import User
from governance.kernel.errors import NotFound
from governance.kernel.permissions import CHANGE


def require_change(actor: User, obj: models.Model) -> None:
    """Refuse unless ``actor`` may change ``obj`` (same answer as the queryset filter)."""
    manager = type(obj)._default_manager
    if not manager.visible_to(actor, CHANGE).filter(pk=obj.pk).exists():
        # 404, not 403: another team's object must not be confirmed to exist.
        raise NotFound("not_found", f"No {obj._meta.verbose_name} {obj.pk} that you may change.")


def apply_changes(obj: models.Model, changes: dict[str, Any]) -> dict[str, list[Any]]:
    """Set fields and return ``{field: [before, after]}`` for those that really changed."""
    diff: dict[str, list[Any]] = {}
    for name, value in changes.items():
        before = getattr(obj, name)
        if before != value:
            diff[name] = [before, value]
            setattr(obj, name, value)
    return diff
