"""Editing a system's documentation: the text lands on the AI system and a numbered
revision of the whole document is kept, with who and when."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import NotFound, ServiceError
from governance.obligations.documentation.models import DocumentationRevision
from registry.models import DOCUMENTATION_FIELDS, AISystem

TEXT_SECTIONS = ["description", *(name for name, _ in DOCUMENTATION_FIELDS)]
SECTIONS = [*TEXT_SECTIONS, "human_oversight_measures"]
MEASURE_KEYS = ("measure", "who", "when", "how")


def may_edit_documentation(actor: User, system: AISystem) -> bool:
    """Compliance officers and admins document every system; a data scientist documents the
    systems of their own teams (the same people the registry lets edit the system)."""
    if not (actor.is_authenticated and actor.is_active):
        return False
    if actor.role in (Role.ADMIN, Role.COMPLIANCE_OFFICER):
        return True
    return actor.role == Role.DATA_SCIENTIST and system.team_id in actor.team_ids()


def current_sections(system: AISystem) -> dict[str, Any]:
    return {name: getattr(system, name) for name in SECTIONS}


def clean_measures(measures: list[dict]) -> list[dict]:
    """Each measure names what it is, who applies it and when; blank rows are dropped."""
    out = []
    for row in measures or []:
        item = {key: str(row.get(key, "")).strip() for key in MEASURE_KEYS}
        if not any(item.values()):
            continue
        if not (item["measure"] and item["who"] and item["when"]):
            raise ServiceError(
                "incomplete_measure",
                _("Each human oversight measure needs what it is, who applies it and when."),
            )
        out.append(item)
    return out


def _record_revision(
    *, actor: User, system: AISystem, changed: list[str], note: str
) -> DocumentationRevision:
    last = system.documentation_revisions.aggregate(n=Max("number"))["n"] or 0
    revision = DocumentationRevision.objects.create(
        system=system,
        number=last + 1,
        sections=current_sections(system),
        changed_fields=changed,
        note=note[:300],
        author=actor,
    )
    audit_event_record(
        actor=actor,
        action="documentation.revised",
        target=system,
        payload={"revision": revision.number, "fields": changed, "note": revision.note},
    )
    return revision


@transaction.atomic
def documentation_revise(
    *, actor: User, system: AISystem, changes: dict[str, Any], note: str = ""
) -> DocumentationRevision | None:
    """Apply ``changes`` (documentation sections only) and keep a revision; None if nothing
    changed. Locks the system so two editors get consecutive revision numbers."""
    system = AISystem.objects.select_for_update().get(pk=system.pk)
    if not may_edit_documentation(actor, system):
        if actor.role == Role.DATA_SCIENTIST:
            raise NotFound(
                "not_found", _("No AI system %(id)s that you may change.") % {"id": system.pk}
            )
        raise ServiceError(
            "documentation_role",
            _("Compliance officers, admins and the system's team write its documentation."),
            status_code=403,
        )
    unknown = set(changes) - set(SECTIONS)
    if unknown:
        raise ServiceError(
            "unknown_section",
            _("Unknown sections: %(sections)s.") % {"sections": ", ".join(sorted(unknown))},
        )
    if "human_oversight_measures" in changes:
        changes = {
            **changes,
            "human_oversight_measures": clean_measures(changes["human_oversight_measures"]),
        }
    changed = []
    for name, value in changes.items():
        if getattr(system, name) != value:
            setattr(system, name, value)
            changed.append(name)
    if not changed and system.documentation_revisions.exists():
        return None
    system.save()
    return _record_revision(actor=actor, system=system, changed=changed, note=note)


@transaction.atomic
def documentation_revision_from_api(*, actor: User, system: AISystem, fields: list[str]) -> None:
    """A documentation edit through the registry's API: keep its revision too."""
    system = AISystem.objects.select_for_update().get(pk=system.pk)
    _record_revision(actor=actor, system=system, changed=fields, note="edited through the API")
