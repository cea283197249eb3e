"""Reproducing a verdict: re-run a finished check from what it stored and compare.

A reproduction is a new CheckRun that points at the original (``reproduces``) and copies its
frozen inputs: the same data and artefact rows, column roles, sensitive attributes,
parameters, thresholds and seed. Before computing, the worker re-hashes every input file
and compares it with the SHA-256 the original recorded: a missing or altered file is a
difference in itself, and nothing is computed from it. After computing, the new result hash
is compared with the stored one: equal is ``reproduced``; otherwise ``differs``, saying what
differs (library versions, the result fields that changed).

A reproduction never counts as evidence (the original is the evidence) and never withdraws
approvals by itself: a "differs" outcome raises a finding a reviewer must look at.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audits.checks import Finding as OutcomeFinding
from audits.runs.models.checks import CheckRun
from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Conflict, Forbidden, vocabulary_term
from governance.kernel.jobs.models import JobStatus
from governance.kernel.jobs.services import job_enqueue

REPRODUCE_ROLES = frozenset({Role.AUDITOR, Role.COMPLIANCE_OFFICER, Role.ADMIN})
REPRODUCED, DIFFERS = "reproduced", "differs"
#: At most this many changed result fields are listed (the rest are counted).
MAX_FIELDS = 25
_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def check_run_reproduce(*, actor: User, run: CheckRun) -> CheckRun:
    """Queue a re-run of ``run`` from its stored inputs (auditors, compliance officers and
    admins; the caller selected ``run`` through a selector, so the actor may see it)."""
    if actor.role not in REPRODUCE_ROLES:
        raise Forbidden(
            "role_forbidden", _("Only auditors, compliance officers and admins reproduce checks.")
        )
    if run.reproduces_id:
        raise Conflict(
            "reproduction_of_reproduction",
            _("Run %(run)s is itself a reproduction; reproduce run %(original)s.")
            % {"run": run.pk, "original": run.reproduces_id},
        )
    if run.status != "succeeded" or not run.result_sha256:
        raise Conflict(
            "not_reproducible",
            _("Run %(run)s has no result to reproduce (status %(status)s).")
            % {"run": run.pk, "status": vocabulary_term(run.status, JobStatus(run.status).label)},
        )
    copy = CheckRun.objects.create(
        kind=run.kind,
        model_version_id=run.model_version_id,
        dataset_version_id=run.dataset_version_id,
        reference_dataset_version_id=run.reference_dataset_version_id,
        champion_model_version_id=run.champion_model_version_id,
        column_roles=run.column_roles,
        sensitive_columns=run.sensitive_columns,
        inputs=run.inputs,
        parameters=run.parameters,
        thresholds=run.thresholds,
        thresholds_source=run.thresholds_source,
        seed=run.seed,
        exploratory=run.exploratory,
        counts_as_evidence=False,
        evidence_note=f"A reproduction of run #{run.pk}: that run is the evidence.",
        evidence_relation="",
        reproduces=run,
        requested_by=actor,
    )
    audit_event_record(
        actor=actor,
        action="check_run.reproduce_requested",
        target=copy,
        payload={
            "reproduces": run.pk,
            "kind": run.kind,
            "model_version": run.model_version_id,
            "inputs": run.inputs,
            "result_sha256": run.result_sha256,
        },
    )
    job_enqueue(copy)
    return copy


def input_problems(run: CheckRun) -> list[str]:
    """Each input file of ``run`` that is missing or no longer matches the SHA-256 the
    original recorded, in words."""
    stored = run.inputs or {}
    files = [
        ("artefact_sha256", run.model_version.artefact, f"artefact of {run.model_version}"),
        ("dataset_sha256", run.dataset_version and run.dataset_version.blob, "data file"),
        (
            "reference_sha256",
            run.reference_dataset_version and run.reference_dataset_version.blob,
            "reference data file",
        ),
        (
            "champion_artefact_sha256",
            run.champion_model_version and run.champion_model_version.artefact,
            "artefact of the production version",
        ),
    ]
    problems = []
    for key, blob, what in files:
        expected = stored.get(key)
        if not expected:
            continue
        if blob is None:
            problems.append(f"the {what} (sha256 {expected}) is no longer linked to the run")
            continue
        if not blob.path.is_file():
            problems.append(f"the {what} (sha256 {expected}) is missing from storage")
            continue
        found = file_sha256(blob.path)
        if found != expected:
            problems.append(
                f"the {what} no longer matches its recorded SHA-256 "
                f"(recorded {expected}, found {found})"
            )
    return problems


def _changed_fields(old: Any, new: Any, path: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in old or key not in new:
                out.append(where)
            else:
                out += _changed_fields(old[key], new[key], where)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        out = []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            out += _changed_fields(a, b, f"{path}[{i}]")
        return out
    return [] if old == new else [path or "(whole result)"]


def compare(
    original: CheckRun, *, result: dict, result_sha256: str, library_versions: dict
) -> dict[str, Any]:
    """The reproduction's outcome: ``reproduced`` when the hashes agree, else what differs."""
    libraries = [
        {"library": name, "original": original.library_versions.get(name), "now": now}
        for name, now in sorted((library_versions or {}).items())
        if (original.library_versions or {}).get(name) != now
    ]
    libraries += [
        {"library": name, "original": was, "now": None}
        for name, was in sorted((original.library_versions or {}).items())
        if name not in (library_versions or {})
    ]
    if result_sha256 == original.result_sha256:
        return {
            "outcome": REPRODUCED,
            "original_result_sha256": original.result_sha256,
            "result_sha256": result_sha256,
            "differences": [],
            "library_versions": libraries,
        }
    fields = _changed_fields(original.result or {}, result)
    differences = []
    if libraries:
        differences.append(
            "library versions differ: "
            + ", ".join(f"{d['library']} {d['original']} → {d['now']}" for d in libraries)
        )
    shown = fields[:MAX_FIELDS]
    more = f" and {len(fields) - MAX_FIELDS} more" if len(fields) > MAX_FIELDS else ""
    differences.append(
        "result fields changed: " + (", ".join(shown) + more if shown else "none listed")
    )
    return {
        "outcome": DIFFERS,
        "original_result_sha256": original.result_sha256,
        "result_sha256": result_sha256,
        "differences": differences,
        "changed_fields": fields[:MAX_FIELDS],
        "library_versions": libraries,
    }


def not_computed(original: CheckRun, reasons: list[str]) -> dict[str, Any]:
    """The outcome when the inputs could not be used: it differs, and this is why."""
    return {
        "outcome": DIFFERS,
        "original_result_sha256": original.result_sha256,
        "result_sha256": "",
        "differences": reasons,
        "changed_fields": [],
        "library_versions": [],
    }


def differs_finding(original: CheckRun, outcome: dict[str, Any]) -> OutcomeFinding:
    return OutcomeFinding(
        severity="medium",
        code="reproduction_differs",
        message=f"Run {original.pk} could not be reproduced: "
        + "; ".join(outcome["differences"])
        + ".",
    )
