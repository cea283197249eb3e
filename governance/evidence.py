"""Evidence-stage requirements: checks, personal data upstream, documentation.

Split from :mod:`governance.requirements` (which assembles them) to keep each piece short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from registry.models import PIIStatus

if TYPE_CHECKING:
    from governance.requirements import Evaluation

SUBMISSION, EVIDENCE, APPROVAL = "submission", "evidence", "approval"


def check_run_model():
    """The audits app's CheckRun, or None while that app does not provide it yet."""
    try:
        from audits.models import CheckRun
    except ImportError:
        return None
    return CheckRun


@dataclass(frozen=True)
class Requirement:
    code: str
    label: str
    met: bool
    stage: str
    reason: str = ""

    def as_reason(self) -> dict[str, str]:
        return {"code": self.code, "message": self.reason or self.label}


def check_requirements(ev: Evaluation, kinds: list[str]) -> list[dict[str, Any]]:
    CheckRun = check_run_model()
    thresholds = (ev.policy.thresholds or {}) if ev.policy else {}
    if CheckRun is None:
        for kind in kinds:
            ev.requirements.append(
                Requirement(
                    f"check_missing:{kind}",
                    f"A passing {kind} check",
                    False,
                    EVIDENCE,
                    f"No {kind} check result: check runs are not available on this installation.",
                )
            )
        return []
    latest: dict[str, Any] = {}
    runs = CheckRun.objects.filter(
        model_version=ev.model_version, kind__in=kinds, status="succeeded"
    ).order_by("kind", "-finished_at", "-id")
    for run in runs:
        latest.setdefault(run.kind, run)
    evidence = []
    for kind in kinds:
        run = latest.get(kind)
        words = kind.replace("_", " ")
        label = f"A passing {words} check"
        if run is None:
            reason = f"No {words} check has succeeded on this version yet."
            ev.requirements.append(
                Requirement(f"check_missing:{kind}", label, False, EVIDENCE, reason)
            )
            continue
        evidence.append(
            {"id": run.pk, "kind": kind, "result_sha256": run.result_sha256, "passed": run.passed}
        )
        if run.passed is True:
            reason = f"Check run {run.pk} passed."
            ev.requirements.append(Requirement(f"check:{kind}", label, True, EVIDENCE, reason))
        else:
            limits = thresholds.get(kind)
            against = f" against its thresholds ({describe_thresholds(limits)})" if limits else ""
            reason = (
                f"The latest {words} check (run {run.pk}) did not pass{against}; "
                "its findings say which figures."
            )
            ev.requirements.append(
                Requirement(f"check_failed:{kind}", label, False, EVIDENCE, reason)
            )
    return evidence


def describe_thresholds(limits: Any) -> str:
    """``{"demographic_parity_difference_max": 0.1, "min_group_size": 30}`` as
    "demographic parity difference ≤ 0.1, min group size 30" for people to read."""
    if not isinstance(limits, dict):
        return str(limits)
    parts = []
    for name, value in limits.items():
        if name.endswith("_max"):
            parts.append(f"{name[:-4].replace('_', ' ')} ≤ {value}")
        elif name.endswith("_min"):
            parts.append(f"{name[:-4].replace('_', ' ')} ≥ {value}")
        else:
            parts.append(f"{name.replace('_', ' ')} {value}")
    return ", ".join(parts)


def pii_requirement(ev: Evaluation) -> None:
    from registry.selectors import upstream_pii

    suspected = [
        f
        for f in upstream_pii(model_version=ev.model_version, upstream=ev.upstream_rows)
        if f.status == PIIStatus.SUSPECTED
    ]
    label = "Every suspected PII flag on upstream data is resolved"
    if not suspected:
        ev.requirements.append(Requirement("pii_resolved", label, True, EVIDENCE))
        return
    names = ", ".join(
        f"{f.column.dataset_version.dataset.name} {f.column.dataset_version.version}"
        f" / {f.column.name} ({f.category})"
        for f in suspected[:5]
    )
    more = f" and {len(suspected) - 5} more" if len(suspected) > 5 else ""
    reason = f"{len(suspected)} suspected PII flag(s) upstream are unresolved: {names}{more}."
    ev.requirements.append(Requirement("pii_unresolved", label, False, EVIDENCE, reason))


def documentation_requirements(ev: Evaluation, names: list[str]) -> None:
    from registry.models import DOCUMENTATION_FIELDS

    labels = dict(DOCUMENTATION_FIELDS)
    system = ev.model_version.model.system
    for name in names:
        label = f"{labels.get(name, name)} documented on the system"
        value = getattr(system, name, None)
        if isinstance(value, str) and value.strip():
            ev.requirements.append(Requirement(f"documentation:{name}", label, True, EVIDENCE))
        else:
            reason = f"The system's field {name!r} ({labels.get(name, name)}) is empty."
            ev.requirements.append(
                Requirement(f"documentation_missing:{name}", label, False, EVIDENCE, reason)
            )
