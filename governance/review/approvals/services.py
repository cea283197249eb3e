"""Submitting versions for review, signed decisions, invalidation and expiry of approvals."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from governance.kernel import signing
from governance.kernel.accounts.mfa.services import StepUp, signing_proof
from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import audit_event_record, canonical_json
from governance.kernel.errors import Conflict, Forbidden, NotFound, ServiceError, named_value
from governance.kernel.sentences import Day, Sentence, Term
from governance.policy.notifications.services import default_recipients, notify
from governance.policy.policies.models import POLICY_TIERS
from governance.review.approvals.models import Decision, DecisionKind, Review, ReviewStatus
from governance.review.evaluation import APPROVAL, EVIDENCE, SUBMISSION, Evaluation, evaluate
from registry.models import ModelVersion, VersionStatus

SUBMITTABLE_STATUSES = (VersionStatus.DRAFT, VersionStatus.CHANGES_REQUESTED)
REVIEWED_STATUSES = (VersionStatus.IN_REVIEW, VersionStatus.APPROVED, VersionStatus.DEPLOYED)
TIER_LABELS = dict(POLICY_TIERS)
# The notification of a decision, by decision and the version's status after it (none while
# the round waits for more approvals).
DECISION_MESSAGES = {
    (DecisionKind.APPROVE, ""): gettext_noop("%(reviewer)s approved %(version)s."),
    (DecisionKind.APPROVE, VersionStatus.APPROVED): gettext_noop(
        "%(reviewer)s approved %(version)s — the version is now approved."
    ),
    (DecisionKind.REJECT, VersionStatus.REJECTED): gettext_noop(
        "%(reviewer)s rejected %(version)s — the version is now rejected."
    ),
    (DecisionKind.REQUEST_CHANGES, VersionStatus.CHANGES_REQUESTED): gettext_noop(
        "%(reviewer)s requested changes to %(version)s — the version now waits for them."
    ),
}


def _lock(model_version: ModelVersion) -> ModelVersion:
    return (
        # The artefact may be empty (an external service): lock no outer-joined row.
        ModelVersion.objects.select_for_update(of=("self", "model", "model__system"))
        .select_related("model__system", "artefact")
        .get(pk=model_version.pk)
    )


def _not_visible(model_version: ModelVersion) -> NotFound:
    return NotFound(
        "not_found",
        _("No model version %(id)s, or you may not see it.") % {"id": model_version.pk},
    )


def _not_in_review(mv: ModelVersion) -> Conflict:
    return Conflict(
        "not_in_review",
        _("Version %(version)s is %(status)s, not in review.")
        % {"version": mv.version, "status": named_value(mv.status, VersionStatus)},
    )


def _set_status(mv: ModelVersion, status: str, **fields: Any) -> None:
    mv.status = status
    for name, value in fields.items():
        setattr(mv, name, value)
    mv.save(update_fields=["status", "updated_at", *fields])


def _open_round(mv: ModelVersion, *, actor: User | None, reason: str, ev: Evaluation) -> Review:
    last = Review.objects.filter(model_version=mv).aggregate(n=Max("round"))["n"] or 0
    return Review.objects.create(
        model_version=mv,
        round=last + 1,
        tier=ev.tier,
        classification=ev.classification,
        policy_version=ev.policy.version if ev.policy else None,
        opened_by=actor,
        opened_reason=reason[:300],
    )


@transaction.atomic
def model_version_submit(*, actor: User, model_version: ModelVersion) -> Review:
    """Ask for review. The version is frozen from now on (the registry refuses edits).

    Invariants: only a data scientist of the owning team submits; only drafts and versions
    sent back for changes can be submitted; an unclassified or prohibited system is refused
    with every blocking reason (unmet evidence does not block: reviewers see it).
    """
    if not ModelVersion.objects.visible_to(actor).filter(pk=model_version.pk).exists():
        raise _not_visible(model_version)
    if actor.role != Role.DATA_SCIENTIST or not (
        ModelVersion.objects.visible_to(actor, "change").filter(pk=model_version.pk).exists()
    ):
        raise Forbidden("role_forbidden", _("Only a data scientist of the team submits versions."))
    mv = _lock(model_version)
    if mv.status not in SUBMITTABLE_STATUSES:
        raise Conflict(
            "not_submittable_status",
            _("Version %(version)s is %(status)s.")
            % {"version": mv.version, "status": named_value(mv.status, VersionStatus)},
        )
    ev = evaluate(mv)
    blockers = ev.reasons(SUBMISSION)
    if blockers:
        raise ServiceError(
            "submission_refused",
            _("The version cannot be submitted: %(reasons)s")
            % {"reasons": " ".join(r["message"] for r in blockers)},
            reasons=blockers,
        )
    _set_status(mv, VersionStatus.IN_REVIEW, submitted_by=actor, submitted_at=timezone.now())
    review = _open_round(mv, actor=actor, reason="submitted", ev=ev)
    audit_event_record(
        actor=actor,
        action="model_version.submitted",
        target=mv,
        payload={
            "review": review.pk,
            "round": review.round,
            "tier": ev.tier,
            "policy_version": review.policy_version,
            "unmet": ev.reasons(EVIDENCE),
        },
    )
    notify(
        event="review_requested",
        target=mv,
        message=Sentence(
            gettext_noop("%(requester)s asks for a review of %(version)s (tier %(tier)s)."),
            requester=actor.username,
            version=str(mv),
            tier=Term(TIER_LABELS.get(ev.tier, ""), ev.tier),
        ),
        payload={"model_version": mv.pk, "review": review.pk, "tier": ev.tier},
    )
    return review


def decision_signature(
    *,
    evidence: dict,
    reviewer: User,
    capacities: list[str],
    decided_at: datetime,
    decision: str,
    comment: str,
) -> str:
    """SHA-256 over the canonical JSON of what was decided, by whom, when and on what."""
    material = {
        "evidence": evidence,
        "reviewer": {"id": reviewer.pk, "username": reviewer.username, "role": reviewer.role},
        "capacities": capacities,
        "decided_at": decided_at.isoformat(),
        "decision": decision,
        "comment": comment,
    }
    return hashlib.sha256(canonical_json(material).encode()).hexdigest()


DECISION_PURPOSE = "approval-decision/v1"


def decision_signed_record(
    *,
    model_version_id: int,
    round: int,
    reviewer: User,
    decision: str,
    decided_at: datetime,
    comment: str,
    capacities: list[str],
    evidence: dict,
    digest: str,
) -> dict:
    """What the server signs for a decision: who decided what, when, in which capacity, and
    the hash of the evidence it rested on (the evidence itself is in the record and the pack)."""
    return {
        "model_version": model_version_id,
        "round": round,
        "reviewer": {"id": reviewer.pk, "username": reviewer.username},
        "decision": decision,
        "decided_at": decided_at.isoformat(),
        "comment": comment,
        "capacities": capacities,
        "evidence_sha256": hashlib.sha256(canonical_json(evidence).encode()).hexdigest(),
        "digest": digest,
    }


def decision_record_of(row: Decision) -> dict:
    return decision_signed_record(
        model_version_id=row.model_version_id,
        round=row.review.round,
        reviewer=row.reviewer,
        decision=row.decision,
        decided_at=row.decided_at,
        comment=row.comment,
        capacities=list(row.capacities or []),
        evidence=row.evidence,
        digest=row.signature,
    )


def decision_signature_valid(row: Decision) -> bool:
    """The server's signature over the stored decision still verifies (nothing was edited)."""
    if not row.server_signature:
        return False
    return signing.verify(
        DECISION_PURPOSE,
        decision_record_of(row),
        signing.Signature(row.signing_key_id, row.server_signature),
    )


