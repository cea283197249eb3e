"""Recording the measures that meet a system's Art. 50 duties."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from governance.kernel.accounts.models import User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Forbidden, NotFound, ServiceError
from governance.policy.classification.models import RiskClassification
from governance.policy.transparency.models import DUTIES, TransparencyMeasure
from registry.models import AISystem

MAX_CHARS = 10_000
# The team's scientists build the notice or the marking; compliance officers and admins may
# record for every team (the same rule as the measures' queryset).
RECORD_ROLES = frozenset({"data_scientist", "compliance_officer", "admin"})
CROSS_TEAM_ROLES = frozenset({"compliance_officer", "admin"})


def applicable_duties(system: AISystem) -> list[tuple[str, str, str]]:
    """(paragraph, duty, label) for each Art. 50 duty of the latest classification."""
    latest = RiskClassification.objects.filter(system=system).order_by("-created_at", "-id").first()
    flags = list(latest.transparency_flags or []) if latest else []
    return [(p, *DUTIES[p]) for p in sorted(flags) if p in DUTIES]


@transaction.atomic
def transparency_measure_record(
    *, actor: User, system: AISystem, duty: str, measure: str, evidence: str
) -> TransparencyMeasure:
    """Record how ``system`` meets ``duty`` (one of its applicable duties)."""
    if actor.role not in RECORD_ROLES:
        raise Forbidden("role_forbidden", _("Your role may not record transparency measures."))
    if actor.role not in CROSS_TEAM_ROLES and system.team_id not in set(actor.team_ids()):
        raise NotFound("not_found", _("No system %(id)s that you may change.") % {"id": system.pk})
    duties = {d for _paragraph, d, _label in applicable_duties(system)}
    if duty not in duties:
        names = {"duty": repr(duty), "system": system.name, "duties": ", ".join(sorted(duties))}
        message = (
            _(
                "%(duty)s is not an Art. 50 duty of %(system)s under its current "
                "classification (applicable: %(duties)s)."
            )
            if duties
            else _(
                "%(duty)s is not an Art. 50 duty of %(system)s under its current "
                "classification (applicable: none)."
            )
        )
        raise ServiceError("duty_not_applicable", message % names)
    for name, value in (("measure", measure), ("evidence", evidence)):
        if not isinstance(value, str) or not value.strip():
            raise ServiceError("empty_field", _("%(field)s is empty.") % {"field": name})
        if len(value) > MAX_CHARS:
            raise ServiceError(
                "too_long",
                _("%(field)s may hold at most %(limit)s characters.")
                % {"field": name, "limit": MAX_CHARS},
            )
    row = TransparencyMeasure.objects.create(
        system=system, duty=duty, measure=measure, evidence=evidence, recorded_by=actor
    )
    audit_event_record(
        actor=actor,
        action="transparency_measure.recorded",
        target=row,
        payload={"system": system.pk, "duty": duty, "measure": measure, "evidence": evidence},
    )
    return row
