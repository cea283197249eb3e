"""Named extension points: a page or an API payload of a lower layer shows what higher layers
provide, without importing them. Each higher layer registers its providers in its
``AppConfig.ready()``; the lower layer only reads the registry (as NetBox's template
extensions do)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class ExtensionPoint:
    """An ordered set of named providers, each a callable returning part of a page or payload."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._providers: dict[str, Callable[..., Any]] = {}

    def register(self, key: str, provider: Callable[..., Any]) -> None:
        # Registering the same key again replaces it: ready() may run more than once in tests.
        self._providers[key] = provider

    def collect(self, **kwargs: Any) -> dict[str, Any]:
        """Each provider's answer under its key, in registration order."""
        return {key: provider(**kwargs) for key, provider in self._providers.items()}

    def merged(self, **kwargs: Any) -> dict[str, Any]:
        """The providers' dicts merged into one (for page sections that add several keys)."""
        out: dict[str, Any] = {}
        for provider in self._providers.values():
            out.update(provider(**kwargs))
        return out


# The model version page: provider(request=, model_version=) -> dict of template sections.
model_version_panels = ExtensionPoint("model_version_panels")
# A person's admin page: provider(actor=, person=) -> dict of template context.
person_panels = ExtensionPoint("person_panels")
# One audit run's page: provider(user=, audit_run=) -> dict of template context.
audit_run_panels = ExtensionPoint("audit_run_panels")
# The model version API detail: provider(user=, model_version=, upstream=) -> a JSON value.
model_version_extras = ExtensionPoint("model_version_extras")
# A finding's row in the findings browser: provider(user=, finding=) -> {"label", "url"} or None.
finding_actions = ExtensionPoint("finding_actions")
