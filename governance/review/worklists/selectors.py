"""Reads behind the browser's work lists: the review queue, approvals about to lapse, the
dashboard's counts. Each takes the acting user, narrows with ``visible_to`` and runs a fixed
number of queries whatever the number of rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from governance.kernel.accounts.models import Role, User
from governance.policy.classification.models import RiskClassification
from governance.policy.policies.models import POLICY_TIERS, UNCLASSIFIED, Policy
from governance.policy.raci.models import Raci, Responsibility
from governance.review.approvals.models import DecisionKind, Review, ReviewStatus
from registry.models import ModelVersion, VersionStatus

QUEUE_ROLES = (Role.COMPLIANCE_OFFICER, Role.ADMIN)


def _current_tier(system_path: str) -> Subquery:
    latest = RiskClassification.objects.filter(system_id=OuterRef(system_path)).order_by(
        "-created_at", "-id"
    )
    return Subquery(latest.values("tier")[:1])


def accountable_scope(*, actor: User, at: datetime | None = None) -> Q | None:
    """The systems and models ``actor`` is accountable for now, as a filter on versions
    (None when they are accountable for nothing)."""
    rows = list(
        Responsibility.objects.active(at)
        .filter(user=actor, role=Raci.ACCOUNTABLE)
        .exclude(system__isnull=True, model__isnull=True)
        .values_list("system_id", "model_id")
    )
    if not rows:
        return None
    systems = {s for s, _ in rows if s}
    models = {m for _, m in rows if m}
    return Q(model__system_id__in=systems) | Q(model_id__in=models)


def _accountable_owner() -> Subquery:
    """The version's accountable owner now (RACI A on its model or system), by username."""
    on = Q(system_id=OuterRef("model__system_id")) | Q(model_id=OuterRef("model_id"))
    owner = (
        Responsibility.objects.active()
        .filter(on, role=Raci.ACCOUNTABLE, user__is_active=True)
        .order_by("-starts_at", "-id")
    )
    return Subquery(owner.values("user__username")[:1])


def review_due_days() -> int:
    return settings.REVIEW_DUE_DAYS


def review_waiting_for(rows: QuerySet[ModelVersion], *, actor: User) -> QuerySet[ModelVersion]:
    """Queue rows (``review_queue_list``) whose decision waits for ``actor``: they may decide
    (a compliance officer, or the accountable owner), have not decided in this round, did not
    build or submit the version, and nobody else is assigned to it."""
    rows = rows.filter(decided_by_me=0).exclude(created_by=actor).exclude(submitted_by=actor)
    if actor.role != Role.COMPLIANCE_OFFICER:
        scope = accountable_scope(actor=actor) if actor.role != Role.AUDITOR else None
        rows = rows.none() if scope is None else rows.filter(scope)
    return rows.filter(Q(review_assignee_id__isnull=True) | Q(review_assignee_id=actor.pk))


def review_overdue(rows: QuerySet[ModelVersion], *, now: datetime | None = None):
    """Queue rows whose open round is older than REVIEW_DUE_DAYS."""
    now = now or timezone.now()
    return rows.filter(review_opened_at__lt=now - timedelta(days=review_due_days()))


def review_assignable_people() -> list[User]:
    """Compliance officers who may be asked to decide (one query); the service checks the
    rest (separation of duties, the accountable owner) when the assignment is made."""
    return list(
        User.objects.filter(role=Role.COMPLIANCE_OFFICER, is_active=True).order_by("username")
    )


def may_open_review_queue(*, actor: User) -> bool:
    if actor.role in QUEUE_ROLES:
        return True
    return actor.role != Role.AUDITOR and accountable_scope(actor=actor) is not None


def review_queue_list(*, actor: User) -> QuerySet[ModelVersion]:
    """Versions in review the actor may decide on: every visible one for compliance
    officers and admins; for an accountable owner, the versions of what they own."""
    rows = ModelVersion.objects.visible_to(actor).filter(status=VersionStatus.IN_REVIEW)
    if actor.role not in QUEUE_ROLES:
        scope = accountable_scope(actor=actor) if actor.role != Role.AUDITOR else None
        rows = rows.none() if scope is None else rows.filter(scope)
    open_round = Q(decisions__review__status=ReviewStatus.OPEN)
    current = Review.objects.filter(model_version_id=OuterRef("pk"), status=ReviewStatus.OPEN)
    return (
        rows.select_related("model__system__team", "submitted_by", "created_by")
        .annotate(
            review_opened_at=Subquery(current.values("opened_at")[:1]),
            review_assignee_id=Subquery(current.values("assignee_id")[:1]),
            review_assignee=Subquery(current.values("assignee__username")[:1]),
            accountable=_accountable_owner(),
            tier=_current_tier("model__system_id"),
            approvals_so_far=Count(
                "decisions",
                filter=open_round & Q(decisions__decision=DecisionKind.APPROVE),
                distinct=True,
            ),
            decided_by_me=Count(
                "decisions", filter=open_round & Q(decisions__reviewer=actor), distinct=True
            ),
        )
        .order_by("submitted_at", "id")
    )


def policies_by_tier() -> dict[str, Policy]:
    return {p.tier: p for p in Policy.objects.all()}


def queue_rows(versions, policies: dict[str, Policy]) -> list[dict]:
    """What one queue row shows; the policy lookup is done here, not in the template."""

    labels = dict(POLICY_TIERS)
    now = timezone.now()
    rows = []
    for mv in versions:
        opened = mv.review_opened_at or mv.submitted_at
        due = opened + timedelta(days=review_due_days()) if opened else None
        tier = mv.tier or UNCLASSIFIED
        policy = policies.get(tier)
        rows.append(
            {
                "mv": mv,
                "tier": tier,
                "tier_label": labels.get(tier, tier),
                "approvals_so_far": mv.approvals_so_far,
                "approvals_required": policy.approvals_required if policy else None,
                "decided_by_me": bool(mv.decided_by_me),
                "opened_at": opened,
                "age_days": (now - opened).days if opened else None,
                "due_at": due,
                "overdue": bool(due and due < now),
                "assignee": mv.review_assignee or "",
                "accountable": mv.accountable or "",
            }
        )
    return rows


def approvals_expiring(*, actor: User, now: datetime | None = None) -> QuerySet[Review]:
    """Valid approvals whose re-certification date falls within the warning window."""
    now = now or timezone.now()
    horizon = now + timedelta(days=settings.APPROVAL_EXPIRY_WARNING_DAYS)
    visible = ModelVersion.objects.visible_to(actor)
    return (
        Review.objects.filter(
            model_version__in=visible,
            status=ReviewStatus.APPROVED,
            expires_at__gt=now,
            expires_at__lte=horizon,
        )
        .select_related("model_version__model__system")
        .order_by("expires_at", "id")
    )


def approvals_expired(*, actor: User, now: datetime | None = None) -> QuerySet[Review]:
    """Approvals past their date: overdue ones the nightly job has not processed yet, and
    expired ones whose version still waits for re-certification."""
    now = now or timezone.now()
    visible = ModelVersion.objects.visible_to(actor)
    return (
        Review.objects.filter(model_version__in=visible)
        .filter(
            Q(status=ReviewStatus.APPROVED, expires_at__lte=now)
            | Q(status=ReviewStatus.EXPIRED, model_version__status=VersionStatus.IN_REVIEW)
        )
        .select_related("model_version__model__system")
        .order_by("-expires_at", "-id")
    )
