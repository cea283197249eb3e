"""What the dashboard shows: where the systems and versions stand, and what waits for me.

A fixed number of queries whatever the number of systems, versions or events (each block is
one aggregate or one limited query).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_noop

from audits.programme.selectors import schedule_list, schedules_stalled
from audits.runs.models.findings import WORK_STATUSES
from audits.runs.selectors import finding_list
from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.models import AuditEvent
from governance.kernel.audit.selectors import audit_event_list
from governance.obligations.incidents.selectors import incident_clock_panel
from governance.policy.deployments.models import Deployment, Environment
from governance.policy.notifications.views import notification_display
from governance.policy.policies.models import POLICY_TIERS, UNCLASSIFIED
from governance.review.approvals.models import Review, ReviewStatus
from governance.review.approvals.services import ASSIGNER_ROLES
from governance.review.worklists.selectors import (
    _current_tier,
    approvals_expired,
    approvals_expiring,
    may_open_review_queue,
    policies_by_tier,
    queue_rows,
    review_due_days,
    review_queue_list,
    review_waiting_for,
)
from registry.models import AISystem, ModelVersion, PIIFlag, PIIStatus, VersionStatus

TOP = 5
SEVERITIES = (
    ("high", gettext_noop("High")),
    ("medium", gettext_noop("Medium")),
    ("low", gettext_noop("Low")),
    ("info", gettext_noop("Info")),
)


def open_findings(*, user: User) -> dict:
    """Open findings the user may see, counted by severity: one aggregate query."""
    counts = dict(
        finding_list(actor=user)
        .filter(status="open")
        .order_by()
        .values("severity")
        .annotate(n=Count("id"))
        .values_list("severity", "n")
    )
    rows = [{"severity": s, "label": label, "count": counts.get(s, 0)} for s, label in SEVERITIES]
    return {"available": True, "rows": rows, "total": sum(counts.values())}


def overdue_audits(*, user: User, now=None) -> dict:
    """Active audit schedules whose due date has passed: one count and one limited query."""
    now = now or timezone.now()
    due = schedule_list(actor=user).filter(active=True, next_due__lt=now)
    # Overdue by more than their interval, however next_due reads (see schedules_stalled).
    stalled = schedules_stalled(queryset=schedule_list(actor=user), now=now)
    return {
        "available": True,
        "count": due.count(),
        "top": list(due.select_related("system").order_by("next_due", "id")[:TOP]),
        "stalled_count": len(stalled),
        "stalled": stalled[:TOP],
    }


def _listed(rows, limit: int = TOP) -> dict:
    """A work list: its first rows and how many there are (one count, one limited query)."""
    return {"count": rows.count(), "top": list(rows[:limit])}


def _open_round_at() -> Subquery:
    current = Review.objects.filter(model_version_id=OuterRef("pk"), status=ReviewStatus.OPEN)
    return Subquery(current.values("opened_at")[:1])


def _open_round_assignee() -> Subquery:
    current = Review.objects.filter(model_version_id=OuterRef("pk"), status=ReviewStatus.OPEN)
    return Subquery(current.values("assignee_id")[:1])


def must_decide(*, user: User, policies) -> dict:
    """What waits for this person's decision or action, by role."""
    waiting = review_waiting_for(review_queue_list(actor=user), actor=user)
    reviews = _listed(waiting)
    reviews["rows"] = queue_rows(reviews.pop("top"), policies)
    mine = (
        _findings(user)
        .filter(status__in=WORK_STATUSES, assignee=user)
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )
    context = {"reviews": reviews, "findings": _listed(mine)}
    if user.role == Role.DATA_SCIENTIST:
        sent_back = (
            ModelVersion.objects.visible_to(user)
            .filter(status=VersionStatus.CHANGES_REQUESTED)
            .filter(Q(created_by=user) | Q(submitted_by=user))
            .select_related("model__system")
            .order_by("updated_at", "id")
        )
        context["sent_back"] = _listed(sent_back)
    if user.role in ASSIGNER_ROLES:
        unassigned = (
            review_queue_list(actor=user)
            .filter(review_assignee_id__isnull=True)
            .order_by("review_opened_at", "id")
        )
        context["unassigned"] = _listed(unassigned)
    # Rounds to hand out are listed apart: they are work to assign, not a decision of one's own.
    context["total"] = sum(
        context[k]["count"] for k in ("reviews", "findings", "sent_back") if k in context
    )
    return context


def _findings(user: User):
    return finding_list(actor=user).select_related("model_version__model__system", "assignee")


def _versions_in_review(user: User):
    return (
        ModelVersion.objects.visible_to(user)
        .filter(status=VersionStatus.IN_REVIEW)
        .annotate(review_opened_at=_open_round_at(), review_assignee_id=_open_round_assignee())
        .select_related("model__system")
    )


def overdue_work(*, user: User, now=None) -> dict:
    """What has passed its date: review rounds, findings, approvals (audits: ``overdue``)."""
    now = now or timezone.now()
    late_after = now - timedelta(days=review_due_days())
    reviews = _versions_in_review(user).filter(review_opened_at__lt=late_after)
    findings = _findings(user).filter(
        status__in=WORK_STATUSES, due_date__lt=timezone.localdate(now)
    )
    return {
        "reviews": _listed(reviews.order_by("review_opened_at", "id")),
        "findings": _listed(findings.order_by("due_date", "id")),
        "due_days": review_due_days(),
    }


