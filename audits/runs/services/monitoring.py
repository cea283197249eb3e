"""Operational monitoring: latency, errors and resource use reported from production."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audits.checks import Finding as OutcomeFinding
from audits.runs.models.checks import CheckKind, CheckRun
from audits.runs.models.findings import FindingSource
from audits.runs.models.monitoring import OperationalMetric
from audits.runs.services.checks import result_sha256
from audits.runs.services.findings import findings_record
from audits.runs.services.rules import OPERATIONAL_DEFAULTS, policy_for
from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Forbidden, ServiceError
from governance.kernel.jobs.services import job_succeed
from governance.kernel.sentences import Sentence, Term
from governance.policy.deployments.models import Environment
from governance.policy.notifications.services import notify
from registry.models import ModelVersion

ENVIRONMENT_LABELS = dict(Environment.choices)

METRICS = (
    "latency_p95_ms",
    "throughput_rps",
    "error_rate",
    "cpu_percent",
    "gpu_percent",
    "memory_mb",
)
# Users feel latency and errors directly; resource pressure is a warning sign.
SEVERITY = {"latency_p95_ms": "high", "error_rate": "high"}


def operational_thresholds(model_version: ModelVersion) -> tuple[dict[str, Any], str]:
    """Policy.thresholds["operational"] over the defaults; unknown keys are ignored."""
    limits = dict(OPERATIONAL_DEFAULTS)
    policy = policy_for(model_version)
    source = "defaults"
    if policy is not None:
        declared = (policy.thresholds or {}).get("operational") or {}
        for key, value in declared.items():
            name = key.removesuffix("_max")
            if name in limits:
                limits[name] = value
        source = f"policy:{policy.tier}:v{policy.version}"
    return limits, source


def _evaluate(values: dict[str, float | None], limits: dict[str, Any]) -> list[OutcomeFinding]:
    findings = []
    for name, limit in limits.items():
        value = values.get(name)
        if limit is None or value is None or value <= limit:
            continue
        findings.append(
            OutcomeFinding(
                severity=SEVERITY.get(name, "medium"),
                code=f"{name}_exceeded",
                message=f"{name.replace('_', ' ')} is {value:g}, above the limit {limit:g}",
                metric=name,
                value=float(value),
                threshold=float(limit),
            )
        )
    return findings


@transaction.atomic
def operational_metrics_report(
    *,
    actor: User,
    model_version: ModelVersion,
    environment: str,
    window_start: datetime,
    window_end: datetime,
    **values: float | None,
) -> OperationalMetric:
    """Store one reporting window and judge it against the operational thresholds.

    Invariants: only a data scientist of the owning team reports (pipelines use their token);
    the judgement is stored as a succeeded ``operational`` CheckRun with hashed result, so it
    is evidence like any other check; breaches become findings and notify the people.
    """
    if actor.role != Role.DATA_SCIENTIST:
        raise Forbidden("role_forbidden", _("Only a data scientist of the team reports metrics."))
    if not ModelVersion.objects.visible_to(actor, "change").filter(pk=model_version.pk).exists():
        raise Forbidden("role_forbidden", _("Only a data scientist of the team reports metrics."))
    if window_end <= window_start:
        raise ServiceError("invalid_window", _("window_end must be after window_start."))
    unknown = set(values) - set(METRICS)
    if unknown:
        raise ServiceError(
            "unknown_metric", _("Unknown metric(s) %(metrics)s.") % {"metrics": sorted(unknown)}
        )
    limits, source = operational_thresholds(model_version)
    metric = OperationalMetric.objects.create(
        model_version=model_version,
        environment=environment,
        window_start=window_start,
        window_end=window_end,
        thresholds=limits,
        reported_by=actor,
        **values,
    )
    findings = _evaluate(values, limits)
    result = {
        "environment": environment,
        "window_start": window_start.isoformat(),
        "window_end": window_end.isoformat(),
        "metrics": {name: values.get(name) for name in METRICS},
        "thresholds": limits,
        "breaches": [f.metric for f in findings],
    }
    now = timezone.now()
    run = CheckRun.objects.create(
        kind=CheckKind.OPERATIONAL,
        model_version=model_version,
        parameters={"operational_metric": metric.pk},
        thresholds=limits,
        thresholds_source=source,
        requested_by=actor,
        status="running",
        attempts=1,
        started_at=now,
    )
    job_succeed(run, result=result, result_sha256=result_sha256(result), passed=not findings)
    metric.check_run = run
    metric.save(update_fields=["check_run"])
    # Per environment: staging's latency is not production's problem. Nothing closes here, a
    # report may leave out the metric that breached before.
    rows = findings_record(
        findings,
        model_version_id=model_version.pk,
        source=FindingSource.OPERATIONAL,
        kind=f"operational:{environment}"[:40],
        check_run=run,
        operational_metric=metric,
    ).seen
    audit_event_record(
        actor=actor,
        action="operational_metrics.reported",
        target=metric,
        payload={"check_run": run.pk, **result, "findings": [f.pk for f in rows]},
    )
    # No check_run_finished here: a latency spike says nothing about the evidence an approval
    # rests on, and receivers of that signal may invalidate approvals.
    if rows:
        notify(
            event="finding_raised",
            target=run,
            message=Sentence(
                gettext_noop(
                    "Operational limits breached by %(version)s in %(environment)s: %(metrics)s"
                ),
                version=str(model_version),
                environment=Term(ENVIRONMENT_LABELS.get(environment, ""), environment),
                metrics=", ".join(f.metric for f in rows),
            ),
            payload={
                "model_version": model_version.pk,
                "environment": environment,
                "findings": [
                    {"id": f.pk, "metric": f.metric, "value": f.value, "threshold": f.threshold}
                    for f in rows
                ],
            },
        )
    return metric
