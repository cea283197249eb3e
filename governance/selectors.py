"""Reads of the governance app; each takes the acting user and narrows by role."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from governance.models import (
    ApiToken,
    AuditEvent,
    BackgroundJob,
    Decision,
    Deployment,
    Notification,
    Policy,
    QuestionnaireQuestion,
    Responsibility,
    RiskClassification,
    Role,
    Team,
    User,
)


def user_list(*, actor: User) -> QuerySet[User]:
    if actor.role != Role.ADMIN:
        return User.objects.none()
    return User.objects.prefetch_related("teams").order_by("username")


def team_list(*, actor: User) -> QuerySet[Team]:
    if actor.role == Role.ADMIN:
        return Team.objects.all()
    return Team.objects.filter(pk__in=actor.team_ids())


def api_token_list(*, actor: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor)


def audit_event_list(
    *,
    actor: User,
    target_type: str | None = None,
    target_id: str | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    if actor.role not in (Role.ADMIN, Role.AUDITOR):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.all()
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id:
        events = events.filter(target_id=target_id)
    if actor_id:
        events = events.filter(actor_id=actor_id)
    if action:
        events = events.filter(action__startswith=action)
    if since:
        events = events.filter(created_at__gte=since)
    if until:
        events = events.filter(created_at__lt=until)
    return events.order_by("-sequence")


def background_job_get(*, actor: User, job_id: int) -> BackgroundJob:
    jobs = BackgroundJob.objects.all()
    if actor.role != Role.ADMIN:
        jobs = jobs.filter(requested_by=actor)
    return jobs.get(pk=job_id)


# --- governance domain ----------------------------------------------------------------------
def classification_list(*, actor: User, system_id: int) -> QuerySet[RiskClassification]:
    """A system's classifications, newest (current) first; empty if the system is hidden."""
    from registry.models import AISystem

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


def policy_list(*, actor: User) -> QuerySet[Policy]:
    # Policies are the rules everyone works under: every authenticated role may read them.
    if not actor.is_authenticated:
        return Policy.objects.none()
    return Policy.objects.select_related("updated_by").order_by("tier")


def responsibility_list(*, actor: User, action: str = "view") -> QuerySet[Responsibility]:
    return Responsibility.objects.visible_to(actor, action).select_related(
        "user", "assigned_by", "system", "model", "dataset"
    )


def decision_list(*, actor: User, model_version_id: int) -> QuerySet[Decision]:
    from registry.models import ModelVersion

    visible = ModelVersion.objects.visible_to(actor).filter(pk=model_version_id)
    return (
        Decision.objects.filter(model_version__in=visible)
        .select_related("reviewer", "review")
        .order_by("decided_at", "id")
    )


def deployment_list(
    *,
    actor: User,
    model_id: int | None = None,
    model_version_id: int | None = None,
    environment: str | None = None,
    at: datetime | None = None,
) -> QuerySet[Deployment]:
    """Deployments the actor may see; with ``at`` (and a model and environment) only the
    one row in force at that instant: the latest deployment at or before it."""
    rows = Deployment.objects.visible_to(actor).select_related(
        "model_version__model", "deployed_by", "model"
    )
    if model_id is not None:
        rows = rows.filter(model_id=model_id)
    if model_version_id is not None:
        rows = rows.filter(model_version_id=model_version_id)
    if environment:
        rows = rows.filter(environment=environment)
    rows = rows.order_by("-deployed_at", "-id")
    if at is not None:
        first = rows.filter(deployed_at__lte=at).values("pk")[:1]
        rows = rows.filter(pk__in=first)
    return rows


def notification_list(*, actor: User, unread: bool | None = None) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient=actor)
    if unread is True:
        rows = rows.filter(read_at__isnull=True)
    elif unread is False:
        rows = rows.filter(read_at__isnull=False)
    return rows.order_by("-created_at", "-id")
