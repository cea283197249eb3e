"""Requesting, running and finishing check runs.

Requesting validates everything that can be validated without reading the data (kind, team of
the datasets, column roles, parameters, thresholds) so bad input is a 400 now, not a failed
run later; then it freezes the inputs on the row and queues the worker once the row commits.
Finishing writes the result, its hash, the findings, the audit event, the signal and the
notifications in one transaction, so a reviewer never sees a result without its findings.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audits.checks import CheckOutcome
from audits.runs.models.checks import CheckKind, CheckRun
from audits.runs.services.evidence import (
    EvidenceVerdict,
    evidence_verdict,
    lineage_relations,
    required_sensitive,
)
from audits.runs.services.execution import check_execute
from audits.runs.services.findings import (
    check_kind,
    findings_create,
    notify_findings,
    notify_run_finished,
)
from audits.runs.services.inputs import CheckFailed
from audits.runs.services.reproduction import (
    DIFFERS,
    compare,
    differs_finding,
    input_problems,
    not_computed,
)
from audits.runs.services.rules import check_kind_term, policy_for, resolve_rules
from audits.runs.signals import check_run_finished
from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import audit_event_record, canonical_json
from governance.kernel.errors import Forbidden, ServiceError, vocabulary_term
from governance.kernel.jobs.services import (
    TRANSIENT_ERRORS,
    job_enqueue,
    job_fail,
    job_progress,
    job_succeed,
    tracked_job,
)
from governance.kernel.sentences import Sentence
from governance.policy.deployments.models import Deployment
from registry.models import DatasetVersion, ModelVersion, ProfileStatus, Verification
from registry.storage import blob_store, incoming_dir

logger = logging.getLogger(__name__)

RUN_ROLES = frozenset({Role.DATA_SCIENTIST, Role.COMPLIANCE_OFFICER, Role.ADMIN})
WORKER_KINDS = tuple(k for k in CheckKind.values if k != CheckKind.OPERATIONAL)
NEEDS_TARGET = frozenset({"fairness", "performance"})
NEEDS_SENSITIVE = frozenset({"fairness"})


def result_sha256(result: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a result: what approvals bind to."""
    return hashlib.sha256(canonical_json(result).encode()).hexdigest()


def _column_snapshot(dv: DatasetVersion) -> tuple[dict[str, str], list[str]]:
    columns = list(dv.columns.order_by("position"))
    return {c.name: c.role for c in columns}, [c.name for c in columns if c.is_sensitive]


def _check_dataset(dv: DatasetVersion, mv: ModelVersion, *, reference: bool = False) -> None:
    if dv.dataset.team_id != mv.model.system.team_id:
        raise ServiceError(
            "dataset_other_team",
            _(
                "The reference dataset version belongs to another team than the model version; "
                "checks use the team's own registered data."
            )
            if reference
            else _(
                "The dataset version belongs to another team than the model version; checks use "
                "the team's own registered data."
            ),
        )
    if dv.profile_status != ProfileStatus.READY:
        status = vocabulary_term(dv.profile_status, ProfileStatus(dv.profile_status).label)
        raise ServiceError(
            "dataset_not_ready",
            (
                _(
                    "The reference dataset version is not profiled yet (%(status)s); its columns "
                    "are unknown."
                )
                if reference
                else _(
                    "The dataset version is not profiled yet (%(status)s); its columns are unknown."
                )
            )
            % {"status": status},
        )


def champion_for(mv: ModelVersion) -> ModelVersion | None:
    """The version of the same model running in production now: the latest prod deployment
    row (a rollback row names the version it brought back, so it counts too)."""

    row = (
        Deployment.objects.filter(model_id=mv.model_id, environment="prod")
        .select_related("model_version__artefact", "model_version__model")
        .order_by("-deployed_at", "-id")
        .first()
    )
    return row.model_version if row is not None else None


