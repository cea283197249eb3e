"""Recording deployments and rollbacks, behind the same gate CI/CD pipelines ask."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Conflict, Forbidden, NotFound, ServiceError, named_value
from governance.policy.deployments.models import Deployment, DeploymentAction, Environment
from governance.review.evaluation import evaluate, gate
from registry.models import Model, ModelVersion, VersionStatus


@transaction.atomic
def deployment_record(
    *,
    actor: User,
    model_version: ModelVersion,
    environment: str,
    action: str = DeploymentAction.DEPLOY,
    notes: str = "",
) -> Deployment:
    """Record that ``model_version`` now runs in ``environment`` (a rollback is the same fact
    about an older version). Production needs a currently valid approval and every other
    requirement of the tier: the gate's reasons are returned with the 409 otherwise.

    Invariants: only a data scientist of the owning team records deployments; deployments of
    one model are serialised by locking the model row, so "what ran at time T" has one answer.
    """
    if not ModelVersion.objects.visible_to(actor).filter(pk=model_version.pk).exists():
        raise NotFound(
            "not_found",
            _("No model version %(id)s, or you may not see it.") % {"id": model_version.pk},
        )
    if actor.role != Role.DATA_SCIENTIST or not (
        ModelVersion.objects.visible_to(actor, "change").filter(pk=model_version.pk).exists()
    ):
        raise Forbidden(
            "role_forbidden", _("Only a data scientist of the team records deployments.")
        )
    if environment not in Environment.values:
        raise ServiceError(
            "invalid_environment",
            _("Unknown environment %(environment)s.") % {"environment": repr(environment)},
        )
    if action not in DeploymentAction.values:
        raise ServiceError(
            "invalid_action", _("Unknown action %(action)s.") % {"action": repr(action)}
        )
    Model.objects.select_for_update().get(pk=model_version.model_id)
    mv = (
        # The artefact may be empty (an external service): lock no outer-joined row.
        ModelVersion.objects.select_for_update(of=("self", "model"))
        .select_related("artefact", "model")
        .get(pk=model_version.pk)
    )
    names = {"version": mv.version, "environment": named_value(environment, Environment)}
    verdict = gate(mv, environment=environment)
    if not verdict["allowed"]:
        raise Conflict(
            "gate_closed",
            _("Version %(version)s may not run in %(environment)s.") % names,
            reasons=verdict["reasons"],
        )
    history = Deployment.objects.filter(model_id=mv.model_id, environment=environment)
    current = history.order_by("-deployed_at", "-id").first()
    if action == DeploymentAction.ROLLBACK and not history.filter(model_version=mv).exists():
        raise ServiceError(
            "never_deployed",
            _("Version %(version)s never ran in %(environment)s; deploy it.") % names,
        )
    if current is not None and current.model_version_id == mv.pk:
        raise Conflict(
            "already_running", _("Version %(version)s already runs in %(environment)s.") % names
        )
    approval = evaluate(mv).valid_approval if environment == Environment.PROD else None
    row = Deployment.objects.create(
        model_version=mv,
        model_id=mv.model_id,
        environment=environment,
        action=action,
        deployed_by=actor,
        deployed_at=timezone.now(),
        approval=approval,
        replaces_id=current.model_version_id if current else None,
        notes=notes,
    )
    if environment == Environment.PROD:
        mv.status = VersionStatus.DEPLOYED
        mv.save(update_fields=["status", "updated_at"])
        if current is not None:
            old = ModelVersion.objects.select_for_update().get(pk=current.model_version_id)
            if old.status == VersionStatus.DEPLOYED:
                # Still approved (or not) as before; it just no longer runs in production.
                old.status = VersionStatus.APPROVED
                old.save(update_fields=["status", "updated_at"])
    audit_event_record(
        actor=actor,
        action=f"deployment.{action}",
        target=mv,
        payload={
            "deployment": row.pk,
            "environment": environment,
            "replaces": row.replaces_id,
            "approval": approval.pk if approval else None,
            "artefact_sha256": mv.artefact.sha256 if mv.artefact else None,
        },
    )
    return row
