"""The data of a system's entry in the EU database (Art. 49, Annex VIII), assembled from the
record, with every point the record does not hold listed as a gap.

Which section applies follows the latest classification: providers of high-risk systems
register under Section A (Art. 49(1)); providers who concluded that an Art. 6(3) derogation
applies register under Section B (Art. 49(2)); deployers of high-risk systems that are public
authorities or act on their behalf register their use under Section C (Art. 49(3)). When the
classification does not say whether the organisation is provider or deployer, both of the
sections that could apply are given.
"""

from __future__ import annotations

from django.utils import timezone

from governance.kernel.accounts.models import User
from governance.obligations.conformity.models import DeclarationStatus, DerogationCondition
from governance.obligations.conformity.selectors import declaration_list, derogation_list
from governance.obligations.fria.selectors import fria_current
from governance.policy.classification.models import RiskClassification, RiskTier
from governance.policy.deployments.models import Deployment, Environment
from registry.models import AISystem

NOT_RECORDED = "not recorded in the registry"


def _item(section, point, label, value="", source="", gap="", applicable_only=False) -> dict:
    value = (value or "").strip()
    if not value and not gap and not applicable_only:
        gap = NOT_RECORDED
    return {
        "section": section,
        "point": point,
        "label": label,
        "value": value,
        "source": source,
        "gap": gap,
        "where_applicable": applicable_only,
    }


def _status(system: AISystem) -> tuple[str, str]:
    prod = (
        Deployment.objects.filter(model__system=system, environment=Environment.PROD)
        .order_by("deployed_at", "id")
        .first()
    )
    if prod is None:
        return "Not yet placed on the market or put into service", "deployment log"
    return (
        f"In service (first production deployment {prod.deployed_at:%Y-%m-%d})",
        "deployment log",
    )


def _provider_items(section: str, system: AISystem, declaration) -> list[dict]:
    name = (declaration.provider_name if declaration else "") or system.provider_name
    address = declaration.provider_address if declaration else ""
    reference = declaration.system_reference if declaration else ""
    purpose = system.intended_purpose
    if system.architecture:
        purpose = f"{purpose}\nComponents: {system.architecture}".strip()
    return [
        _item(
            section,
            "1",
            "Name, address and contact details of the provider",
            "\n".join(v for v in (name, address) if v),
            "declaration of conformity / documentation",
            "" if name and address else "address and contact details " + NOT_RECORDED,
        ),
        _item(
            section,
            "2",
            "Person submitting on the provider's behalf",
            applicable_only=True,
        ),
        _item(section, "3", "Authorised representative", applicable_only=True),
        _item(
            section,
            "4",
            "Trade name and unambiguous reference",
            reference
            if reference.startswith(system.name)
            else f"{system.name}\n{reference}".strip(),
            "AI system / declaration of conformity",
        ),
        _item(
            section,
            "5",
            "Intended purpose, components and functions",
            purpose,
            "documentation: intended purpose, architecture",
            "" if system.intended_purpose else "intended purpose " + NOT_RECORDED,
        ),
    ]


def _section_a(system, declaration, signed) -> dict:
    status, status_source = _status(system)
    logic = "\n".join(v for v in (system.data_provenance, system.design_choices) if v)
    items = [
        *_provider_items("A", system, declaration),
        _item(
            "A",
            "6",
            "Information used (data, inputs) and operating logic",
            logic,
            "documentation: data provenance, design choices",
        ),
        _item("A", "7", "Status of the AI system", status, status_source),
        _item(
            "A",
            "8",
            "Notified body certificate",
            declaration.notified_body if declaration else "",
            "declaration of conformity",
            applicable_only=True,
        ),
        _item("A", "9", "Scanned copy of the certificate", applicable_only=True),
        _item("A", "10", "Member States where placed on the market or put into service"),
        _item(
            "A",
            "11",
            "EU declaration of conformity (Art. 47)",
            f"Declaration {signed.number}, signed {signed.signed_at:%Y-%m-%d} by "
            f"{signed.signatory_name}"
            if signed
            else "",
            "declaration of conformity",
            "" if signed else "no signed declaration of conformity",
        ),
        _item(
            "A",
            "12",
            "Electronic instructions for use",
            system.instructions_for_use,
            "documentation: instructions for use",
        ),
        _item("A", "13", "URL for additional information", applicable_only=True),
    ]
    return {"key": "A", "title": "Providers of high-risk AI systems (Art. 49(1))", "items": items}


