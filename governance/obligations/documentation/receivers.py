"""The documentation layer reacts to documentation edits made through the registry."""

from __future__ import annotations

from governance.obligations.documentation.services import documentation_revision_from_api
from registry.signals import system_documentation_changed


def _on_documentation_changed(sender, *, system, actor, fields, **kwargs) -> None:
    documentation_revision_from_api(actor=actor, system=system, fields=fields)


def connect() -> None:
    system_documentation_changed.connect(
        _on_documentation_changed, dispatch_uid="obligations.documentation_revision"
    )
