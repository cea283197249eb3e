"""Small helpers shared by the registry services."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from governance.kernel.accounts.models import User
from governance.kernel.errors import NotFound
from governance.kernel.permissions import CHANGE

# "No <verbose name> <id> that you may change." as whole sentences per model, so a translation
# can make the article agree with the noun.
_NOT_CHANGEABLE = {
    "aisystem": gettext_noop("No ai system %(id)s that you may change."),
    "model": gettext_noop("No model %(id)s that you may change."),
    "modelversion": gettext_noop("No model version %(id)s that you may change."),
    "dataset": gettext_noop("No dataset %(id)s that you may change."),
    "datasetversion": gettext_noop("No dataset version %(id)s that you may change."),
    "column": gettext_noop("No column %(id)s that you may change."),
    "piiflag": gettext_noop("No pii flag %(id)s that you may change."),
    "prompttemplate": gettext_noop("No prompt template %(id)s that you may change."),
}


def require_change(actor: User, obj: models.Model) -> None:
    """Refuse unless ``actor`` may change ``obj`` (same answer as the queryset filter)."""
    queryset = type(obj)._default_manager.all()
    # One fixed statement (the row's team) and the same rules as visible_to(): building the
    # ORM query cost several times more than running it, on every write.
    if not queryset.visible_pk(actor, obj.pk, CHANGE):
        # 404, not 403: another team's object must not be confirmed to exist.
        sentence = _NOT_CHANGEABLE.get(obj._meta.model_name)
        if sentence is None:
            message = _("No %(kind)s %(id)s that you may change.") % {
                "kind": obj._meta.verbose_name,
                "id": obj.pk,
            }
        else:
            message = _(sentence) % {"id": obj.pk}
        raise NotFound("not_found", message)


def apply_changes(obj: models.Model, changes: dict[str, Any]) -> dict[str, list[Any]]:
    """Set fields and return ``{field: [before, after]}`` for those that really changed."""
    diff: dict[str, list[Any]] = {}
    for name, value in changes.items():
        before = getattr(obj, name)
        if before != value:
            diff[name] = [before, value]
            setattr(obj, name, value)
    return diff
