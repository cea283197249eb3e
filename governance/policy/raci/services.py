"""Assigning RACI roles to people on systems, models and datasets (admins only)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Forbidden, ServiceError, named_value
from governance.policy.classification.models import RiskClassification, RiskTier
from governance.policy.policies.models import Policy
from governance.policy.raci.models import Raci, Responsibility
from governance.policy.signals import approval_basis_changed
from registry.models import AISystem, Dataset, Model, ModelVersion, VersionStatus


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("admin_only", _("Only admins assign responsibilities."))


def _payload(r: Responsibility) -> dict:
    return {
        "user": r.user.username,
        "role": r.role,
        "target": r.target_kind,
        "target_id": r.target.pk,
        "starts_at": r.starts_at,
        "ends_at": r.ends_at,
    }


def _invalidate_if_accountable(r: Responsibility, actor: User, why: str) -> None:
    """Approvals signed in the capacity of accountable owner rested on this assignment."""
    if r.role != Raci.ACCOUNTABLE or r.dataset_id:
        return

    approval_basis_changed.send(
        sender=None,
        system_id=r.system_id,
        model_id=r.model_id,
        code="responsibility_ended",
        reason=f"{r.user.username} is no longer accountable for {r.target} ({why}).",
        actor=actor,
    )


ACCOUNTABLE_OWNER = "accountable_owner"
# Versions whose approval is still ahead or in force: their builders may not be signers.
LIVE_STATUSES = (
    VersionStatus.DRAFT,
    VersionStatus.IN_REVIEW,
    VersionStatus.CHANGES_REQUESTED,
    VersionStatus.APPROVED,
    VersionStatus.DEPLOYED,
)


def _policies_for(system: AISystem) -> list[Policy]:
    """The policy of the system's current tier; every policy while it is unclassified (it
    may be classified into any tier, and the assignment would outlive that)."""
    latest = RiskClassification.objects.filter(system=system).order_by("-created_at", "-id").first()
    policies = Policy.objects.filter(submittable=True)
    if latest is not None:
        policies = policies.filter(tier=latest.tier)
    return list(policies)


def four_eyes_conflict(*, user: User, role: str, target: AISystem | Model | Dataset) -> str:
    """Why making ``user`` accountable (RACI A) for ``target`` would let one person cover
    what the policy wants from two, or make a builder a required signer; "" if it would not.

    The review layer counts one approval per person and fills each capacity the approver
    holds (``governance.review.evaluation``): a compliance officer who is also the
    accountable owner fills both "approved by the compliance officer" and "approved by the
    accountable owner" with one signature. The policy's own fields say which capacities are
    required, so the rule lives here, with the policy's data."""
    if role != Raci.ACCOUNTABLE or isinstance(target, Dataset):
        return ""
    system = target if isinstance(target, AISystem) else target.system
    for policy in _policies_for(system):
        roles = set(policy.approver_roles or [])
        owner_required = policy.requires_accountable_owner or ACCOUNTABLE_OWNER in roles
        if owner_required and user.role in roles:
            return _(
                "%(person)s is a %(role)s, a capacity the %(tier)s policy requires besides the "
                "accountable owner: one person would give both required approvals. Choose "
                "someone else."
            ) % {
                "person": user.username,
                "role": named_value(user.role, Role, english=user.get_role_display().lower()),
                "tier": named_value(policy.tier, RiskTier, english=policy.tier.replace("_", " ")),
            }
    versions = ModelVersion.objects.filter(status__in=LIVE_STATUSES)
    versions = (
        versions.filter(model__system=system)
        if isinstance(target, AISystem)
        else versions.filter(model=target)
    )
    built = versions.filter(Q(created_by=user) | Q(submitted_by=user)).first()
    if built is not None:
        return _(
            "%(person)s built or submitted %(version)s; the accountable owner signs its "
            "approval, and nobody approves their own work. Choose someone else."
        ) % {"person": user.username, "version": built}
    return ""


@transaction.atomic
def responsibility_assign(
    *,
    actor: User,
    user: User,
    role: str,
    target: AISystem | Model | Dataset,
    ends_at: datetime | None = None,
    note: str = "",
) -> Responsibility:
    """Give ``user`` a RACI role on ``target``.

    Invariants: admins only; the person is active and not an auditor for R or A (auditors
    change nothing, so they cannot answer for a system); the end, if any, is in the future;
    an accountable owner keeps four eyes (``four_eyes_conflict``).
    """
    _require_admin(actor)
    if role not in Raci.values:
        raise ServiceError("invalid_role", _("Unknown RACI role %(role)s.") % {"role": repr(role)})
    if not user.is_active:
        raise ServiceError(
            "inactive_user", _("%(person)s is deactivated.") % {"person": user.username}
        )
    if user.role == Role.AUDITOR and role in (Raci.RESPONSIBLE, Raci.ACCOUNTABLE):
        raise ServiceError(
            "auditor_cannot_be_accountable",
            _(
                "Auditors only read: they can be consulted or informed, not responsible or "
                "accountable."
            ),
        )
    now = timezone.now()
    if ends_at is not None and ends_at <= now:
        raise ServiceError("end_in_past", _("The end date must be in the future."))
    conflict = four_eyes_conflict(user=user, role=role, target=target)
    if conflict:
        raise ServiceError("four_eyes", conflict)
    kind = {AISystem: "system", Model: "model", Dataset: "dataset"}[type(target)]
    r = Responsibility.objects.create(
        user=user,
        role=role,
        ends_at=ends_at,
        note=note,
        assigned_by=actor,
        starts_at=now,
        **{kind: target},
    )
    audit_event_record(actor=actor, action="responsibility.assigned", target=r, payload=_payload(r))
    return r


@transaction.atomic
def responsibility_update(
    *, actor: User, responsibility: Responsibility, ends_at: datetime | None, note: str | None
) -> Responsibility:
    """Change the end date or note. Ending an accountable assignment early invalidates the
    approvals that relied on it."""
    _require_admin(actor)
    r = Responsibility.objects.select_for_update().get(pk=responsibility.pk)
    now = timezone.now()
    if r.ends_at is not None and r.ends_at <= now:
        raise ServiceError("already_ended", _("This responsibility has ended; assign a new one."))
    diff = {}
    if note is not None and note != r.note:
        diff["note"], r.note = [r.note, note], note
    if ends_at != r.ends_at:
        diff["ends_at"], r.ends_at = [r.ends_at, ends_at], ends_at
    if not diff:
        return r
    r.save()
    audit_event_record(actor=actor, action="responsibility.updated", target=r, payload=diff)
    if "ends_at" in diff and ends_at is not None and ends_at <= now:
        # A future end is enforced at read time (no accountable owner from then on); an end
        # that is already reached withdraws the approvals signed in that capacity now.
        _invalidate_if_accountable(r, actor, f"ended {ends_at:%Y-%m-%d %H:%M}")
    return r


@transaction.atomic
def responsibility_end(*, actor: User, responsibility: Responsibility) -> Responsibility:
    """End an assignment now. The row is kept (who was accountable when is part of the
    record); only its end date is set."""
    _require_admin(actor)
    r = Responsibility.objects.select_for_update().get(pk=responsibility.pk)
    now = timezone.now()
    if r.ends_at is not None and r.ends_at <= now:
        return r
    r.ends_at = now
    r.save()
    audit_event_record(actor=actor, action="responsibility.ended", target=r, payload=_payload(r))
    _invalidate_if_accountable(r, actor, "ended")
    return r