def stuck_work(*, user: User, now=None) -> dict:
    """What is not moving and has nobody on it: overdue review rounds nobody is assigned to,
    overdue findings nobody is assigned to, versions sent back for changes and not
    resubmitted within the review deadline (stalled audits: ``overdue``)."""
    now = now or timezone.now()
    late_after = now - timedelta(days=review_due_days())
    reviews = _versions_in_review(user).filter(
        review_opened_at__lt=late_after, review_assignee_id__isnull=True
    )
    findings = _findings(user).filter(
        status__in=WORK_STATUSES, due_date__lt=timezone.localdate(now), assignee__isnull=True
    )
    sent_back = (
        ModelVersion.objects.visible_to(user)
        .filter(status=VersionStatus.CHANGES_REQUESTED, updated_at__lt=late_after)
        .select_related("model__system")
    )
    return {
        "reviews": _listed(reviews.order_by("review_opened_at", "id")),
        "findings": _listed(findings.order_by("due_date", "id")),
        "sent_back": _listed(sent_back.order_by("updated_at", "id")),
    }


def unclassified_with_personal_data(*, user: User):
    """Visible systems with no risk classification whose model versions were trained, tested
    or validated on data with personal data flagged (suspected or confirmed) in it."""
    personal = PIIFlag.objects.filter(
        status__in=(PIIStatus.SUSPECTED, PIIStatus.CONFIRMED),
        column__dataset_version__downstream_edges__downstream_model_version__model__system_id=(
            OuterRef("pk")
        ),
    )
    return (
        AISystem.objects.visible_to(user)
        .annotate(tier=_current_tier("pk"))
        .filter(tier__isnull=True)
        .filter(Exists(personal))
        .select_related("team")
        .order_by("name", "id")
    )


def in_production_without_approval(*, user: User, now=None):
    """The deployments that are what runs in production now (the latest production row of
    each model) whose version has no valid approval: none, or one that expired or was
    withdrawn since."""
    now = now or timezone.now()
    later = Deployment.objects.filter(
        model_id=OuterRef("model_id"), environment=Environment.PROD
    ).filter(
        Q(deployed_at__gt=OuterRef("deployed_at"))
        | Q(deployed_at=OuterRef("deployed_at"), id__gt=OuterRef("id"))
    )
    valid = Review.objects.filter(
        model_version_id=OuterRef("model_version_id"), status=ReviewStatus.APPROVED
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    return (
        Deployment.objects.visible_to(user)
        .filter(environment=Environment.PROD)
        .filter(~Exists(later), ~Exists(valid))
        .select_related("model_version__model__system", "deployed_by")
        .order_by("-deployed_at", "-id")
    )


def flags(*, user: User) -> dict:
    return {
        "unclassified_pii": _listed(unclassified_with_personal_data(user=user)),
        "unapproved_prod": _listed(in_production_without_approval(user=user)),
    }


def dashboard_context(*, user: User) -> dict:
    policies = policies_by_tier()
    expiring = list(approvals_expiring(actor=user)[:10])
    expired = list(approvals_expired(actor=user)[:10])
    unread = [
        notification_display(n)
        for n in user.notifications.filter(read_at__isnull=True).order_by("-created_at", "-id")[
            :TOP
        ]
    ]
    can_see_trail = user.role in (Role.ADMIN, Role.AUDITOR)
    audits = overdue_audits(user=user)
    late = overdue_work(user=user)
    late["total"] = (
        late["reviews"]["count"] + late["findings"]["count"] + audits["count"] + len(expired)
    )
    stuck = stuck_work(user=user)
    stuck["total"] = (
        stuck["reviews"]["count"]
        + stuck["findings"]["count"]
        + stuck["sent_back"]["count"]
        + audits["stalled_count"]
    )
    flagged = flags(user=user)
    flagged["total"] = flagged["unclassified_pii"]["count"] + flagged["unapproved_prod"]["count"]
    return {
        "systems_by_tier": systems_by_tier(actor=user),
        "versions_by_status": versions_by_status(actor=user),
        "may_review": may_open_review_queue(actor=user),
        "expiring": expiring,
        "expired": expired,
        "unread_top": unread,
        "recent_events": recent_events(actor=user),
        "can_see_trail": can_see_trail,
        "findings": open_findings(user=user),
        "overdue": audits,
        "incidents": incident_clock_panel(user=user),
        "decide": must_decide(user=user, policies=policies),
        "late": late,
        "stuck": stuck,
        "flags": flagged,
    }


def systems_by_tier(*, actor: User) -> list[dict]:
    """Visible systems counted by their current tier (unclassified ones included)."""
    counts = (
        AISystem.objects.visible_to(actor)
        .annotate(tier=_current_tier("pk"))
        .values("tier")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_tier: dict[str, int] = {}
    for row in counts:
        key = row["tier"] or UNCLASSIFIED
        by_tier[key] = by_tier.get(key, 0) + row["n"]

    return [
        {"tier": tier, "label": label, "count": by_tier[tier]}
        for tier, label in POLICY_TIERS
        if by_tier.get(tier)
    ]


def versions_by_status(*, actor: User) -> list[dict]:
    counts = dict(
        ModelVersion.objects.visible_to(actor)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )
    return [
        {"status": value, "label": label, "count": counts[value]}
        for value, label in VersionStatus.choices
        if counts.get(value)
    ]


def recent_events(*, actor: User, limit: int = 10) -> list[AuditEvent]:
    """Everyone's latest events for those who read the trail; one's own for everyone else."""

    if actor.role in (Role.ADMIN, Role.AUDITOR):
        return list(audit_event_list(actor=actor)[:limit])
    return list(AuditEvent.objects.filter(actor=actor).order_by("-sequence")[:limit])
