"""What one scheduled audit does: re-run the required checks on the latest data (the newest
training data for tabular checks, the newest recorded answers for an LLM application's
generative check), check the approval and the documentation, raise findings and tell the
responsible people.

The audit run finishes once its checks are queued; each check run then finishes, raises its
own findings and notifies on its own (a SHAP run may take minutes, the audit need not wait).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_noop

from audits.checks import Finding as OutcomeFinding
from audits.programme.models import AuditRun
from audits.programme.signals import audit_run_finished
from audits.runs.models.findings import Finding, FindingSource
from audits.runs.services.checks import check_run_request
from audits.runs.services.findings import findings_record
from audits.runs.services.rules import policy_for
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import ServiceError
from governance.kernel.jobs.services import job_progress, job_succeed, tracked_job
from governance.kernel.languages import DEFAULT_LANGUAGE
from governance.kernel.sentences import Sentence
from governance.policy.deployments.models import Deployment
from governance.policy.notifications.services import notify
from governance.review.evaluation import evaluate
from registry.models import DatasetVersion, LineageEdge, ModelVersion, ProfileStatus

logger = logging.getLogger(__name__)

LIVE_STATUSES = ("in_review", "changes_requested", "approved", "deployed")
# Unmet requirements that a periodic audit reports, and how loudly.
AUDITED_REQUIREMENTS = {
    "approval_expired": "high",
    "approval_invalidated": "high",
    "evidence_changed": "high",
    "pii_unresolved": "high",
    "documentation_missing": "medium",
    "check_failed": "medium",
    "check_missing": "medium",
}


def versions_to_audit(system) -> list:
    """Per model: the version running in production, else the newest version under review or
    approved. Drafts are work in progress, not something in use."""

    chosen = []
    for model in system.models.all():
        row = (
            Deployment.objects.filter(model=model, environment="prod")
            .order_by("-deployed_at", "-id")
            .select_related("model_version")
            .first()
        )
        if row is not None:
            chosen.append(row.model_version)
            continue
        latest = (
            ModelVersion.objects.filter(model=model, status__in=LIVE_STATUSES)
            .order_by("-created_at", "-id")
            .first()
        )
        if latest is not None:
            chosen.append(latest)
    return chosen


def latest_training_data(model_version) -> tuple[Any, Any]:
    """(trained-on dataset version, newest profiled version of the same dataset)."""

    edge = (
        LineageEdge.objects.filter(kind="trained_on", downstream_model_version=model_version)
        .select_related("upstream_dataset_version")
        .order_by("-id")
        .first()
    )
    if edge is None:
        return None, None
    trained = edge.upstream_dataset_version
    latest = (
        DatasetVersion.objects.filter(
            dataset_id=trained.dataset_id, profile_status=ProfileStatus.READY
        )
        .order_by("-created_at", "-id")
        .first()
    )
    return trained, latest or trained


def latest_recorded_outputs(model_version, relations: list[str]) -> Any:
    """The newest recorded answers of an LLM application: among the JSON Lines dataset
    versions linked to it as evaluation data (``relations``, the policy's evidence
    relations), the newest, or a newer profiled version of the same dataset when answers
    recorded since were uploaded. None: it has none."""

    edge = (
        LineageEdge.objects.filter(
            kind__in=relations,
            downstream_model_version=model_version,
            upstream_dataset_version__data_format="jsonl",
        )
        .select_related("upstream_dataset_version")
        .order_by("-upstream_dataset_version__created_at", "-upstream_dataset_version_id")
        .first()
    )
    if edge is None:
        return None
    linked = edge.upstream_dataset_version
    newer = (
        DatasetVersion.objects.filter(
            dataset_id=linked.dataset_id,
            data_format="jsonl",
            profile_status=ProfileStatus.READY,
            created_at__gt=linked.created_at,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    return newer or linked


def _requirement_findings(model_version) -> list[OutcomeFinding]:
    findings = []
    for req in evaluate(model_version).unmet():
        base = req.code.split(":", 1)[0]
        severity = AUDITED_REQUIREMENTS.get(base)
        if severity is None:
            continue
        findings.append(
            OutcomeFinding(
                severity=severity,  # type: ignore[arg-type]
                code=req.code[:80],
                message=req.reason or req.label,
                group=req.code.split(":", 1)[1] if ":" in req.code else None,
            )
        )
    return findings


def _wanted_checks(mv, kinds: list[str], policy) -> tuple[list[tuple], list[OutcomeFinding]]:
    """(kind, data, reference) of each check to re-run, and why others cannot be: tabular
    checks on the newest training data, the generative check on the newest recorded
    answers."""

    wanted: list[tuple] = []
    problems: list[OutcomeFinding] = []
    tabular = [k for k in kinds if k != "generative"]
    if "generative" in kinds:
        relations = list(policy.evidence_datasets or []) if policy else []
        outputs = latest_recorded_outputs(mv, relations or ["tested_on", "validated_on"])
        if outputs is None:
            problems.append(
                OutcomeFinding(
                    severity="medium",
                    code="audit_no_outputs",
                    message=f"{mv} has no recorded answers (a JSON Lines dataset version "
                    f"linked as {' or '.join(relations or ['tested_on', 'validated_on'])}), "
                    "so the generative check cannot be re-run.",
                    group="generative",
                )
            )
        else:
            wanted.append(("generative", outputs, None))
    trained, latest = latest_training_data(mv)
    if latest is None:
        if tabular:
            problems.append(
                OutcomeFinding(
                    severity="medium",
                    code="audit_no_data",
                    message=f"{mv} has no trained_on dataset version, so {', '.join(tabular)} "
                    "checks cannot be re-run.",
                )
            )
        return wanted, problems
    wanted += [(kind, latest, None) for kind in tabular]
    if trained is not None and latest.pk != trained.pk and mv.model.task != "generative":
        wanted.append(("drift", latest, trained))  # newer data than the model saw: moved?
    return wanted, problems


def _start_checks(
    run: AuditRun, mv, kinds: list[str], policy=None
) -> tuple[list[int], list[OutcomeFinding]]:

    wanted, problems = _wanted_checks(mv, kinds, policy)
    started = []
    for kind, data, reference in wanted:
        try:
            # A refusal becomes a finding, a record: in English even when the audit runs
            # inside a request (eager tasks, in development).
            with translation.override(DEFAULT_LANGUAGE), transaction.atomic():
                check = check_run_request(
                    actor=None,
                    model_version=mv,
                    kind=kind,
                    dataset_version=data,
                    reference_dataset_version=reference,
                    audit_run=run,
                )
            started.append(check.pk)
        except ServiceError as exc:
            problems.append(
                OutcomeFinding(
                    severity="medium",
                    code="audit_check_not_started",
                    message=f"The {kind} check of {mv} could not start: {exc.message}",
                    group=kind,
                )
            )
    return started, problems


def audit_run_process(*, run_id: int, task=None) -> None:
    """The task body of one audit run (idempotent: a finished run is left alone)."""

    with tracked_job(AuditRun, run_id, task=task) as job:
        if job is None:
            return
        run = AuditRun.objects.select_related("system").get(pk=job.pk)
        versions = versions_to_audit(run.system)
        summary: dict[str, Any] = {"model_versions": [], "check_runs": [], "findings": []}
        raised: list[Finding] = []
        for i, mv in enumerate(versions):
            job_progress(run, i / max(1, len(versions)), f"auditing {mv}")
            policy = policy_for(mv)
            # Only the required checks that apply to what the version is: tabular checks
            # for classical models, the generative evaluation for LLM applications.
            kinds = policy.checks_for(mv.model.task)[0] if policy else []
            started, problems = _start_checks(run, mv, kinds, policy)
            with transaction.atomic():
                # One finding per problem: what is still open is updated, what this audit no
                # longer sees is closed naming it.
                rows = findings_record(
                    problems + _requirement_findings(mv),
                    model_version_id=mv.pk,
                    source=FindingSource.AUDIT,
                    kind="audit",
                    audit_run=run,
                    close_missing=True,
                ).new
            raised += rows
            summary["model_versions"].append(
                {"id": mv.pk, "required_checks": kinds, "check_runs": started}
            )
            summary["check_runs"] += started
        summary["findings"] = [f.pk for f in raised]
        with transaction.atomic():
            job_succeed(run, summary=summary, progress_message="checks queued")
            audit_event_record(actor=None, action="audit_run.finished", target=run, payload=summary)
            if raised:
                notify(
                    event="finding_raised",
                    target=run.system,
                    message=Sentence(
                        gettext_noop(
                            "Scheduled audit #%(number)s of %(system)s raised %(count)s "
                            "finding(s): %(codes)s"
                        ),
                        number=run.pk,
                        system=str(run.system),
                        count=len(raised),
                        codes="; ".join(f.code for f in raised[:5]),
                    ),
                    payload={"audit_run": run.pk, "findings": summary["findings"]},
                )
        audit_run_finished.send(sender=AuditRun, audit_run=run)