def _approval_complete(ev: Evaluation) -> bool:
    relevant = [
        r for r in ev.requirements if r.code == "approvals" or r.code.startswith("approval_by:")
    ]
    return bool(relevant) and all(r.met for r in relevant)


def _signature_key(actor: User) -> str:
    return f"approval-signature-fail:{actor.pk}"


def _signature_locked(actor: User) -> bool:
    return cache.get(_signature_key(actor), 0) >= settings.APPROVAL_PASSWORD_ATTEMPTS


def _signature_failed(*, actor: User, model_version: ModelVersion) -> None:
    """Count a wrong approval password, in its own transaction (the decision's transaction
    rolls back). Reaching the limit tells the user: someone may be guessing their password."""
    key = _signature_key(actor)
    window = settings.APPROVAL_PASSWORD_WINDOW_SECONDS
    cache.add(key, 0, window)
    try:
        failures = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        failures = 1
    limit = settings.APPROVAL_PASSWORD_ATTEMPTS
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action="review.signature_failed",
            target=model_version,
            payload={"failures": failures, "limit": limit},
        )
        if failures == limit:
            notify(
                event="signature_locked",
                target=model_version,
                message=Sentence(
                    gettext_noop(
                        "%(limit)s wrong passwords were given to approve %(version)s as you; "
                        "approving is blocked for %(minutes)s minutes. If this was not you, "
                        "change your password."
                    ),
                    limit=limit,
                    version=str(model_version),
                    minutes=window // 60,
                ),
                payload={"model_version": model_version.pk, "failures": failures},
                recipients=[actor],
            )


