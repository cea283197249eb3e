"""Recording the measures that meet a system's Art. 50 duties."""

from __future__ import annotations

from django.db import transaction

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
        raise Forbidden("role_forbidden", "Your role may not record transparency measures.")
    if actor.role not in CROSS_TEAM_ROLES and system.team_id not in set(actor.team_ids()):
        raise NotFound("not_found", f"No system {system.pk} that you may change.")
    duties = {d for _, d, _ in applicable_duties(system)}
    if duty not in duties:
        raise ServiceError(
            "duty_not_applicable",
            f"{duty!r} is not an Art. 50 duty of {system.name} under its current "
            f"classification (applicable: {', '.join(sorted(duties)) or 'none'}).",
        )
    for name, value in (("measure", measure), ("evidence", evidence)):
        if not isinstance(value, str) or not value.strip():
            raise ServiceError("empty_field", f"{name} is empty.")
        if len(value) > MAX_CHARS:
            raise ServiceError("too_long", f"{name} may hold at most {MAX_CHARS} characters.")
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
