"""Reads of the governance app; each takes the acting user and narrows by role."""

from __future__ import annotations

from django.db.models import QuerySet

from governance.kernel.accounts.models import User
from governance.policy.classification.models import QuestionnaireQuestion, RiskClassification
from registry.models import AISystem


# --- governance domain ----------------------------------------------------------------------
def classification_list(*, actor: User, system_id: int) -> QuerySet[RiskClassification]:
    """A system's classifications, newest (current) first; empty if the system is hidden."""

    visible = AISystem.objects.visible_to(actor).filter(pk=system_id)
    return (
        RiskClassification.objects.filter(system__in=visible)
        .select_related("classified_by", "system")
        .order_by("-created_at", "-id")
    )


def questionnaire_list(*, actor: User) -> QuerySet[QuestionnaireQuestion]:
    if not actor.is_authenticated:
        return QuestionnaireQuestion.objects.none()
    return QuestionnaireQuestion.objects.filter(active=True).prefetch_related("options")