def _validate_columns(
    kind: str,
    roles: dict[str, str],
    sensitive: list[str],
    requested: list[str] | None,
    *,
    required: list[str],
    exploratory: bool,
) -> list[str]:
    """The run's sensitive attributes. ``required`` (the data's flagged columns and the
    policy's protected attributes it has) may be added to, never removed, except by an
    exploratory run."""
    sensitive = list(dict.fromkeys([*sensitive, *required]))
    if requested is not None:
        unknown = sorted(set(requested) - set(roles))
        if unknown:
            raise ServiceError(
                "unknown_columns",
                _("Sensitive column(s) %(columns)s are not in the dataset.") % {"columns": unknown},
            )
        dropped = [c for c in required if c not in requested]
        if dropped and not exploratory:
            raise ServiceError(
                "sensitive_columns_removed",
                _(
                    "sensitive_columns leaves out %(columns)s, which the data flags as sensitive "
                    "or the policy protects; a run may add attributes, never remove them. Ask "
                    'for an exploratory run ("exploratory": true) to look at fewer; it never '
                    "counts as evidence."
                )
                % {"columns": dropped},
                missing=dropped,
            )
        sensitive = list(dict.fromkeys(requested))
    if kind in NEEDS_TARGET and "target" not in roles.values():
        raise ServiceError(
            "missing_target",
            _(
                "A %(kind)s check needs a column with role 'target' in the dataset version; set "
                "it with PATCH dataset-versions/{id}/columns/{name}/."
            )
            % {"kind": check_kind_term(kind)},
        )
    if kind in NEEDS_SENSITIVE and not sensitive:
        raise ServiceError(
            "no_sensitive_columns",
            _(
                "A fairness check needs sensitive columns: pass sensitive_columns or flag "
                "columns of the dataset version as sensitive."
            ),
        )
    return sensitive


@transaction.atomic
def check_run_request(
    *,
    actor: User | None,
    model_version: ModelVersion,
    kind: str,
    dataset_version: DatasetVersion | None,
    reference_dataset_version: DatasetVersion | None = None,
    sensitive_columns: list[str] | None = None,
    parameters: dict[str, Any] | None = None,
    thresholds: dict[str, Any] | None = None,
    audit_run=None,
    exploratory: bool = False,
) -> CheckRun:
    """Create a queued CheckRun with its inputs, parameters and thresholds frozen.

    Invariants: the actor may see the model version (the caller selected it through a
    selector); scientists, compliance officers and admins may run, nobody else; datasets
    belong to the model's team; thresholds are fixed here and never change afterwards and
    are never looser than the policy's unless the run is ``exploratory``; whether the run
    counts as evidence is decided here and stored with the reason. ``actor=None`` is the
    scheduler.
    """
    if actor is not None and actor.role not in RUN_ROLES:
        raise Forbidden("role_forbidden", _("Your role may not run checks."))
    if kind not in WORKER_KINDS:
        raise ServiceError(
            "unknown_kind",
            _(
                "Unknown check kind %(kind)s; use one of %(kinds)s (operational metrics are "
                "reported with POST model-versions/{id}/metrics/)."
            )
            % {"kind": repr(kind), "kinds": ", ".join(WORKER_KINDS)},
        )
    if model_version.artefact_id is None:
        verification = vocabulary_term(
            model_version.get_artefact_verification_display().lower(),
            Verification(model_version.artefact_verification).label,
        )
        raise ServiceError(
            "no_artefact",
            (
                _(
                    "Version %(version)s has no stored artefact (%(verification)s, an external "
                    "service); checks run on a stored artefact."
                )
                if model_version.is_external_service
                else _(
                    "Version %(version)s has no stored artefact (%(verification)s); checks run "
                    "on a stored artefact."
                )
            )
            % {"version": model_version.version, "verification": verification},
        )
    if dataset_version is None:
        raise ServiceError("dataset_required", _("A dataset_version is required."))
    _check_dataset(dataset_version, model_version)
    if kind == "generative" and dataset_version.data_format != "jsonl":
        raise ServiceError(
            "records_required",
            _(
                "A generative check reads recorded answers: upload them as a JSON Lines dataset "
                "version (one object per line with input, output and optional contexts, "
                "reference, red_team_id, counterfactual_group); this one is %(format)s."
            )
            % {"format": dataset_version.data_format},
        )
    if kind == "drift":
        if reference_dataset_version is None:
            raise ServiceError(
                "reference_required", _("A drift check needs a reference_dataset_version.")
            )
        if reference_dataset_version.pk == dataset_version.pk:
            raise ServiceError(
                "same_dataset", _("The reference and current dataset versions must differ.")
            )
        _check_dataset(reference_dataset_version, model_version, reference=True)
    elif reference_dataset_version is not None:
        raise ServiceError("unexpected_reference", _("Only drift checks take a reference."))
    roles, flagged = _column_snapshot(dataset_version)
    policy = policy_for(model_version)
    required = required_sensitive(kind=kind, policy=policy, columns=roles, flagged=flagged)
    sensitive = _validate_columns(
        kind, roles, flagged, sensitive_columns, required=required, exploratory=exploratory
    )
    rules = resolve_rules(
        kind=kind,
        model_version=model_version,
        parameters=parameters,
        thresholds=thresholds,
        exploratory=exploratory,
    )
    params, limits, source = rules.parameters, rules.thresholds, rules.source
    champion = champion_for(model_version) if kind == "performance" else None
    if champion is not None and champion.pk == model_version.pk:
        champion = None
    inputs = {
        "artefact_sha256": model_version.artefact.sha256,
        "dataset_sha256": dataset_version.blob.sha256 if dataset_version.blob else None,
        "reference_sha256": (
            reference_dataset_version.blob.sha256
            if reference_dataset_version and reference_dataset_version.blob
            else None
        ),
        "champion_artefact_sha256": (
            champion.artefact.sha256 if champion and champion.artefact else None
        ),
    }
    run = CheckRun(
        kind=kind,
        model_version=model_version,
        dataset_version=dataset_version,
        reference_dataset_version=reference_dataset_version,
        champion_model_version=champion,
        audit_run=audit_run,
        column_roles=roles,
        sensitive_columns=sensitive,
        inputs=inputs,
        parameters=params,
        thresholds=limits,
        thresholds_source=source,
        seed=params.get("seed", 0) if kind == "explainability" else None,
        requested_by=actor,
        exploratory=exploratory,
    )
    verdict = _request_verdict(run, policy, rules.loosened, flagged)
    run.counts_as_evidence = verdict.counts
    run.evidence_note = verdict.note
    run.evidence_relation = verdict.relation
    run.save()
    audit_event_record(
        actor=actor,
        action="check_run.requested",
        target=run,
        payload={
            "kind": kind,
            "model_version": model_version.pk,
            "dataset_version": dataset_version.pk,
            "reference_dataset_version": getattr(reference_dataset_version, "pk", None),
            "champion_model_version": getattr(champion, "pk", None),
            "sensitive_columns": sensitive,
            "parameters": params,
            "thresholds": limits,
            "thresholds_source": source,
            "inputs": inputs,
            "exploratory": exploratory,
            "counts_as_evidence": verdict.counts,
            "evidence_note": verdict.note,
        },
    )

    job_enqueue(run)
    return run