def review_decide(
    *,
    actor: User,
    model_version: ModelVersion,
    decision: str,
    comment: str = "",
    password: str | None = None,
    totp_code: str | None = None,
    step_up: StepUp | None = None,
) -> Decision:
    """Decide (see ``_review_decide``), counting wrong approval passwords per user: after
    APPROVAL_PASSWORD_ATTEMPTS within the window approving is refused (429), even with the
    right password, and every failure is an audit event."""
    if decision == DecisionKind.APPROVE and _signature_locked(actor):
        raise ServiceError(
            "signature_locked",
            _("Too many wrong passwords; approving is blocked for a while."),
            status_code=429,
            retry_after_seconds=settings.APPROVAL_PASSWORD_WINDOW_SECONDS,
        )
    try:
        return _review_decide(
            actor=actor,
            model_version=model_version,
            decision=decision,
            comment=comment,
            password=password,
            totp_code=totp_code,
            step_up=step_up,
        )
    except Forbidden as exc:
        if exc.code == "signature_invalid":
            _signature_failed(actor=actor, model_version=model_version)
        raise


@transaction.atomic
def _review_decide(
    *,
    actor: User,
    model_version: ModelVersion,
    decision: str,
    comment: str = "",
    password: str | None = None,
    totp_code: str | None = None,
    step_up: StepUp | None = None,
) -> Decision:
    """Approve, reject or request changes, signed over the evidence it rests on.

    Invariants: only compliance officers and the accountable owner decide; nobody decides on
    a version they built, submitted, or whose upstream data or models they registered; one
    decision per person per round; approving needs the reviewer to prove who they are again
    (password, a fresh re-authentication at the identity provider, or an authenticator
    code; the decision names which and when) and every non-approval requirement met; the
    version is approved when the policy's distinct approvers and capacities are all present.
    """
    if not ModelVersion.objects.visible_to(actor).filter(pk=model_version.pk).exists():
        raise _not_visible(model_version)
    if decision not in DecisionKind.values:
        raise ServiceError(
            "invalid_decision", _("Unknown decision %(decision)s.") % {"decision": repr(decision)}
        )
    mv = _lock(model_version)
    ev = evaluate(mv)
    capacities = ev.capacities(actor)
    if not capacities:
        raise Forbidden(
            "not_a_reviewer",
            _("Only compliance officers and the accountable owner (RACI A) decide on versions."),
        )
    if actor.pk in ev.builder_ids:
        raise Forbidden(
            "separation_of_duties",
            _(
                "You built, submitted or supplied upstream data or models for this version; "
                "someone else must decide."
            ),
        )
    review = ev.review
    if mv.status != VersionStatus.IN_REVIEW or review is None or review.status != ReviewStatus.OPEN:
        raise _not_in_review(mv)
    if review.decisions.filter(reviewer=actor).exists():
        raise Conflict("already_decided", _("You have already decided in this review round."))
    proof = None
    if decision == DecisionKind.APPROVE:
        proof = signing_proof(actor=actor, password=password, totp_code=totp_code, step_up=step_up)
        blockers = ev.reasons(SUBMISSION, EVIDENCE)
        if blockers:
            raise ServiceError(
                "requirements_unmet",
                _("Cannot approve while requirements are unmet."),
                reasons=blockers,
            )
    now = timezone.now()
    signature = decision_signature(
        evidence=ev.evidence,
        reviewer=actor,
        capacities=capacities,
        decided_at=now,
        decision=decision,
        comment=comment,
    )
    server = signing.sign(
        DECISION_PURPOSE,
        decision_signed_record(
            model_version_id=mv.pk,
            round=review.round,
            reviewer=actor,
            decision=decision,
            decided_at=now,
            comment=comment,
            capacities=capacities,
            evidence=ev.evidence,
            digest=signature,
        ),
    )
    row = Decision.objects.create(
        server_signature=server.value,
        signing_key_id=server.key_id,
        review=review,
        model_version=mv,
        decision=decision,
        reviewer=actor,
        reviewer_role=actor.role,
        capacities=capacities,
        comment=comment,
        evidence=ev.evidence,
        signature=signature,
        decided_at=now,
        signed_with=proof.method if proof else "",
        authenticated_at=proof.at if proof else None,
    )
    outcome = _close_round(mv, review, row, ev)
    audit_event_record(
        actor=actor,
        action=f"review.{decision}",
        target=mv,
        payload={
            "decision": row.pk,
            "review": review.pk,
            "round": review.round,
            "capacities": capacities,
            "signature": signature,
            "server_signature": server.value,
            "signing_key_id": server.key_id,
            "signed_with": proof.method if proof else "",
            "authenticated_at": proof.at if proof else None,
            "evidence": ev.evidence,
            "comment": comment,
            "version_status": outcome,
        },
    )
    recipients = {u.pk: u for u in default_recipients(mv)}
    for person in (mv.submitted_by, mv.created_by):
        if person is not None:
            recipients[person.pk] = person
    notify(
        event="decision",
        target=mv,
        message=Sentence(
            DECISION_MESSAGES[decision, outcome], reviewer=actor.username, version=str(mv)
        ),
        payload={
            "model_version": mv.pk,
            "decision": decision,
            "status": mv.status,
            "reviewer": actor.username,
            "comment": comment,
        },
        recipients=recipients.values(),
    )
    return row


