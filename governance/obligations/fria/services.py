"""Saving a fundamental rights impact assessment: each save adds a numbered revision."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from governance.kernel.accounts.models import User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Conflict, ServiceError
from governance.obligations.access import require_writer
from governance.obligations.fria.models import FRIA_FIELDS, FriaRevision
from governance.obligations.vocab import rights_labels
from registry.models import AISystem

MAX_TEXT = 20000


@transaction.atomic
def fria_save(
    *,
    actor: User,
    system: AISystem,
    elements: dict[str, str],
    rights_at_stake: list[str] | None = None,
    note: str = "",
) -> FriaRevision:
    """Record a new revision of the system's FRIA. Elements may stay blank while the
    assessment is being written (the page and the PDF list them as missing), but a revision
    identical to the current one is refused."""
    require_writer(
        actor, _("Only compliance officers and admins write fundamental rights impact assessments.")
    )
    unknown = sorted(set(elements) - set(FRIA_FIELDS))
    if unknown:
        raise ServiceError(
            "unknown_element",
            _("Unknown FRIA elements: %(elements)s.") % {"elements": ", ".join(unknown)},
        )
    texts = {f: str(elements.get(f) or "").strip() for f in FRIA_FIELDS}
    too_long = [f for f, t in texts.items() if len(t) > MAX_TEXT]
    if too_long:
        raise ServiceError(
            "too_long",
            _("At most %(limit)s characters in %(elements)s.")
            % {"limit": MAX_TEXT, "elements": ", ".join(too_long)},
        )
    labels = rights_labels()
    rights = sorted(set(rights_at_stake or []))
    bad = [r for r in rights if r not in labels]
    if bad:
        raise ServiceError(
            "unknown_right",
            _("Unknown fundamental rights %(rights)s; use %(known)s.")
            % {"rights": ", ".join(bad), "known": ", ".join(labels)},
        )
    if not any(texts.values()):
        raise ServiceError("empty_assessment", _("Write at least one element of the assessment."))
    # One writer at a time per system, so two saves cannot take the same number.
    AISystem.objects.select_for_update().filter(pk=system.pk).first()
    current = FriaRevision.objects.filter(system=system).order_by("-number").first()
    if (
        current is not None
        and all(getattr(current, f) == t for f, t in texts.items())
        and (current.rights_at_stake == rights)
    ):
        raise Conflict(
            "no_change",
            _("Revision %(number)s already says exactly this.") % {"number": current.number},
        )
    number = (FriaRevision.objects.filter(system=system).aggregate(n=Max("number"))["n"] or 0) + 1
    revision = FriaRevision.objects.create(
        system=system,
        number=number,
        rights_at_stake=rights,
        note=note.strip()[:300],
        author=actor,
        **texts,
    )
    audit_event_record(
        actor=actor,
        action="fria.revised",
        target=revision,
        payload={
            "system": system.pk,
            "number": number,
            "missing": revision.missing(),
            "changed": [
                f for f in FRIA_FIELDS if current is None or getattr(current, f) != texts[f]
            ],
        },
    )
    return revision
