"""Findings: created from check outcomes, metric reports and audits; resolved by oversight."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from audits.checks import Finding as OutcomeFinding
from audits.checks.vocabulary import CHECK_KIND_CHOICES
from audits.runs.models.findings import (
    LIVE_STATUSES,
    WORK_STATUSES,
    Finding,
    FindingSource,
    FindingStatus,
    finding_fingerprint,
)
from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Conflict, Forbidden, ServiceError, vocabulary_term
from governance.kernel.sentences import Sentence, Term
from governance.policy.notifications.services import notify
from registry.models import ModelVersion

RESOLVER_ROLES = frozenset({Role.COMPLIANCE_OFFICER, Role.ADMIN})
# A retraining pipeline subscribes to drift_detected: only findings worth acting on.
DRIFT_SEVERITIES = frozenset({"medium", "high"})
CHECK_LABELS = dict(CHECK_KIND_CHOICES)


_RULES = json.loads((Path(__file__).resolve().parent.parent / "finding_rules.json").read_text())
# Days to fix a finding by severity (None: no deadline); data, so the organisation can change it.
DUE_DAYS: dict[str, int | None] = _RULES["due_days"]
RISK_ACCEPT_ROLES = frozenset(_RULES["risk_accept_roles"])
RISK_ACCEPT_MAX_DAYS: int = _RULES["risk_accept_max_days"]


def due_date_for(severity: str, *, today: date | None = None) -> date | None:
    days = DUE_DAYS.get(severity)
    if days is None:
        return None
    return (today or timezone.localdate()) + timedelta(days=days)


@dataclass
class FindingsRecorded:
    """What one run did to the findings of its version."""

    new: list[Finding] = field(default_factory=list)
    updated: list[Finding] = field(default_factory=list)
    closed: list[Finding] = field(default_factory=list)

    @property
    def seen(self) -> list[Finding]:
        return self.new + self.updated


def _dedupe(findings: Sequence[OutcomeFinding], *, model_version_id: int, kind: str):
    """(fingerprint, finding) pairs, the first of each fingerprint in the batch."""
    out: dict[str, OutcomeFinding] = {}
    for f in findings:
        fp = finding_fingerprint(
            model_version_id=model_version_id,
            kind=kind,
            code=f.code[:80],
            metric=(f.metric or "")[:80],
            group=(f.group or "")[:300],
        )
        out.setdefault(fp, f)
    return out


@transaction.atomic
def findings_record(
    findings: Sequence[OutcomeFinding],
    *,
    model_version_id: int,
    source: str,
    kind: str,
    check_run=None,
    audit_run=None,
    operational_metric=None,
    close_missing: bool = False,
) -> FindingsRecorded:
    """Record what a run found: a problem already live (same fingerprint) is updated, not
    raised again; with ``close_missing`` a live problem of this kind the run no longer shows
    is resolved, naming the run. Part of the caller's transaction when there is one."""
    # Runs of one version finish one after another here, so two workers never both decide a
    # problem is new (the unique constraint would refuse the second anyway).
    ModelVersion.objects.select_for_update().filter(pk=model_version_id).first()
    now = timezone.now()
    batch = _dedupe(findings, model_version_id=model_version_id, kind=kind)
    live = {
        f.fingerprint: f
        for f in Finding.objects.select_for_update().filter(
            fingerprint__in=list(batch), status__in=LIVE_STATUSES
        )
    }
    result = FindingsRecorded()
    fresh: list[Finding] = []
    for fp, f in batch.items():
        doc = f.to_dict()
        row = live.get(fp)
        if row is None:
            fresh.append(
                Finding(
                    model_version_id=model_version_id,
                    source=source,
                    kind=kind,
                    check_run=check_run,
                    audit_run=audit_run,
                    operational_metric=operational_metric,
                    severity=f.severity,
                    code=f.code[:80],
                    message=f.message,
                    metric=(f.metric or "")[:80],
                    value=doc["value"],
                    threshold=doc["threshold"],
                    group=(f.group or "")[:300],
                    fingerprint=fp,
                    last_seen_at=now,
                    last_seen_run=check_run,
                    due_date=due_date_for(f.severity),
                )
            )
            continue
        row.severity = f.severity
        row.message = f.message
        row.value = doc["value"]
        row.threshold = doc["threshold"]
        row.occurrences += 1
        row.last_seen_at = now
        if check_run is not None:
            row.last_seen_run = check_run
        if row.status in WORK_STATUSES:
            # A problem that got worse is due sooner, never later.
            sooner = due_date_for(f.severity)
            if sooner and (row.due_date is None or sooner < row.due_date):
                row.due_date = sooner
        row.save()
        if check_run is not None:
            row.seen_in_runs.add(check_run)
        result.updated.append(row)
    if fresh:
        result.new = bulk_create_with_history(fresh, Finding)
    if close_missing:
        gone = (
            Finding.objects.select_for_update()
            .filter(
                model_version_id=model_version_id,
                kind=kind,
                status__in=[*WORK_STATUSES, FindingStatus.RISK_ACCEPTED],
            )
            .exclude(fingerprint__in=list(batch))
        )
        if check_run is not None:
            by = f"{check_run.get_kind_display()} check run #{check_run.pk}"
        elif audit_run is not None:
            by = f"scheduled audit #{audit_run.pk}"
        else:
            by = "a later report"
        for row in gone:
            row.status = FindingStatus.RESOLVED
            row.resolved_at = now
            row.resolved_by = None
            row.closed_by_run = check_run
            row.resolution_comment = f"No longer seen by {by}."
            row.save()
            result.closed.append(row)
    if result.updated or result.closed:
        audit_event_record(
            actor=None,
            action="findings.recorded",
            target=check_run or audit_run or operational_metric,
            payload={
                "model_version": model_version_id,
                "kind": kind,
                "new": [f.pk for f in result.new],
                "seen_again": [f.pk for f in result.updated],
                "closed": [f.pk for f in result.closed],
            },
        )
    return result