def _close_round(mv: ModelVersion, review: Review, row: Decision, ev: Evaluation) -> str:
    now = row.decided_at
    if row.decision == DecisionKind.REJECT:
        review.status, review.closed_at = ReviewStatus.REJECTED, now
        review.save()
        _set_status(mv, VersionStatus.REJECTED)
        return VersionStatus.REJECTED
    if row.decision == DecisionKind.REQUEST_CHANGES:
        review.status, review.closed_at = ReviewStatus.CHANGES_REQUESTED, now
        review.save()
        _set_status(mv, VersionStatus.CHANGES_REQUESTED)
        return VersionStatus.CHANGES_REQUESTED
    after = evaluate(mv, at=now)
    if not _approval_complete(after):
        return ""
    review.status, review.closed_at, review.approved_at = ReviewStatus.APPROVED, now, now
    days = ev.policy.recertify_days if ev.policy else None
    review.expires_at = now + timedelta(days=days) if days else None
    review.save()
    _set_status(mv, VersionStatus.APPROVED)
    return VersionStatus.APPROVED


def _has_approval(review: Review) -> bool:
    if review.status == ReviewStatus.APPROVED:
        return True
    return (
        review.status == ReviewStatus.OPEN
        and review.decisions.filter(decision=DecisionKind.APPROVE).exists()
    )


