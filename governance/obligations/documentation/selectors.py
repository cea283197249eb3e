"""Reads of the documentation pages, narrowed to what the acting user may see."""

from __future__ import annotations

import difflib

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from governance.kernel.accounts.models import User
from governance.obligations.documentation.models import DocumentationRevision
from governance.obligations.documentation.services import SECTIONS
from registry.models import DOCUMENTATION_FIELDS

LABELS = {
    "description": gettext_noop("System description"),
    **dict(DOCUMENTATION_FIELDS),
    "human_oversight_measures": gettext_noop("Human oversight measures (structured)"),
}


def revision_list(*, actor: User, system_id: int) -> QuerySet[DocumentationRevision]:
    return (
        DocumentationRevision.objects.visible_to(actor)
        .filter(system_id=system_id)
        .select_related("author")
    )


def _lines(value) -> list[str]:
    if isinstance(value, list):
        return [
            f"- {m.get('measure', '')} | who: {m.get('who', '')} | when: {m.get('when', '')}"
            f" | how: {m.get('how', '')}"
            for m in value
        ]
    return str(value or "").splitlines()


def revision_diff(old: DocumentationRevision | None, new: DocumentationRevision) -> list[dict]:
    """Per section that differs: its label and the unified diff lines, each tagged
    added/removed/context so the page can colour them."""
    before = old.sections if old else {}
    out = []
    for name in SECTIONS:
        a, b = _lines(before.get(name)), _lines(new.sections.get(name))
        if a == b:
            continue
        lines = []
        for line in difflib.unified_diff(a, b, lineterm="", n=2):
            if line.startswith(("---", "+++")):
                continue
            kind = (
                "hunk"
                if line.startswith("@@")
                else {"+": "added", "-": "removed"}.get(line[:1], "context")
            )
            lines.append({"kind": kind, "text": line})
        out.append({"section": name, "label": LABELS.get(name, name), "lines": lines})
    return out