def _section_b(system, declaration, derogation) -> dict:
    status, status_source = _status(system)
    labels = dict(DerogationCondition.choices)
    conditions = "\n".join(labels[c] for c in derogation.conditions) if derogation else ""
    items = [
        *_provider_items("B", system, declaration),
        _item(
            "B",
            "6",
            "Art. 6(3) conditions relied on",
            conditions,
            "derogation assessment",
            "" if derogation else "no Art. 6(3) assessment that concludes the derogation applies",
        ),
        _item(
            "B",
            "7",
            "Summary of the grounds",
            derogation.reasoning if derogation else "",
            "derogation assessment",
        ),
        _item("B", "8", "Status of the AI system", status, status_source),
        _item("B", "9", "Member States where placed on the market or put into service"),
    ]
    return {
        "key": "B",
        "title": "Providers relying on an Art. 6(3) derogation (Art. 49(2))",
        "items": items,
    }


def _section_c(system, fria) -> dict:
    summary = ""
    gap = "no fundamental rights impact assessment"
    if fria is not None:
        summary = (
            f"Revision {fria.number} of {fria.created_at:%Y-%m-%d}. "
            f"Risks: {fria.specific_risks or '(not written)'} "
            f"Measures: {fria.mitigation_measures or '(not written)'}"
        )
        missing = fria.missing()
        gap = f"the assessment lacks: {'; '.join(missing)}" if missing else ""
    items = [
        _item(
            "C",
            "1",
            "Name, address and contact details of the deployer",
            f"{system.team.name} (owning team)",
            "team",
            "the deployer's legal name, address and contact details " + NOT_RECORDED,
        ),
        _item("C", "2", "Person submitting on the deployer's behalf", applicable_only=True),
        _item("C", "3", "URL of the provider's entry in the EU database"),
        _item(
            "C",
            "4",
            "Summary of the fundamental rights impact assessment (Art. 27)",
            summary,
            "FRIA",
            gap,
        ),
        _item("C", "5", "Summary of the data protection impact assessment", applicable_only=True),
    ]
    return {"key": "C", "title": "Deployers of high-risk AI systems (Art. 49(3))", "items": items}


def registration_data(*, actor: User, system: AISystem) -> dict:
    """The Annex VIII data of ``system`` as ``actor`` may see it (the system is visible)."""
    latest = RiskClassification.objects.filter(system=system).order_by("-created_at", "-id").first()
    tier = latest.tier if latest else ""
    role = (latest.role if latest else "").lower()
    declarations = declaration_list(actor=actor).filter(system=system).order_by("-number")
    signed = declarations.filter(status=DeclarationStatus.SIGNED).first()
    declaration = signed or declarations.first()
    derogation = (
        derogation_list(actor=actor)
        .filter(system=system, applies=True)
        .order_by("-created_at", "-id")
        .first()
    )
    is_provider = role.startswith("provider") or not role
    is_deployer = role.startswith("deployer") or not role
    sections = []
    if tier == RiskTier.HIGH_RISK and is_provider:
        sections.append(_section_a(system, declaration, signed))
    if tier == RiskTier.NOT_HIGH_RISK_6_3 and is_provider:
        sections.append(_section_b(system, declaration, derogation))
    if tier == RiskTier.HIGH_RISK and is_deployer:
        sections.append(_section_c(system, fria_current(actor=actor, system=system)))
    notes = []
    if not latest:
        notes.append("The system is not classified: classify it to know what to register.")
    elif not sections:
        notes.append(
            f"No registration is due for a system classified "
            f"{RiskTier(tier).label if tier in RiskTier.values else tier}: the EU database "
            "holds high-risk systems and systems relying on an Art. 6(3) derogation."
        )
    if latest and not role and sections:
        notes.append(
            "The classification does not record whether the organisation is the provider or "
            "the deployer: every section that could apply is given."
        )
    missing = [
        f"{i['section']}{i['point']} {i['label']}: {i['gap']}"
        for s in sections
        for i in s["items"]
        if i["gap"]
    ]
    return {
        "system": {"id": system.pk, "name": system.name, "team": system.team.name},
        "tier": tier,
        "role": latest.role if latest else "",
        "classification": latest.pk if latest else None,
        "sections": sections,
        "missing": missing,
        "notes": notes,
        "assembled_at": timezone.now().replace(microsecond=0).isoformat(),
    }
