"""Findings: created from check outcomes, metric reports and audits; resolved by oversight."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from audits.checks import Finding as OutcomeFinding
from audits.runs.models.findings import Finding, FindingSource, FindingStatus
from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Conflict, Forbidden
from governance.policy.notifications.services import notify

RESOLVER_ROLES = frozenset({Role.COMPLIANCE_OFFICER, Role.ADMIN})
# A retraining pipeline subscribes to drift_detected: only findings worth acting on.
DRIFT_SEVERITIES = frozenset({"medium", "high"})


def _row(f: OutcomeFinding, **links: Any) -> Finding:
    return Finding(
        severity=f.severity,
        code=f.code[:80],
        message=f.message,
        metric=(f.metric or "")[:80],
        value=f.to_dict()["value"],
        threshold=f.to_dict()["threshold"],
        group=(f.group or "")[:300],
        **links,
    )


def findings_build(
    findings: Sequence[OutcomeFinding], *, model_version_id: int, source: str, **links: Any
) -> list[Finding]:
    rows = [_row(f, model_version_id=model_version_id, source=source, **links) for f in findings]
    return bulk_create_with_history(rows, Finding) if rows else []


def findings_create(*, run, findings: Sequence[OutcomeFinding]) -> list[Finding]:
    """One Finding row per finding of a check outcome, linked to its run."""
    return findings_build(
        findings, model_version_id=run.model_version_id, source=FindingSource.CHECK, check_run=run
    )


def _summary(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [
        {"id": f.pk, "severity": f.severity, "code": f.code, "metric": f.metric, "value": f.value}
        for f in findings
    ]


def notify_findings(*, target, findings: Sequence[Finding], kind: str, subject: str) -> None:
    """``finding_raised`` for high findings; ``drift_detected`` for drift or performance."""
    high = [f for f in findings if f.severity == "high"]
    if high:
        notify(
            event="finding_raised",
            target=target,
            message=f"{len(high)} high-severity finding(s) on {subject}: "
            + "; ".join(f.code for f in high[:5]),
            payload={"kind": kind, "findings": _summary(high)},
        )
    drifting = [f for f in findings if f.severity in DRIFT_SEVERITIES]
    if kind in ("drift", "performance") and drifting:
        notify(
            event="drift_detected",
            target=target,
            message=f"{kind} findings on {subject}: " + "; ".join(f.code for f in drifting[:5]),
            payload={
                "kind": kind,
                "model_version": getattr(target, "model_version_id", None),
                "findings": _summary(drifting),
            },
        )


def notify_run_finished(run, findings: Sequence[Finding]) -> None:
    subject = f"{run.kind} check #{run.pk} of {run.model_version}"
    if run.status == "failed" or run.passed is False:
        reason = (
            f"failed: {run.error_code}: {run.error_message}"
            if run.status == "failed"
            else "did not pass its declared thresholds"
        )
        notify(
            event="check_failed",
            target=run,
            message=f"The {subject} {reason}",
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


@transaction.atomic
def finding_resolve(*, actor: User, finding: Finding, comment: str = "") -> Finding:
    """Mark a finding resolved. Only compliance officers and admins; a resolved one stays so."""
    if actor.role not in RESOLVER_ROLES:
        raise Forbidden("role_forbidden", "Only compliance officers and admins resolve findings.")
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status == FindingStatus.RESOLVED:
        raise Conflict("already_resolved", f"Finding {finding.pk} is already resolved.")
    finding.status = FindingStatus.RESOLVED
    finding.resolved_by = actor
    finding.resolved_at = timezone.now()
    finding.resolution_comment = comment
    finding.save()
    audit_event_record(
        actor=actor,
        action="finding.resolved",
        target=finding,
        payload={"code": finding.code, "severity": finding.severity, "comment": comment},
    )
    return finding
