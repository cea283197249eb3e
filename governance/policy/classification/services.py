"""Recording AI Act risk classifications from questionnaire answers."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Forbidden, ServiceError
from governance.policy.classification.models import QuestionnaireQuestion, RiskClassification
from governance.policy.classification.rules import Option, Outcome, Question, classify
from governance.policy.signals import approval_basis_changed
from registry.models import AISystem

CLASSIFIER_ROLES = (Role.COMPLIANCE_OFFICER, Role.ADMIN)


def questionnaire_load() -> list[Question]:
    """The active questions and options, as the plain values the tier logic takes."""
    rows = QuestionnaireQuestion.objects.filter(active=True).prefetch_related("options")
    return [
        Question(
            key=q.key,
            step=q.step,
            text=q.text,
            article=q.article,
            multiple=q.multiple,
            options=tuple(
                Option(o.value, o.label, o.article, o.effect, o.effect_value)
                for o in q.options.all()
            ),
        )
        for q in rows.order_by("position", "id")
    ]


def classification_preview(*, answers: dict[str, Any]) -> Outcome:
    return classify(questionnaire_load(), answers)


@transaction.atomic
def risk_classification_record(
    *, actor: User, system: AISystem, answers: dict[str, Any], notes: str = ""
) -> RiskClassification:
    """Classify ``system`` from a complete answer set; the new record becomes current.

    Invariants: only compliance officers and admins classify; incomplete or contradictory
    answers are refused with the list of problems (400), never guessed; the previous record
    stays untouched and is linked as superseded; approvals of the system's versions are
    invalidated in the same transaction, because their evidence named the old record.
    """
    if actor.role not in CLASSIFIER_ROLES:
        raise Forbidden(
            "role_forbidden", _("Only compliance officers and admins classify systems.")
        )
    outcome = classify(questionnaire_load(), answers)
    if not outcome.valid:
        raise ServiceError(
            "incomplete_answers",
            _("The answers are incomplete or invalid."),
            missing=outcome.missing,
            problems=outcome.errors,
        )
    system = AISystem.objects.select_for_update().get(pk=system.pk)
    previous = (
        RiskClassification.objects.filter(system=system).order_by("-created_at", "-id").first()
    )
    record = RiskClassification.objects.create(
        system=system,
        tier=outcome.tier,
        role=outcome.role,
        annex_i=outcome.annex_i,
        annex_iii_area=", ".join(outcome.annex_iii_areas),
        transparency_flags=outcome.transparency_flags,
        gpai=outcome.gpai,
        gpai_systemic=outcome.gpai_systemic,
        rationale=outcome.rationale,
        answers=answers,
        notes=notes,
        classified_by=actor,
        supersedes=previous,
    )
    audit_event_record(
        actor=actor,
        action="classification.recorded",
        target=record,
        payload={
            "system": system.pk,
            "tier": record.tier,
            "previous_tier": previous.tier if previous else None,
            "supersedes": previous.pk if previous else None,
            "annex_iii_area": record.annex_iii_area,
            "transparency_flags": record.transparency_flags,
            "answers": answers,
        },
    )
    if previous is not None:
        approval_basis_changed.send(
            sender=None,
            system_id=system.pk,
            code="classification_changed",
            reason=f"The system was re-classified ({previous.tier} → {record.tier}, "
            f"classification {record.pk}).",
            actor=actor,
        )
    return record
