"""Writing the risk register: hazards and their mitigations (compliance officers, admins)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audits.checks.vocabulary import CHECK_KINDS
from audits.runs.models.checks import CheckRun
from governance.kernel.accounts.models import User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import ServiceError
from governance.obligations.access import require_writer
from governance.obligations.risks.models import EvidenceType, Mitigation, Risk, RiskStatus
from governance.obligations.vocab import rights_labels
from governance.policy.policies.models import Policy
from registry.models import AISystem

RISK_FIELDS = frozenset(
    {
        "title",
        "hazard",
        "likelihood",
        "severity",
        "affected_groups",
        "fundamental_rights",
        "owner",
        "residual_likelihood",
        "residual_severity",
        "review_date",
        "status",
    }
)


def _validate(fields: dict[str, Any]) -> None:
    for name in ("likelihood", "severity", "residual_likelihood", "residual_severity"):
        value = fields.get(name)
        if value is not None and not 1 <= int(value) <= 5:
            raise ServiceError(
                "invalid_level", _("%(field)s must be between 1 and 5.") % {"field": name}
            )
    unknown = set(fields.get("fundamental_rights") or []) - set(rights_labels())
    if unknown:
        raise ServiceError(
            "unknown_right",
            _("Unknown fundamental rights: %(rights)s.") % {"rights": sorted(unknown)},
        )
    if fields.get("status") and fields["status"] not in RiskStatus.values:
        raise ServiceError(
            "invalid_status", _("Unknown status %(status)s.") % {"status": repr(fields["status"])}
        )


def _payload(risk: Risk) -> dict:
    return {
        "system": risk.system_id,
        "title": risk.title,
        "likelihood": risk.likelihood,
        "severity": risk.severity,
        "residual": [risk.residual_likelihood, risk.residual_severity],
        "review_date": risk.review_date,
        "status": risk.status,
    }


@transaction.atomic
def risk_create(
    *,
    actor: User,
    system: AISystem,
    title: str,
    likelihood: int,
    severity: int,
    review_date: date,
    **fields: Any,
) -> Risk:
    require_writer(actor, _("Only compliance officers and admins write the risk register."))
    unknown = set(fields) - RISK_FIELDS
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    _validate({"likelihood": likelihood, "severity": severity, **fields})
    risk = Risk.objects.create(
        system=system,
        title=title,
        likelihood=likelihood,
        severity=severity,
        review_date=review_date,
        created_by=actor,
        **fields,
    )
    audit_event_record(actor=actor, action="risk.created", target=risk, payload=_payload(risk))
    return risk


@transaction.atomic
def risk_update(*, actor: User, risk: Risk, **changes: Any) -> Risk:
    require_writer(actor, _("Only compliance officers and admins write the risk register."))
    unknown = set(changes) - RISK_FIELDS
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    _validate(changes)
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    diff = {}
    for name, value in changes.items():
        before = getattr(risk, name)
        if before != value:
            diff[name] = [getattr(before, "pk", before), getattr(value, "pk", value)]
            setattr(risk, name, value)
    if diff:
        risk.save()
        audit_event_record(actor=actor, action="risk.updated", target=risk, payload=diff)
    return risk


@transaction.atomic
def mitigation_add(
    *,
    actor: User,
    risk: Risk,
    description: str,
    evidence_type: str = EvidenceType.NONE,
    check_kind: str = "",
    check_run: CheckRun | None = None,
    policy: Policy | None = None,
    oversight_measure: str = "",
) -> Mitigation:
    """A mitigation and the evidence that it is in place; the evidence must exist: a check
    kind of the vocabulary, a check run of this system, a policy, or one of the system's
    documented oversight measures."""
    require_writer(actor, _("Only compliance officers and admins write the risk register."))
    if evidence_type not in EvidenceType.values:
        raise ServiceError(
            "invalid_evidence",
            _("Unknown evidence type %(type)s.") % {"type": repr(evidence_type)},
        )
    if evidence_type == EvidenceType.CHECK_KIND and check_kind not in CHECK_KINDS:
        raise ServiceError(
            "invalid_check_kind", _("Unknown check kind %(kind)s.") % {"kind": repr(check_kind)}
        )
    if evidence_type == EvidenceType.CHECK_RUN and (
        check_run is None or check_run.model_version.model.system_id != risk.system_id
    ):
        raise ServiceError("invalid_check_run", _("Choose a check run of this system."))
    if evidence_type == EvidenceType.POLICY and policy is None:
        raise ServiceError("policy_required", _("Choose the policy this mitigation rests on."))
    if evidence_type == EvidenceType.OVERSIGHT:
        documented = {m.get("measure") for m in risk.system.human_oversight_measures}
        if oversight_measure not in documented:
            raise ServiceError(
                "unknown_measure",
                _("Choose one of the human oversight measures in the system's documentation."),
            )
    mitigation = Mitigation.objects.create(
        risk=risk,
        description=description,
        evidence_type=evidence_type,
        check_kind=check_kind if evidence_type == EvidenceType.CHECK_KIND else "",
        check_run=check_run if evidence_type == EvidenceType.CHECK_RUN else None,
        policy=policy if evidence_type == EvidenceType.POLICY else None,
        oversight_measure=oversight_measure if evidence_type == EvidenceType.OVERSIGHT else "",
        created_by=actor,
    )
    audit_event_record(
        actor=actor,
        action="risk.mitigation_added",
        target=risk,
        payload={"mitigation": mitigation.pk, "evidence": mitigation.evidence_label},
    )
    return mitigation
