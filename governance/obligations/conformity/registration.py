"""The data of a system's entry in the EU database (Art. 49, Annex VIII), assembled from the
record, with every point the record does not hold listed as a gap.

Which section applies follows the latest classification: providers of high-risk systems
register under Section A (Art. 49(1)); providers who concluded that an Art. 6(3) derogation
applies register under Section B (Art. 49(2)); deployers of high-risk systems that are public
authorities or act on their behalf register their use under Section C (Art. 49(3)). When the
classification does not say whether the organisation is provider or deployer, both of the
sections that could apply are given.

The labels, sources, gaps, computed values and notes are sentences and terms
(``governance.kernel.sentences``): in English for the API (and as they have always read), in
the active language for the page and the PDF (``localized=True``). What people wrote and names
are given as written.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_noop

from governance.kernel.accounts.models import User
from governance.kernel.sentences import Day, Listing, Sentence, Term, shown
from governance.obligations.conformity.models import DeclarationStatus, DerogationCondition
from governance.obligations.conformity.selectors import declaration_list, derogation_list
from governance.obligations.fria.selectors import fria_current
from governance.policy.classification.models import RiskClassification, RiskTier
from governance.policy.deployments.models import Deployment, Environment
from registry.models import AISystem

NOT_RECORDED = Term(gettext_noop("not recorded in the registry"))
NOT_WRITTEN = Term(gettext_noop("(not written)"))


def _item(section, point, label, value="", source="", gap="", applicable_only=False) -> dict:
    """One point of Annex VIII: ``label``, ``source`` and ``gap`` are marked texts or sentences;
    ``value`` is what the record holds (people's text, or a sentence computed from it)."""
    if isinstance(value, str) and not isinstance(value, Sentence | Term | Listing):
        # People's text is trimmed; a computed value must keep what says it again in the
        # reader's language (trimming would leave its English text only).
        value = value.strip()
    if not value and not gap and not applicable_only:
        gap = NOT_RECORDED
    return {
        "section": section,
        "point": point,
        "label": Term(label),
        "value": value,
        "source": Term(source),
        "gap": gap,
        "where_applicable": applicable_only,
    }


def _status(system: AISystem):
    prod = (
        Deployment.objects.filter(model__system=system, environment=Environment.PROD)
        .order_by("deployed_at", "id")
        .first()
    )
    if prod is None:
        return Term(gettext_noop("Not yet placed on the market or put into service"))
    return Sentence(
        gettext_noop("In service (first production deployment %(date)s)"),
        date=Day(prod.deployed_at),
    )


def _provider_items(section: str, system: AISystem, declaration) -> list[dict]:
    name = (declaration.provider_name if declaration else "") or system.provider_name
    address = declaration.provider_address if declaration else ""
    reference = declaration.system_reference if declaration else ""
    purpose = system.intended_purpose.strip()
    if system.architecture:
        components = Sentence(
            gettext_noop("Components: %(architecture)s"), architecture=system.architecture
        )
        purpose = (
            Sentence("%(purpose)s\n%(components)s", purpose=purpose, components=components)
            if purpose
            else components
        )
    return [
        _item(
            section,
            "1",
            gettext_noop("Name, address and contact details of the provider"),
            "\n".join(v for v in (name, address) if v),
            gettext_noop("declaration of conformity / documentation"),
            ""
            if name and address
            else Term(gettext_noop("address and contact details not recorded in the registry")),
        ),
        _item(
            section,
            "2",
            gettext_noop("Person submitting on the provider's behalf"),
            applicable_only=True,
        ),
        _item(section, "3", gettext_noop("Authorised representative"), applicable_only=True),
        _item(
            section,
            "4",
            gettext_noop("Trade name and unambiguous reference"),
            reference
            if reference.startswith(system.name)
            else f"{system.name}\n{reference}".strip(),
            gettext_noop("AI system / declaration of conformity"),
        ),
        _item(
            section,
            "5",
            gettext_noop("Intended purpose, components and functions"),
            purpose,
            gettext_noop("documentation: intended purpose, architecture"),
            ""
            if system.intended_purpose
            else Term(gettext_noop("intended purpose not recorded in the registry")),
        ),
    ]


STATUS_LABEL = gettext_noop("Status of the AI system")
STATUS_SOURCE = gettext_noop("deployment log")
MEMBER_STATES = gettext_noop("Member States where placed on the market or put into service")
DECLARATION_SOURCE = gettext_noop("declaration of conformity")
DEROGATION_SOURCE = gettext_noop("derogation assessment")


def _section_a(system, declaration, signed) -> dict:
    logic = "\n".join(v for v in (system.data_provenance, system.design_choices) if v)
    items = [
        *_provider_items("A", system, declaration),
        _item(
            "A",
            "6",
            gettext_noop("Information used (data, inputs) and operating logic"),
            logic,
            gettext_noop("documentation: data provenance, design choices"),
        ),
        _item("A", "7", STATUS_LABEL, _status(system), STATUS_SOURCE),
        _item(
            "A",
            "8",
            gettext_noop("Notified body certificate"),
            declaration.notified_body if declaration else "",
            DECLARATION_SOURCE,
            applicable_only=True,
        ),
        _item("A", "9", gettext_noop("Scanned copy of the certificate"), applicable_only=True),
        _item("A", "10", MEMBER_STATES),
        _item(
            "A",
            "11",
            gettext_noop("EU declaration of conformity (Art. 47)"),
            Sentence(
                gettext_noop("Declaration %(number)s, signed %(date)s by %(signatory)s"),
                number=signed.number,
                date=Day(signed.signed_at),
                signatory=signed.signatory_name,
            )
            if signed
            else "",
            DECLARATION_SOURCE,
            "" if signed else Term(gettext_noop("no signed declaration of conformity")),
        ),
        _item(
            "A",
            "12",
            gettext_noop("Electronic instructions for use"),
            system.instructions_for_use,
            gettext_noop("documentation: instructions for use"),
        ),
        _item("A", "13", gettext_noop("URL for additional information"), applicable_only=True),
    ]
    return {
        "key": "A",
        "title": Term(gettext_noop("Providers of high-risk AI systems (Art. 49(1))")),
        "items": items,
    }


def _section_b(system, declaration, derogation) -> dict:
    labels = dict(DerogationCondition.choices)
    conditions = (
        Listing(tuple(Term(labels[c]) for c in derogation.conditions), "\n")
        if derogation and derogation.conditions
        else ""
    )
    items = [
        *_provider_items("B", system, declaration),
        _item(
            "B",
            "6",
            gettext_noop("Art. 6(3) conditions relied on"),
            conditions,
            DEROGATION_SOURCE,
            ""
            if derogation
            else Term(
                gettext_noop("no Art. 6(3) assessment that concludes the derogation applies")
            ),
        ),
        _item(
            "B",
            "7",
            gettext_noop("Summary of the grounds"),
            derogation.reasoning if derogation else "",
            DEROGATION_SOURCE,
        ),
        _item("B", "8", STATUS_LABEL, _status(system), STATUS_SOURCE),
        _item("B", "9", MEMBER_STATES),
    ]
    return {
        "key": "B",
        "title": Term(gettext_noop("Providers relying on an Art. 6(3) derogation (Art. 49(2))")),
        "items": items,
    }


def _section_c(system, fria) -> dict:
    summary = ""
    gap = Term(gettext_noop("no fundamental rights impact assessment"))
    if fria is not None:
        summary = Sentence(
            gettext_noop(
                "Revision %(number)s of %(date)s. Risks: %(risks)s Measures: %(measures)s"
            ),
            number=fria.number,
            date=Day(fria.created_at),
            risks=fria.specific_risks or NOT_WRITTEN,
            measures=fria.mitigation_measures or NOT_WRITTEN,
        )
        missing = fria.missing()
        gap = (
            Sentence(
                gettext_noop("the assessment lacks: %(elements)s"),
                elements=Listing(tuple(Term(m) for m in missing), "; "),
            )
            if missing
            else ""
        )
    items = [
        _item(
            "C",
            "1",
            gettext_noop("Name, address and contact details of the deployer"),
            Sentence(gettext_noop("%(team)s (owning team)"), team=system.team.name),
            gettext_noop("team"),
            Term(
                gettext_noop(
                    "the deployer's legal name, address and contact details not recorded in the "
                    "registry"
                )
            ),
        ),
        _item(
            "C",
            "2",
            gettext_noop("Person submitting on the deployer's behalf"),
            applicable_only=True,
        ),
        _item("C", "3", gettext_noop("URL of the provider's entry in the EU database")),
        _item(
            "C",
            "4",
            gettext_noop("Summary of the fundamental rights impact assessment (Art. 27)"),
            summary,
            gettext_noop("FRIA"),
            gap,
        ),
        _item(
            "C",
            "5",
            gettext_noop("Summary of the data protection impact assessment"),
            applicable_only=True,
        ),
    ]
    return {
        "key": "C",
        "title": Term(gettext_noop("Deployers of high-risk AI systems (Art. 49(3))")),
        "items": items,
    }


def registration_data(*, actor: User, system: AISystem, localized: bool = False) -> dict:
    """The Annex VIII data of ``system`` as ``actor`` may see it (the system is visible): its
    texts in English, or with ``localized`` in the active language."""
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
        notes.append(
            Term(
                gettext_noop("The system is not classified: classify it to know what to register.")
            )
        )
    elif not sections:
        notes.append(
            Sentence(
                gettext_noop(
                    "No registration is due for a system classified %(tier)s: the EU database "
                    "holds high-risk systems and systems relying on an Art. 6(3) derogation."
                ),
                tier=Term(RiskTier(tier).label) if tier in RiskTier.values else tier,
            )
        )
    if latest and not role and sections:
        notes.append(
            Term(
                gettext_noop(
                    "The classification does not record whether the organisation is the "
                    "provider or the deployer: every section that could apply is given."
                )
            )
        )
    missing = [
        Sentence(
            gettext_noop("%(point)s %(label)s: %(gap)s"),
            point=f"{i['section']}{i['point']}",
            label=i["label"],
            gap=i["gap"],
        )
        for s in sections
        for i in s["items"]
        if i["gap"]
    ]
    for s in sections:
        s["title"] = shown(s["title"], localized)
        for i in s["items"]:
            for name in ("label", "value", "source", "gap"):
                i[name] = shown(i[name], localized)
    return {
        "system": {"id": system.pk, "name": system.name, "team": system.team.name},
        "tier": tier,
        "role": latest.role if latest else "",
        "classification": latest.pk if latest else None,
        "sections": sections,
        "missing": [shown(m, localized) for m in missing],
        "notes": [shown(n, localized) for n in notes],
        "assembled_at": timezone.now().replace(microsecond=0).isoformat(),
    }
