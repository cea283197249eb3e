"""Drafting and signing the EU declaration of conformity, and recording Art. 6(3)
derogation assessments. Each writes its audit event."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from governance.kernel.accounts.models import User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Conflict, ServiceError, named_value
from governance.obligations.access import require_writer
from governance.obligations.conformity.models import (
    DECLARATION_ELEMENTS,
    Declaration,
    DeclarationStatus,
    Derogation,
    DerogationCondition,
)
from governance.policy.classification.models import RiskClassification, RiskTier
from registry.models import AISystem, ModelVersion

DECLARATION_FIELDS = [f for f, *_ in DECLARATION_ELEMENTS]
REASONING_MIN = 40
# What the signature names (Annex V point 8), as a refusal lists the blank ones.
SIGNATURE_ELEMENTS = {
    "signatory_name": gettext_noop("signatory name"),
    "signatory_function": gettext_noop("signatory function"),
    "on_behalf_of": gettext_noop("on behalf of"),
    "place_of_issue": gettext_noop("place of issue"),
}


def prefill(system: AISystem, model_version: ModelVersion | None = None) -> dict[str, str]:
    """What the record already says for each point of Annex V."""
    reference = system.name
    if model_version is not None:
        reference += f", model {model_version.model.name} version {model_version.version}"
    return {
        "provider_name": system.provider_name,
        "provider_address": "",
        "system_reference": reference,
        "other_union_law": "",
        "standards": system.standards_applied,
        "notified_body": "",
    }


def _clean(fields: dict) -> dict:
    unknown = sorted(set(fields) - {*DECLARATION_FIELDS, "processes_personal_data"})
    if unknown:
        raise ServiceError(
            "unknown_field",
            _("Unknown declaration fields: %(fields)s.") % {"fields": ", ".join(unknown)},
        )
    out = {f: str(fields[f]).strip() for f in DECLARATION_FIELDS if f in fields}
    if "provider_name" in out and len(out["provider_name"]) > 300:
        raise ServiceError("too_long", _("The provider's name has at most 300 characters."))
    if "processes_personal_data" in fields:
        out["processes_personal_data"] = bool(fields["processes_personal_data"])
    return out


@transaction.atomic
def declaration_draft(
    *,
    actor: User,
    system: AISystem,
    fields: dict | None = None,
    model_version: ModelVersion | None = None,
) -> Declaration:
    """A new draft declaration, prefilled from the record; ``fields`` override the prefill."""
    require_writer(
        actor, _("Only compliance officers and admins draft declarations of conformity.")
    )
    if model_version is not None and model_version.model.system_id != system.pk:
        raise ServiceError("wrong_system", _("That model version belongs to another system."))
    values = {**prefill(system, model_version), **_clean(fields or {})}
    AISystem.objects.select_for_update().filter(pk=system.pk).first()
    number = (Declaration.objects.filter(system=system).aggregate(n=Max("number"))["n"] or 0) + 1
    declaration = Declaration.objects.create(
        system=system, model_version=model_version, number=number, created_by=actor, **values
    )
    audit_event_record(
        actor=actor,
        action="declaration.drafted",
        target=declaration,
        payload={
            "system": system.pk,
            "number": number,
            "model_version": model_version and model_version.pk,
        },
    )
    return declaration


@transaction.atomic
def declaration_update(*, actor: User, declaration: Declaration, fields: dict) -> Declaration:
    require_writer(actor, _("Only compliance officers and admins edit declarations of conformity."))
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status != DeclarationStatus.DRAFT:
        raise Conflict(
            "declaration_signed", _("A signed declaration is never changed; draft a new one.")
        )
    values = _clean(fields)
    changed = [f for f, v in values.items() if getattr(declaration, f) != v]
    for f, v in values.items():
        setattr(declaration, f, v)
    declaration.save()
    audit_event_record(
        actor=actor, action="declaration.updated", target=declaration, payload={"changed": changed}
    )
    return declaration


def current_tier(system: AISystem) -> str | None:
    latest = RiskClassification.objects.filter(system=system).order_by("-created_at", "-id").first()
    return latest.tier if latest else None


@transaction.atomic
def declaration_sign(
    *,
    actor: User,
    declaration: Declaration,
    signatory_name: str,
    signatory_function: str,
    on_behalf_of: str,
    place_of_issue: str,
) -> Declaration:
    """Record that the named person signed the declaration (Annex V point 8). Only complete
    drafts of systems classified high risk are signed; the date of issue is now."""
    require_writer(actor, _("Only compliance officers and admins sign declarations of conformity."))
    declaration = (
        Declaration.objects.select_for_update().select_related("system").get(pk=declaration.pk)
    )
    if declaration.status != DeclarationStatus.DRAFT:
        raise Conflict("declaration_signed", _("This declaration was already signed."))
    person = {
        "signatory_name": signatory_name.strip(),
        "signatory_function": signatory_function.strip(),
        "on_behalf_of": on_behalf_of.strip(),
        "place_of_issue": place_of_issue.strip(),
    }
    blank = [_(SIGNATURE_ELEMENTS[k]) for k, v in person.items() if not v]
    if blank:
        raise ServiceError(
            "signature_incomplete", _("Give the %(elements)s.") % {"elements": ", ".join(blank)}
        )
    too_long = [k for k, v in person.items() if len(v) > 200 and k != "on_behalf_of"]
    if too_long or len(person["on_behalf_of"]) > 300:
        raise ServiceError("too_long", _("Names, function and place have at most 200 characters."))
    missing = declaration.missing()
    if missing:
        raise ServiceError(
            "declaration_incomplete",
            _("Fill in first: %(elements)s.") % {"elements": "; ".join(_(m) for m in missing)},
        )
    tier = current_tier(declaration.system)
    if tier != RiskTier.HIGH_RISK:
        message = (
            _(
                "An EU declaration of conformity is drawn up for high-risk systems; this system "
                "is classified %(tier)s."
            )
            % {"tier": named_value(tier, RiskTier)}
            if tier
            else _(
                "An EU declaration of conformity is drawn up for high-risk systems; this system "
                "is classified not at all."
            )
        )
        raise ServiceError("not_high_risk", message)
    for k, v in person.items():
        setattr(declaration, k, v)
    declaration.status = DeclarationStatus.SIGNED
    declaration.signed_at = timezone.now()
    declaration.signed_by = actor
    declaration.save()
    audit_event_record(
        actor=actor,
        action="declaration.signed",
        target=declaration,
        payload={
            "system": declaration.system_id,
            "number": declaration.number,
            "signatory": person["signatory_name"],
            "function": person["signatory_function"],
            "place": person["place_of_issue"],
        },
    )
    return declaration


@transaction.atomic
def derogation_record(
    *,
    actor: User,
    system: AISystem,
    annex_iii_area: str,
    conditions: list[str],
    profiling: bool,
    significant_risk: bool,
    reasoning: str,
) -> Derogation:
    """Record an Art. 6(3) assessment. The derogation applies when at least one condition
    of Art. 6(3)(a)-(d) is met, the system poses no significant risk of harm, and it does not
    profile natural persons (profiling is always high risk)."""
    require_writer(actor, _("Only compliance officers and admins record Art. 6(3) assessments."))
    valid = set(DerogationCondition.values)
    bad = [c for c in conditions if c not in valid]
    if bad:
        raise ServiceError(
            "unknown_condition",
            _("Unknown conditions %(conditions)s; use a, b, c or d.")
            % {"conditions": ", ".join(bad)},
        )
    area = annex_iii_area.strip()
    if not area or len(area) > 200:
        raise ServiceError("area_required", _("Name the Annex III area (at most 200 characters)."))
    reasoning = reasoning.strip()
    if len(reasoning) < REASONING_MIN:
        raise ServiceError(
            "reasoning_required",
            _(
                "Write the reasoning (at least %(minimum)s characters): why each condition "
                "holds, or why none does."
            )
            % {"minimum": REASONING_MIN},
        )
    conditions = sorted(set(conditions))
    applies = bool(conditions) and not profiling and not significant_risk
    row = Derogation.objects.create(
        system=system,
        annex_iii_area=area,
        conditions=conditions,
        profiling=profiling,
        significant_risk=significant_risk,
        reasoning=reasoning,
        applies=applies,
        assessed_by=actor,
    )
    audit_event_record(
        actor=actor,
        action="derogation.assessed",
        target=row,
        payload={
            "system": system.pk,
            "conditions": conditions,
            "profiling": profiling,
            "significant_risk": significant_risk,
            "applies": applies,
        },
    )
    return row