def _request_verdict(run: CheckRun, policy, loosened, flagged: list[str]) -> EvidenceVerdict:
    """Evidence or not, from the frozen inputs; an exploratory run's note also says what it
    loosened and whether its data would have counted."""
    relations = lineage_relations(run.model_version_id)
    sensitive = {run.dataset_version_id: set(flagged)}
    verdict = evidence_verdict(run, policy=policy, relations=relations, flagged=sensitive)
    if not run.exploratory:
        return verdict
    run.exploratory = False  # how would the same inputs fare as a normal run?
    data = evidence_verdict(run, policy=policy, relations=relations, flagged=sensitive)
    run.exploratory = True
    extra = [f"Looser than the policy: {'; '.join(loosened)}."] if loosened else []
    if not data.counts and not loosened:
        extra.append(data.note)
    return EvidenceVerdict(False, " ".join([verdict.note, *extra]))


def _store_charts(charts: dict[str, bytes]) -> dict[str, str]:
    """PNG bytes into the content-addressed blob store; returns name -> sha256."""

    stored: dict[str, str] = {}
    for name, png in sorted(charts.items()):
        fd, path = tempfile.mkstemp(dir=incoming_dir(), prefix="chart-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(png)
        sha = hashlib.sha256(png).hexdigest()
        try:
            blob_store(temp_path=path, sha256=sha, size=len(png), detected_format="png")
        finally:
            if os.path.exists(path):
                os.unlink(path)
        stored[name] = sha
    return stored


def _locked_running(run: CheckRun) -> CheckRun | None:
    locked = CheckRun.objects.select_for_update().filter(pk=run.pk).first()
    if locked is None or locked.is_finished:
        return None  # a concurrent delivery already finished it: write nothing twice
    return locked


def check_run_complete(run: CheckRun, outcome: CheckOutcome) -> None:
    """Store the outcome, findings and charts; send the signal and notifications."""
    doc = outcome.to_dict()
    charts = _store_charts(outcome.charts)
    digest = result_sha256(doc["result"])
    with transaction.atomic():
        locked = _locked_running(run)
        if locked is None:
            return
        extra = {}
        if locked.reproduces_id:
            extra["reproduction"] = compare(
                locked.reproduces,
                result=doc["result"],
                result_sha256=digest,
                library_versions=doc["library_versions"],
            )
        job_succeed(
            locked,
            result=doc["result"],
            result_sha256=digest,
            passed=doc["passed"],
            library_versions=doc["library_versions"],
            seed=doc["seed"] if doc["seed"] is not None else locked.seed,
            charts=charts,
            progress_message="done",
            **extra,
        )
        if locked.reproduces_id:
            _reproduction_finished(locked)
        else:
            # A completed run saw everything its kind looks at: what it no longer shows is fixed.
            # An exploratory run (looser limits, other data) is not evidence and fixes nothing.
            recorded = findings_create(
                run=locked, findings=outcome.findings, close_missing=not locked.exploratory
            )
            _finished(locked, recorded.seen)
    run.refresh_from_db()


def check_run_fail(run: CheckRun, code: str, message: str, findings=()) -> None:
    """End a run failed with a reason (and findings a reviewer must act on)."""
    with transaction.atomic():
        locked = _locked_running(run)
        if locked is None:
            return
        if locked.reproduces_id:
            outcome = not_computed(locked.reproduces, [message])
            job_fail(locked, code, message, passed=None, reproduction=outcome)
            _reproduction_finished(locked)
        else:
            job_fail(locked, code, message, passed=None)
            # A failed run did not look at everything: it closes nothing.
            recorded = findings_create(run=locked, findings=list(findings))
            _finished(locked, recorded.seen)
    run.refresh_from_db()


def _reproduction_finished(run: CheckRun) -> None:
    """A reproduction's verdict is a copy: no approval reacts to it and its findings are
    the original's. What matters is whether it agreed, recorded and, if not, raised."""
    outcome = run.reproduction or {}
    rows = []
    if outcome.get("outcome") == DIFFERS:
        rows = findings_create(run=run, findings=[differs_finding(run.reproduces, outcome)]).seen
        notify_findings(
            target=run,
            findings=rows,
            kind=run.kind,
            subject=Sentence(
                gettext_noop("reproduction #%(number)s of %(kind)s check #%(original)s"),
                number=run.pk,
                kind=check_kind(run.kind),
                original=run.reproduces_id,
            ),
        )
    audit_event_record(
        actor=None,
        action="check_run.reproduced",
        target=run,
        payload={
            "reproduces": run.reproduces_id,
            "outcome": outcome.get("outcome"),
            "original_result_sha256": outcome.get("original_result_sha256"),
            "result_sha256": run.result_sha256,
            "differences": outcome.get("differences", []),
            "status": run.status,
            "findings": [f.pk for f in rows],
        },
    )


def _finished(run: CheckRun, findings) -> None:
    audit_event_record(
        actor=None,
        action="check_run.finished",
        target=run,
        payload={
            "kind": run.kind,
            "status": run.status,
            "passed": run.passed,
            "result_sha256": run.result_sha256,
            "error_code": run.error_code,
            "findings": [f.pk for f in findings],
        },
    )
    check_run_finished.send(sender=CheckRun, check_run=run)
    notify_run_finished(run, findings)


def check_run_process(*, run_id: int, task=None) -> None:
    """The task body: claim the row, compute, finish. Idempotent under redelivery."""

    with tracked_job(CheckRun, run_id, task=task) as job:
        if job is None:
            return
        run = CheckRun.objects.select_related(
            "model_version__model__system",
            "model_version__artefact",
            "dataset_version__blob",
            "reference_dataset_version__blob",
            "champion_model_version__artefact",
            "reproduces",
        ).get(pk=job.pk)

        def progress(fraction: float, message: str) -> None:
            job_progress(run, fraction, message)

        problems = input_problems(run) if run.reproduces_id else []
        if problems:
            # Nothing is computed from a file that is not the one the original used.
            message = "; ".join(problems)
            check_run_fail(run, "inputs_changed", message[0].upper() + message[1:] + ".")
            return
        try:
            outcome = check_execute(run, progress)
        except CheckFailed as exc:
            check_run_fail(run, exc.code, exc.message, exc.findings)
        except SoftTimeLimitExceeded:
            check_run_fail(run, "time_limit", "The check exceeded its time limit and was stopped.")
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:  # a bug or a library error: the row must say so, not hang
            logger.exception("check run %s failed", run_id)
            check_run_fail(run, "error", f"{type(exc).__name__}: {exc}")
        else:
            check_run_complete(run, outcome)
