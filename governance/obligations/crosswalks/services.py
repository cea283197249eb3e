"""Recording whether a control applies to a system (the Statement of Applicability)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.kernel.accounts.models import User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import NotFound, ServiceError
from governance.obligations.access import require_writer
from governance.obligations.crosswalks.models import Applicability, Control, Framework
from registry.models import AISystem

MIN_JUSTIFICATION = 10


def framework_checked(framework: str) -> str:
    if framework not in Framework.values:
        raise ServiceError(
            "invalid_framework",
            _("Unknown framework %(framework)s; use one of %(frameworks)s.")
            % {"framework": repr(framework), "frameworks": ", ".join(Framework.values)},
        )
    return framework


def control_find(*, framework: str, ref: str) -> Control:
    framework_checked(framework)
    control = Control.objects.filter(framework=framework, ref=ref).first()
    if control is None:
        raise NotFound(
            "not_found",
            _("No control %(ref)s in %(framework)s.") % {"ref": repr(ref), "framework": framework},
        )
    return control


@transaction.atomic
def applicability_set(
    *, actor: User, system: AISystem, control: Control, applicable: bool, justification: str
) -> Applicability:
    """State whether ``control`` applies to ``system`` and why. A justification is always
    required (an exclusion must say why; an inclusion says what it covers)."""
    require_writer(actor, _("Only compliance officers and admins decide which controls apply."))
    justification = (justification or "").strip()
    if len(justification) < MIN_JUSTIFICATION:
        raise ServiceError(
            "justification_required",
            _("Give a justification of at least %(minimum)s characters.")
            % {"minimum": MIN_JUSTIFICATION},
        )
    row = Applicability.objects.select_for_update().filter(system=system, control=control).first()
    before = {"applicable": row.applicable, "justification": row.justification} if row else None
    if row is None:
        row = Applicability(system=system, control=control)
    row.applicable = applicable
    row.justification = justification
    row.decided_by = actor
    row.decided_at = timezone.now()
    row.save()
    audit_event_record(
        actor=actor,
        action="control_applicability.set",
        target=row,
        payload={
            "system": system.pk,
            "framework": control.framework,
            "control": control.ref,
            "applicable": applicable,
            "justification": justification,
            "before": before,
        },
    )
    return row