def findings_create(*, run, findings: Sequence[OutcomeFinding], close_missing: bool = False):
    """Record a check run's findings; returns what changed (``.seen``: raised or seen again)."""
    return findings_record(
        findings,
        model_version_id=run.model_version_id,
        source=FindingSource.CHECK,
        kind=run.kind,
        check_run=run,
        close_missing=close_missing,
    )


def _summary(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [
        {"id": f.pk, "severity": f.severity, "code": f.code, "metric": f.metric, "value": f.value}
        for f in findings
    ]


def check_kind(kind: str) -> Term:
    """A check kind in a notification: its key in English (as the messages always read), its
    label in another language."""
    return Term(CHECK_LABELS.get(kind, ""), kind)


def check_subject(run) -> Sentence:
    return Sentence(
        gettext_noop("%(kind)s check #%(number)s of %(version)s"),
        kind=check_kind(run.kind),
        number=run.pk,
        version=str(run.model_version),
    )


def notify_findings(*, target, findings: Sequence[Finding], kind: str, subject: Sentence) -> None:
    """``finding_raised`` for high findings; ``drift_detected`` for drift or performance."""
    high = [f for f in findings if f.severity == "high"]
    if high:
        notify(
            event="finding_raised",
            target=target,
            message=Sentence(
                gettext_noop("%(count)s high-severity finding(s) on %(subject)s: %(codes)s"),
                count=len(high),
                subject=subject,
                codes="; ".join(f.code for f in high[:5]),
            ),
            payload={"kind": kind, "findings": _summary(high)},
        )
    drifting = [f for f in findings if f.severity in DRIFT_SEVERITIES]
    if kind in ("drift", "performance") and drifting:
        notify(
            event="drift_detected",
            target=target,
            message=Sentence(
                gettext_noop("%(kind)s findings on %(subject)s: %(codes)s"),
                kind=check_kind(kind),
                subject=subject,
                codes="; ".join(f.code for f in drifting[:5]),
            ),
            payload={
                "kind": kind,
                "model_version": getattr(target, "model_version_id", None),
                "findings": _summary(drifting),
            },
        )


def notify_run_finished(run, findings: Sequence[Finding]) -> None:
    subject = check_subject(run)
    if run.status == "failed" or run.passed is False:
        # The error is the worker's, recorded in English with the run.
        message = (
            Sentence(
                gettext_noop("The %(subject)s failed: %(code)s: %(error)s"),
                subject=subject,
                code=run.error_code,
                error=run.error_message,
            )
            if run.status == "failed"
            else Sentence(
                gettext_noop("The %(subject)s did not pass its declared thresholds"),
                subject=subject,
            )
        )
        notify(
            event="check_failed",
            target=run,
            message=message,
            payload={
                "check_run": run.pk,
                "kind": run.kind,
                "model_version": run.model_version_id,
                "status": run.status,
                "passed": run.passed,
                "error_code": run.error_code,
                "result_sha256": run.result_sha256,
            },
        )
    notify_findings(target=run, findings=findings, kind=run.kind, subject=subject)


def _locked(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().get(pk=finding.pk)


def _may_work_on(actor: User, finding: Finding) -> bool:
    return actor.role in RESOLVER_ROLES or (
        finding.assignee_id is not None and finding.assignee_id == actor.pk
    )


# What a closed finding refuses, one whole sentence per refused action.
_CLOSED = {
    "assigned": gettext_noop(
        "Finding %(id)s is %(status)s; only open or in-progress findings can be assigned."
    ),
    "resolved": gettext_noop(
        "Finding %(id)s is %(status)s; only open or in-progress findings can be resolved."
    ),
    "accepted": gettext_noop(
        "Finding %(id)s is %(status)s; only open or in-progress findings can be accepted."
    ),
    "dismissed": gettext_noop(
        "Finding %(id)s is %(status)s; only open or in-progress findings can be dismissed."
    ),
}
_TEXT_REQUIRED = {
    "comment": gettext_noop("Say in a comment why; it cannot be empty."),
    "reason": gettext_noop("Say in a reason why; it cannot be empty."),
}


def _require_work_status(finding: Finding, verb: str) -> None:
    if finding.status not in WORK_STATUSES:
        status = vocabulary_term(
            finding.get_status_display().lower(), FindingStatus(finding.status).label
        )
        raise Conflict("finding_closed", _(_CLOSED[verb]) % {"id": finding.pk, "status": status})


def _require_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ServiceError(f"{what}_required", _(_TEXT_REQUIRED[what]))
    return text


def _record(actor: User, finding: Finding, action: str, **payload: Any) -> None:
    audit_event_record(
        actor=actor,
        action=action,
        target=finding,
        payload={"code": finding.code, "severity": finding.severity, **payload},
    )


@transaction.atomic
def finding_start(*, actor: User, finding: Finding) -> Finding:
    """Open -> in progress: someone is on it (and becomes its assignee if it had none)."""
    finding = _locked(finding)
    if not _may_work_on(actor, finding):
        raise Forbidden("role_forbidden", _("Only its assignee, compliance officers and admins."))
    if finding.status != FindingStatus.OPEN:
        raise Conflict("not_open", _("Finding %(id)s is not open.") % {"id": finding.pk})
    finding.status = FindingStatus.IN_PROGRESS
    if finding.assignee_id is None:
        finding.assignee = actor
    finding.save()
    _record(actor, finding, "finding.started", assignee=finding.assignee_id)
    return finding


@transaction.atomic
def finding_assign(*, actor: User, finding: Finding, assignee: User | None) -> Finding:
    if actor.role not in RESOLVER_ROLES:
        raise Forbidden("role_forbidden", _("Only compliance officers and admins assign findings."))
    finding = _locked(finding)
    _require_work_status(finding, "assigned")
    if assignee is not None and not assignee.is_active:
        raise ServiceError(
            "assignee_inactive", _("%(user)s is deactivated.") % {"user": assignee.username}
        )
    finding.assignee = assignee
    finding.save()
    _record(actor, finding, "finding.assigned", assignee=getattr(assignee, "pk", None))
    return finding


@transaction.atomic
def finding_resolve(*, actor: User, finding: Finding, comment: str = "") -> Finding:
    """Mark a finding resolved; the comment saying how is required."""
    finding = _locked(finding)
    if not _may_work_on(actor, finding):
        raise Forbidden(
            "role_forbidden",
            _("Only its assignee, compliance officers and admins resolve findings."),
        )
    if finding.status == FindingStatus.RESOLVED:
        raise Conflict(
            "already_resolved", _("Finding %(id)s is already resolved.") % {"id": finding.pk}
        )
    _require_work_status(finding, "resolved")
    comment = _require_text(comment, "comment")
    finding.status = FindingStatus.RESOLVED
    finding.resolved_by = actor
    finding.resolved_at = timezone.now()
    finding.resolution_comment = comment
    finding.save()
    _record(actor, finding, "finding.resolved", comment=comment)
    return finding


@transaction.atomic
def finding_accept_risk(*, actor: User, finding: Finding, comment: str, until: date) -> Finding:
    """Accept the risk until a date; the beat task reopens it on that date."""
    if actor.role not in RISK_ACCEPT_ROLES:
        raise Forbidden("role_forbidden", _("Only compliance officers and admins accept risks."))
    finding = _locked(finding)
    _require_work_status(finding, "accepted")
    comment = _require_text(comment, "comment")
    today = timezone.localdate()
    if until is None or until <= today:
        raise ServiceError("expiry_invalid", _("A risk is accepted until a date in the future."))
    if until > today + timedelta(days=RISK_ACCEPT_MAX_DAYS):
        raise ServiceError(
            "expiry_too_far",
            _("A risk is accepted for at most %(days)s days.") % {"days": RISK_ACCEPT_MAX_DAYS},
        )
    finding.status = FindingStatus.RISK_ACCEPTED
    finding.accepted_until = until
    finding.resolved_by = actor
    finding.resolved_at = timezone.now()
    finding.resolution_comment = comment
    finding.save()
    _record(actor, finding, "finding.risk_accepted", comment=comment, until=until.isoformat())
    return finding


@transaction.atomic
def finding_mark_false_positive(*, actor: User, finding: Finding, reason: str) -> Finding:
    if not _may_work_on(actor, finding):
        raise Forbidden("role_forbidden", _("Only its assignee, compliance officers and admins."))
    finding = _locked(finding)
    _require_work_status(finding, "dismissed")
    reason = _require_text(reason, "reason")
    finding.status = FindingStatus.FALSE_POSITIVE
    finding.resolved_by = actor
    finding.resolved_at = timezone.now()
    finding.resolution_comment = reason
    finding.save()
    _record(actor, finding, "finding.false_positive", reason=reason)
    return finding


def findings_reopen_expired(*, today: date | None = None) -> list[int]:
    """Accepted risks past their date are open again, each in its own transaction."""
    today = today or timezone.localdate()
    reopened = []
    due = Finding.objects.filter(
        status=FindingStatus.RISK_ACCEPTED, accepted_until__lt=today
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            finding = Finding.objects.select_for_update().filter(pk=pk).first()
            if finding is None or finding.status != FindingStatus.RISK_ACCEPTED:
                continue
            if finding.accepted_until is None or finding.accepted_until >= today:
                continue
            until = finding.accepted_until
            finding.status = FindingStatus.OPEN
            finding.accepted_until = None
            finding.due_date = due_date_for(finding.severity, today=today)
            finding.save()
            audit_event_record(
                actor=None,
                action="finding.risk_acceptance_expired",
                target=finding,
                payload={"code": finding.code, "accepted_until": until.isoformat()},
            )
            reopened.append(pk)
    return reopened
