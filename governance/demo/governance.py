"""Demo governance, step 1: classify the demo credit-scoring system and name its owner.

Consumer credit scoring profiles applicants, so the honest answers make it high risk under
Annex III point 5(b). Some documentation is filled in and some is deliberately left empty, so
the demo's Annex IV report shows what "not provided" looks like.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from governance.obligations.risks.models import Risk
from governance.obligations.risks.services import mitigation_add, risk_create
from governance.policy.classification.models import RiskClassification
from governance.policy.classification.services import risk_classification_record
from governance.policy.raci.models import Raci, Responsibility
from governance.policy.raci.services import responsibility_assign
from registry.models import AISystem
from registry.services.systems import system_update

CREDIT_SCORING_ANSWERS = {
    "q0-ai-system": "yes",
    "q0-exclusions": ["none"],
    "q1-role": "provider",
    "q2-prohibited-practices": ["none"],
    "q3-annex-i": "no",
    "q4-annex-iii": ["credit-scoring"],
    "q5-profiling": "yes",
    "q6-transparency": ["none"],
    "q7-gpai": "no",
}


def seed(*, team, users, stdout) -> None:
    system = AISystem.objects.filter(team=team, name="Consumer credit scoring").first()
    if system is None:
        return
    if not RiskClassification.objects.filter(system=system).exists():
        risk_classification_record(
            actor=users["compliance"],
            system=system,
            answers=CREDIT_SCORING_ANSWERS,
            notes="Creditworthiness of natural persons: Annex III 5(b).",
        )
    if not Responsibility.objects.filter(system=system, role=Raci.ACCOUNTABLE).exists():
        responsibility_assign(
            actor=users["admin"],
            user=users["owner"],
            role=Raci.ACCOUNTABLE,
            target=system,
            note="Head of credit risk",
        )
        responsibility_assign(
            actor=users["admin"], user=users["scientist"], role=Raci.RESPONSIBLE, target=system
        )
    if not system.human_oversight:
        system_update(
            actor=users["scientist"],
            system=system,
            human_oversight="A credit officer reviews every declined application and every "
            "score within 5 points of the cut-off before a decision is sent.",
            post_market_plan="Monthly drift, performance and fairness runs on a sample of "
            "production decisions; findings go to the accountable owner.",
            risk_management="Risks of discrimination by sex and age are examined with the "
            "fairness check before every release.",
        )
    if not Risk.objects.filter(system=system).exists():
        risk = risk_create(
            actor=users["compliance"],
            system=system,
            title="Young and older applicants refused more often",
            hazard="The score may set applicants under 25 or over 60 apart from the rest "
            "and refuse them credit for their age.",
            likelihood=3,
            severity=4,
            affected_groups="Consumer credit applicants under 25 and over 60",
            fundamental_rights=["non_discrimination"],
            owner=users["owner"],
            residual_likelihood=2,
            residual_severity=3,
            review_date=timezone.localdate() + timedelta(days=90),
        )
        mitigation_add(
            actor=users["compliance"],
            risk=risk,
            description="Fairness check across age and sex before every release",
            evidence_type="check_kind",
            check_kind="fairness",
        )
    stdout.write(
        "Demo governance: system classified high risk (Annex III 5(b)); owner is accountable; "
        "one risk in the register."
    )