@transaction.atomic
def approvals_invalidate(
    *,
    model_version_ids: Iterable[int] | None,
    code: str,
    reason: str,
    actor: User | None = None,
    system_id: int | None = None,
    model_id: int | None = None,
) -> list[ModelVersion]:
    """Withdraw approvals (and partial approvals of open rounds) whose evidence changed.

    Each affected version goes back to ``in_review`` with a fresh round, so earlier
    signatures never count again; one audit event and one notification per version.
    """
    versions = ModelVersion.objects.filter(status__in=REVIEWED_STATUSES)
    if model_version_ids is not None:
        versions = versions.filter(pk__in=list(model_version_ids))
    if model_id is not None:
        versions = versions.filter(model_id=model_id)
    elif system_id is not None:
        versions = versions.filter(model__system_id=system_id)
    elif model_version_ids is None:
        raise ValueError("name the versions, a model or a system")
    affected = []
    now = timezone.now()
    locked = versions.select_for_update(of=("self", "model", "model__system"))
    for mv in locked.select_related("model__system", "artefact"):
        review = Review.objects.filter(model_version=mv).order_by("-round").first()
        if review is None or not _has_approval(review):
            continue
        was = mv.status
        review.status = ReviewStatus.INVALIDATED
        review.invalidated_at = review.closed_at = now
        review.invalidation_code, review.invalidation_reason = code, reason
        review.save()
        _set_status(mv, VersionStatus.IN_REVIEW)
        new_round = _open_round(mv, actor=actor, reason=f"invalidated: {reason}", ev=evaluate(mv))
        audit_event_record(
            actor=actor,
            action="approval.invalidated",
            target=mv,
            payload={
                "review": review.pk,
                "code": code,
                "reason": reason,
                "previous_status": was,
                "new_round": new_round.round,
            },
        )
        notify(
            event="approval_invalidated",
            target=mv,
            # The reason is the review policy's, recorded in English with the event.
            message=Sentence(
                gettext_noop("The approval of %(version)s was invalidated: %(reason)s"),
                version=str(mv),
                reason=reason,
            ),
            payload={"model_version": mv.pk, "code": code, "reason": reason, "was": was},
        )
        affected.append(mv)
    return affected


def approvals_expire(*, now: datetime | None = None) -> dict[str, int]:
    """Warn once before re-certification is due, then expire overdue approvals (the gate
    already refuses them at read time; this moves the versions back to review and tells
    people). Each version is handled in its own transaction."""
    now = now or timezone.now()
    horizon = now + timedelta(days=settings.APPROVAL_EXPIRY_WARNING_DAYS)
    warned = expired = 0
    due = Review.objects.filter(
        status=ReviewStatus.APPROVED,
        expires_at__gt=now,
        expires_at__lte=horizon,
        expiry_warned_at__isnull=True,
    )
    for review_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            review = (
                Review.objects.select_for_update().select_related("model_version").get(pk=review_id)
            )
            if review.expiry_warned_at is not None:
                continue
            review.expiry_warned_at = now
            review.save()
            mv = review.model_version
            audit_event_record(
                actor=None,
                action="approval.expiry_warned",
                target=mv,
                payload={"review": review.pk, "expires_at": review.expires_at},
            )
            notify(
                event="approval_expiring",
                target=mv,
                message=Sentence(
                    gettext_noop(
                        "The approval of %(version)s expires on %(date)s; re-certify it before "
                        "then."
                    ),
                    version=str(mv),
                    date=Day(review.expires_at),
                ),
                payload={"model_version": mv.pk, "expires_at": review.expires_at},
            )
            warned += 1
    overdue = Review.objects.filter(status=ReviewStatus.APPROVED, expires_at__lte=now)
    for review_id in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            review = Review.objects.select_for_update().get(pk=review_id)
            if review.status != ReviewStatus.APPROVED:
                continue
            mv = _lock(review.model_version)
            review.status, review.closed_at = ReviewStatus.EXPIRED, now
            review.save()
            was = mv.status
            if mv.status in REVIEWED_STATUSES:
                _set_status(mv, VersionStatus.IN_REVIEW)
            _open_round(mv, actor=None, reason="re-certification due", ev=evaluate(mv))
            audit_event_record(
                actor=None,
                action="approval.expired",
                target=mv,
                payload={
                    "review": review.pk,
                    "expires_at": review.expires_at,
                    "previous_status": was,
                },
            )
            notify(
                event="approval_expiring",
                target=mv,
                message=Sentence(
                    gettext_noop(
                        "The approval of %(version)s expired on %(date)s; it is back in review "
                        "for re-certification."
                    ),
                    version=str(mv),
                    date=Day(review.expires_at),
                ),
                payload={"model_version": mv.pk, "expired": True},
            )
            expired += 1
    return {"warned": warned, "expired": expired}


__all__ = [
    "APPROVAL",
    "approvals_expire",
    "approvals_invalidate",
    "decision_signature",
    "model_version_submit",
    "review_decide",
]


# Who hands out review work: the roles that see the whole queue.
ASSIGNER_ROLES = (Role.COMPLIANCE_OFFICER, Role.ADMIN)


@transaction.atomic
def review_assign(*, actor: User, model_version: ModelVersion, assignee: User | None) -> Review:
    """Ask ``assignee`` to decide on the version's open review round (None: nobody).

    Invariants: compliance officers and admins assign; the version is in review with an open
    round; the assignee is an active person who may decide on it (a compliance officer or its
    accountable owner) and did not build, submit or supply it. The assignee is notified.
    """
    if not ModelVersion.objects.visible_to(actor).filter(pk=model_version.pk).exists():
        raise _not_visible(model_version)
    if actor.role not in ASSIGNER_ROLES:
        raise Forbidden("role_forbidden", _("Compliance officers and admins assign reviews."))
    mv = _lock(model_version)
    ev = evaluate(mv)
    review = ev.review
    if mv.status != VersionStatus.IN_REVIEW or review is None or review.status != ReviewStatus.OPEN:
        raise _not_in_review(mv)
    if assignee is not None:
        if not assignee.is_active or not ev.capacities(assignee):
            raise ServiceError(
                "assignee_not_a_reviewer",
                _(
                    "%(person)s may not decide on this version: only compliance officers and "
                    "its accountable owner decide."
                )
                % {"person": assignee.username},
            )
        if assignee.pk in ev.builder_ids:
            raise ServiceError(
                "assignee_separation_of_duties",
                _("%(person)s built, submitted or supplied this version; someone else must decide.")
                % {"person": assignee.username},
            )
        if review.decisions.filter(reviewer=assignee).exists():
            raise Conflict(
                "assignee_already_decided",
                _("%(person)s has already decided this round.") % {"person": assignee.username},
            )
    previous = review.assignee
    if (previous.pk if previous else None) == (assignee.pk if assignee else None):
        return review
    review.assignee = assignee
    review.save(update_fields=["assignee"])
    audit_event_record(
        actor=actor,
        action="review.assigned",
        target=mv,
        payload={
            "review": review.pk,
            "round": review.round,
            "assignee": assignee.username if assignee else None,
            "previous": previous.username if previous else None,
        },
    )
    if assignee is not None and assignee.pk != actor.pk:
        notify(
            event="review_requested",
            target=mv,
            message=Sentence(
                gettext_noop("%(requester)s asks you to decide on %(version)s."),
                requester=actor.username,
                version=str(mv),
            ),
            payload={"model_version": mv.pk, "review": review.pk, "assigned_by": actor.username},
            recipients=[assignee],
        )
    return review
