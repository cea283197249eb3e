"""How far the records of one system evidence each control of a framework.

Each evidence key of ``controls.json`` is computed once per system from the records it
names (check runs, approvals, RACI, the audit trail and its checkpoints, policies, the risk
register, incidents, the FRIA, the post-market plan, the documentation, the data's PII scan,
lineage): ``covered``, ``partly`` or ``missing``, with links to the records and what is
lacking. A control is covered when every key it names is covered, partly covered when at
least one is covered or partly, and not covered otherwise; a control naming no key is one
the registry keeps no record for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from audits.checks.vocabulary import CHECK_KIND_CHOICES
from audits.programme.models import AuditSchedule
from audits.runs.models.checks import CheckRun
from governance.kernel.accounts.models import User
from governance.kernel.audit.models import AuditCheckpoint, AuditEvent
from governance.obligations.crosswalks.models import Applicability, Control
from governance.obligations.fria.models import FriaRevision
from governance.obligations.incidents.models import Incident
from governance.obligations.monitoring.models import MonitoringPlan
from governance.obligations.monitoring.selectors import plan_mismatches
from governance.obligations.risks.models import Risk
from governance.policy.deployments.models import Deployment
from governance.policy.policies.models import Policy
from governance.policy.raci.models import Responsibility
from governance.review.approvals.models import Decision
from governance.review.evaluation import current_classification, evaluate
from registry.models import DOCUMENTATION_FIELDS, AISystem, DatasetVersion, ModelVersion
from registry.models.datasets import PIIFlag, PIIStatus

# Keys, and the words the pages translate when they show them (the report prints them).
COVERED, PARTLY, MISSING = gettext_noop("covered"), gettext_noop("partly"), gettext_noop("missing")
CONTROL_STATES = {
    COVERED: gettext_noop("covered"),
    PARTLY: gettext_noop("partly covered"),
    MISSING: gettext_noop("not covered"),
    "excluded": gettext_noop("excluded"),
}
APPROVED_STATES = ("approved", "deployed")
CHECK_LABELS = dict(CHECK_KIND_CHOICES)

EVIDENCE_LABELS = {
    "policy": gettext_noop("Tier policy for the system's classification"),
    "classification": gettext_noop("AI Act classification"),
    "raci": gettext_noop("RACI responsibilities"),
    "approvals": gettext_noop("Signed approval decisions"),
    "deployments": gettext_noop("Deployment log behind the gate"),
    "audit_trail": gettext_noop("Signed, hash-chained audit trail"),
    "risks": gettext_noop("Risk register"),
    "incidents": gettext_noop("Serious incident register"),
    "fria": gettext_noop("Fundamental rights impact assessment"),
    "monitoring_plan": gettext_noop("Post-market monitoring plan"),
    "audit_schedule": gettext_noop("Audit schedule"),
    "documentation": gettext_noop("Technical documentation sections"),
    "oversight": gettext_noop("Human oversight measures"),
    "pii_scan": gettext_noop("PII scan of the data"),
    "lineage": gettext_noop("Lineage of the current version"),
    "data_provenance": gettext_noop("Provenance of the data"),
    "environment": gettext_noop("Environment and code of the current version"),
    "required_checks": gettext_noop("Checks the tier policy requires"),
    **{f"check:{k}": f"{label} check" for k, label in CHECK_KIND_CHOICES},
}


def evidence_keys() -> set[str]:
    return set(EVIDENCE_LABELS)


@dataclass
class Evidence:
    key: str
    state: str
    summary: str
    missing: str = ""
    links: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": EVIDENCE_LABELS[self.key],
            "state": self.state,
            "summary": self.summary,
            "missing": self.missing,
            "links": self.links,
        }


def _link(label: str, name: str, *args) -> dict[str, str]:
    return {"label": label, "url": reverse(name, args=args)}


class _Records:
    """The system's records, read once and shared by every evidence key."""

    def __init__(self, system: AISystem):
        self.system = system
        self.versions = list(
            ModelVersion.objects.filter(model__system=system)
            .select_related("model")
            .order_by("-created_at", "-pk")
        )
        self.current = next(
            (v for v in self.versions if v.status in APPROVED_STATES),
            self.versions[0] if self.versions else None,
        )
        self.classification = current_classification(system.pk)
        self._datasets: list[DatasetVersion] | None = None

    def datasets(self) -> list[DatasetVersion]:
        """Dataset versions linked directly to the current version."""
        if self._datasets is None:
            self._datasets = (
                list(
                    DatasetVersion.objects.filter(
                        downstream_edges__downstream_model_version=self.current
                    )
                    .select_related("dataset")
                    .distinct()
                    .order_by("pk")
                )
                if self.current
                else []
            )
        return self._datasets

    def version_link(self) -> list[dict[str, str]]:
        if self.current is None:
            return []
        return [_link(str(self.current), "model-version", self.current.pk)]


def _no_version() -> tuple[str, str]:
    return MISSING, "The system has no model version."


def _check(rec: _Records, kind: str) -> Evidence:
    key = f"check:{kind}"
    if rec.current is None:
        state, missing = _no_version()
        return Evidence(key, state, "No version to check.", missing)
    runs = CheckRun.objects.filter(
        model_version__model__system=rec.system,
        kind=kind,
        status="succeeded",
        reproduces__isnull=True,
        exploratory=False,
    ).order_by("-finished_at", "-pk")
    mine = runs.filter(model_version=rec.current).first()
    label = CHECK_LABELS[kind].lower()
    if mine is not None:
        links = [_link(f"{label} check #{mine.pk}", "check-run", mine.pk)]
        data = f" on {mine.dataset_version}" if mine.dataset_version_id else ""
        if mine.passed:
            return Evidence(key, COVERED, f"Check #{mine.pk}{data} passed.", links=links)
        return Evidence(
            key,
            PARTLY,
            f"Check #{mine.pk}{data} ran.",
            f"The latest {label} check of {rec.current} did not pass.",
            links,
        )
    older = runs.first()
    if older is not None:
        return Evidence(
            key,
            PARTLY,
            f"Check #{older.pk} ran on {older.model_version}.",
            f"No {label} check of the current version {rec.current}.",
            [_link(f"{label} check #{older.pk}", "check-run", older.pk)],
        )
    return Evidence(key, MISSING, "No check run.", f"No {label} check of this system has run.")


def _required_checks(rec: _Records) -> Evidence:
    key = "required_checks"
    if rec.current is None:
        state, missing = _no_version()
        return Evidence(key, state, "No version to evaluate.", missing)
    requirements = evaluate(rec.current).requirements
    unmet = [r for r in requirements if not r.met]
    met = len(requirements) - len(unmet)
    summary = f"{met} of {len(requirements)} requirements of the tier policy met by {rec.current}."
    if not requirements:
        return Evidence(key, PARTLY, summary, "The tier policy requires nothing to check.")
    state = COVERED if not unmet else (PARTLY if met else MISSING)
    return Evidence(key, state, summary, "; ".join(r.label for r in unmet), rec.version_link())


def _approvals(rec: _Records) -> Evidence:
    key = "approvals"
    decisions = Decision.objects.filter(
        model_version__model__system=rec.system, decision="approve"
    ).select_related("model_version")
    if rec.current is not None and rec.current.status in APPROVED_STATES:
        count = decisions.filter(model_version=rec.current).count()
        return Evidence(
            key,
            COVERED,
            f"{rec.current} stands {rec.current.status}, {count} signed approval(s).",
            links=rec.version_link(),
        )
    if decisions.exists():
        return Evidence(
            key,
            PARTLY,
            f"{decisions.count()} signed approval(s) of earlier versions.",
            f"The current version {rec.current} is not approved.",
            rec.version_link(),
        )
    return Evidence(key, MISSING, "No approval decision.", "No version was approved.")


def _deployments(rec: _Records) -> Evidence:
    key = "deployments"
    rows = Deployment.objects.filter(model_version__model__system=rec.system)
    latest = rows.select_related("model_version").order_by("-deployed_at", "-pk").first()
    if latest is None:
        return Evidence(key, MISSING, "Never deployed.", "No deployment is recorded.")
    return Evidence(
        key,
        COVERED,
        f"{rows.count()} deployment(s) logged; latest {latest.action} of {latest.model_version} "
        f"to {latest.environment} on {latest.deployed_at:%Y-%m-%d}.",
        links=[_link(str(latest.model_version), "model-version", latest.model_version_id)],
    )


def _raci(rec: _Records) -> Evidence:
    key = "raci"
    rows = list(
        Responsibility.objects.active()
        .filter(Q(system=rec.system) | Q(model__system=rec.system))
        .select_related("user")
    )
    links = [_link("Responsibilities", "responsibilities")]
    roles = sorted({r.get_role_display() for r in rows})
    if any(r.role == "accountable" for r in rows):
        return Evidence(key, COVERED, f"Assigned: {', '.join(roles)}.", links=links)
    if rows:
        return Evidence(
            key, PARTLY, f"Assigned: {', '.join(roles)}.", "Nobody is accountable.", links
        )
    return Evidence(key, MISSING, "No responsibility assigned.", "No RACI assignment.", links)


def _audit_trail(rec: _Records) -> Evidence:
    key = "audit_trail"
    version_ids = [str(v.pk) for v in rec.versions]
    events = AuditEvent.objects.filter(
        target_type="registry.aisystem", target_id=str(rec.system.pk)
    ) | AuditEvent.objects.filter(target_type="registry.modelversion", target_id__in=version_ids)
    first = events.order_by("sequence").values_list("sequence", flat=True).first()
    links = [_link("Audit trail", "audit-trail")]
    if first is None:
        return Evidence(key, MISSING, "No event about this system.", "Nothing logged.", links)
    count = events.count()
    checkpoint = AuditCheckpoint.objects.order_by("-sequence").first()
    if checkpoint is not None and checkpoint.sequence >= first:
        return Evidence(
            key,
            COVERED,
            f"{count} events; signed checkpoint up to event #{checkpoint.sequence}.",
            links=links,
        )
    return Evidence(
        key,
        PARTLY,
        f"{count} events in the hash chain.",
        "No signed checkpoint covers them yet.",
        links,
    )


def _classification(rec: _Records) -> Evidence:
    key = "classification"
    links = [_link("Classification", "system-classification", rec.system.pk)]
    if rec.classification is None:
        return Evidence(key, MISSING, "Not classified.", "Classify the system.", links)
    return Evidence(
        key,
        COVERED,
        f"Classified {rec.classification.get_tier_display()} on "
        f"{rec.classification.created_at:%Y-%m-%d}.",
        links=links,
    )


def _policy(rec: _Records) -> Evidence:
    key = "policy"
    if rec.classification is None:
        return Evidence(key, MISSING, "No tier, so no policy.", "Classify the system first.")
    policy = Policy.objects.filter(tier=rec.classification.tier).first()
    if policy is None:
        return Evidence(
            key,
            PARTLY,
            f"Classified {rec.classification.get_tier_display()}.",
            "No policy is defined for that tier.",
        )
    return Evidence(
        key,
        COVERED,
        f"The {policy.get_tier_display()} policy (version {policy.version}) applies.",
        links=[_link(f"{policy.get_tier_display()} policy", "policy-edit", policy.tier)],
    )


def _risks(rec: _Records) -> Evidence:
    key = "risks"
    risks = list(Risk.objects.filter(system=rec.system).prefetch_related("mitigations"))
    links = [_link("Risk register", "system-risks", rec.system.pk)]
    if not risks:
        return Evidence(key, MISSING, "No risk recorded.", "The risk register is empty.", links)
    today = timezone.localdate()
    gaps = []
    overdue = sum(1 for r in risks if r.is_overdue(today))
    if overdue:
        gaps.append(f"{overdue} review(s) overdue")
    unmitigated = sum(1 for r in risks if r.status == "open" and not r.mitigations.all())
    if unmitigated:
        gaps.append(f"{unmitigated} open risk(s) without mitigation")
    unassessed = sum(1 for r in risks if r.residual_band is None and r.status != "closed")
    if unassessed:
        gaps.append(f"{unassessed} without residual score")
    summary = f"{len(risks)} risk(s) recorded."
    return Evidence(key, PARTLY if gaps else COVERED, summary, "; ".join(gaps), links)


def _incidents(rec: _Records) -> Evidence:
    key = "incidents"
    incidents = list(Incident.objects.filter(system=rec.system))
    links = [_link("Serious incidents", "system-incidents", rec.system.pk)]
    now = timezone.now()
    late = [i for i in incidents if i.is_late(now)]
    if late:
        return Evidence(
            key,
            PARTLY,
            f"{len(incidents)} incident(s) recorded.",
            f"{len(late)} reported after the deadline or overdue.",
            links,
        )
    summary = (
        f"{len(incidents)} incident(s), none late."
        if incidents
        else "No serious incident recorded; the register and its clocks are in place."
    )
    return Evidence(key, COVERED, summary, links=links)


def _fria(rec: _Records) -> Evidence:
    key = "fria"
    current = FriaRevision.objects.filter(system=rec.system).order_by("-number").first()
    links = [_link("FRIA", "system-fria", rec.system.pk)]
    if current is None:
        return Evidence(key, MISSING, "No assessment.", "No FRIA revision is recorded.", links)
    missing = current.missing()
    summary = f"Revision {current.number} of {current.created_at:%Y-%m-%d}."
    if missing:
        return Evidence(key, PARTLY, summary, "Empty: " + ", ".join(missing), links)
    return Evidence(key, COVERED, summary, links=links)


def _monitoring_plan(rec: _Records) -> Evidence:
    key = "monitoring_plan"
    plan = MonitoringPlan.objects.filter(system=rec.system).first()
    links = [_link("Post-market plan", "system-monitoring", rec.system.pk)]
    if plan is None:
        return Evidence(key, MISSING, "No plan.", "No post-market monitoring plan.", links)
    mismatches = plan_mismatches(plan, rec.system)
    summary = (
        f"Plan with {len(plan.metrics)} metric(s), audits every {plan.audit_interval_days} days."
    )
    if mismatches:
        return Evidence(key, PARTLY, summary, " ".join(mismatches), links)
    return Evidence(key, COVERED, summary, links=links)


def _audit_schedule(rec: _Records) -> Evidence:
    key = "audit_schedule"
    schedule = AuditSchedule.objects.filter(system=rec.system).first()
    links = [_link("Audits", "audits")]
    if schedule is None:
        return Evidence(key, MISSING, "No schedule.", "No audit schedule.", links)
    summary = f"Every {schedule.interval_days} days, next due {schedule.next_due:%Y-%m-%d}."
    if not schedule.active:
        return Evidence(key, PARTLY, summary, "The schedule is paused.", links)
    return Evidence(key, COVERED, summary, links=links)


def _documentation(rec: _Records) -> Evidence:
    key = "documentation"
    links = [_link("Documentation", "system-documentation", rec.system.pk)]
    empty = [
        label for f, label in DOCUMENTATION_FIELDS if not str(getattr(rec.system, f) or "").strip()
    ]
    written = len(DOCUMENTATION_FIELDS) - len(empty)
    summary = f"{written} of {len(DOCUMENTATION_FIELDS)} sections written."
    if not empty:
        return Evidence(key, COVERED, summary, links=links)
    return Evidence(
        key, PARTLY if written else MISSING, summary, "Empty: " + ", ".join(empty), links
    )


def _oversight(rec: _Records) -> Evidence:
    key = "oversight"
    links = [_link("Documentation", "system-documentation", rec.system.pk)]
    measures = rec.system.human_oversight_measures or []
    if measures:
        return Evidence(key, COVERED, f"{len(measures)} oversight measure(s).", links=links)
    if (rec.system.human_oversight or "").strip():
        return Evidence(
            key,
            PARTLY,
            "Described in prose.",
            "No structured measure (who, when, how).",
            links,
        )
    return Evidence(key, MISSING, "Not described.", "No human oversight measure.", links)


def _pii_scan(rec: _Records) -> Evidence:
    key = "pii_scan"
    datasets = rec.datasets()
    if not datasets:
        return Evidence(key, MISSING, "No data linked.", "No dataset is linked to the version.")
    links = [_link(f"{dv.dataset.name} {dv.version}", "dataset-version", dv.pk) for dv in datasets]
    unscanned = [
        f"{dv.dataset.name} {dv.version}" for dv in datasets if dv.profile_status != "ready"
    ]
    suspected = PIIFlag.objects.filter(
        column__dataset_version__in=datasets, status=PIIStatus.SUSPECTED
    ).count()
    gaps = []
    if unscanned:
        gaps.append("not scanned: " + ", ".join(unscanned))
    if suspected:
        gaps.append(f"{suspected} suspected flag(s) not decided")
    summary = f"{len(datasets) - len(unscanned)} of {len(datasets)} dataset version(s) scanned."
    if gaps:
        state = PARTLY if len(unscanned) < len(datasets) else MISSING
        return Evidence(key, state, summary, "; ".join(gaps), links)
    return Evidence(key, COVERED, summary, links=links)


def _lineage(rec: _Records) -> Evidence:
    key = "lineage"
    if rec.current is None:
        state, missing = _no_version()
        return Evidence(key, state, "No version.", missing)
    kinds = sorted(set(rec.current.upstream_edges.values_list("kind", flat=True)))
    if not kinds:
        return Evidence(
            key,
            MISSING,
            f"{rec.current} declares no upstream.",
            "No training data or base model is linked.",
            rec.version_link(),
        )
    without = [
        str(v) for v in rec.versions if v.pk != rec.current.pk and not v.upstream_edges.exists()
    ]
    summary = f"{rec.current}: {', '.join(k.replace('_', ' ') for k in kinds)}."
    if without:
        return Evidence(
            key, PARTLY, summary, "No lineage: " + ", ".join(without), rec.version_link()
        )
    return Evidence(key, COVERED, summary, links=rec.version_link())


PROVENANCE_FIELDS = (
    ("origin", "origin"),
    ("collection_method", "collection"),
    ("cleaning", "cleaning"),
    ("legal_basis", "legal basis"),
)


def _data_provenance(rec: _Records) -> Evidence:
    key = "data_provenance"
    datasets = rec.datasets()
    if not datasets:
        return Evidence(key, MISSING, "No data linked.", "No dataset is linked to the version.")
    links = [_link(f"{dv.dataset.name} {dv.version}", "dataset-version", dv.pk) for dv in datasets]
    gaps = []
    for dv in {dv.dataset_id: dv for dv in datasets}.values():
        empty = [label for f, label in PROVENANCE_FIELDS if not getattr(dv.dataset, f).strip()]
        if empty:
            gaps.append(f"{dv.dataset.name}: no {', '.join(empty)}")
    summary = f"{len(datasets)} dataset version(s) linked."
    if not gaps:
        return Evidence(key, COVERED, summary, links=links)
    complete = len(gaps) < len({dv.dataset_id for dv in datasets})
    return Evidence(key, PARTLY if complete else MISSING, summary, "; ".join(gaps), links)


def _environment(rec: _Records) -> Evidence:
    key = "environment"
    if rec.current is None:
        state, missing = _no_version()
        return Evidence(key, state, "No version.", missing)
    mv = rec.current
    if mv.external_service:
        return Evidence(
            key,
            COVERED,
            f"{mv} is an external service, identified by provider and model id.",
            links=rec.version_link(),
        )
    held = [
        what
        for what, value in (
            ("environment lock", mv.environment_lock),
            ("code commit", mv.code_commit),
        )
        if value
    ]
    lacking = [w for w in ("environment lock", "code commit") if w not in held]
    summary = f"{mv}: " + (", ".join(held) if held else "nothing") + " recorded."
    if not lacking:
        return Evidence(key, COVERED, summary, links=rec.version_link())
    return Evidence(
        key, PARTLY if held else MISSING, summary, "No " + ", ".join(lacking), rec.version_link()
    )


EVALUATORS = {
    "policy": _policy,
    "classification": _classification,
    "raci": _raci,
    "approvals": _approvals,
    "deployments": _deployments,
    "audit_trail": _audit_trail,
    "risks": _risks,
    "incidents": _incidents,
    "fria": _fria,
    "monitoring_plan": _monitoring_plan,
    "audit_schedule": _audit_schedule,
    "documentation": _documentation,
    "oversight": _oversight,
    "pii_scan": _pii_scan,
    "lineage": _lineage,
    "data_provenance": _data_provenance,
    "environment": _environment,
    "required_checks": _required_checks,
}


def _evaluate(rec: _Records, key: str) -> Evidence:
    if key.startswith("check:"):
        return _check(rec, key.split(":", 1)[1])
    return EVALUATORS[key](rec)


def control_state(evidence: list[Evidence]) -> str:
    if not evidence:
        return MISSING
    if all(e.state == COVERED for e in evidence):
        return COVERED
    if any(e.state in (COVERED, PARTLY) for e in evidence):
        return PARTLY
    return MISSING


def system_coverage(*, system: AISystem, framework: str) -> dict[str, Any]:
    """Every control of ``framework`` for ``system``: its applicability as recorded, its
    implementation state from the records, the evidence with links and what is missing.
    The caller has found ``system`` through a selector of the acting user."""
    rec = _Records(system)
    cache: dict[str, Evidence] = {}
    statements = {
        a.control_id: a
        for a in Applicability.objects.filter(
            system=system, control__framework=framework
        ).select_related("decided_by")
    }
    controls, totals = [], {COVERED: 0, PARTLY: 0, MISSING: 0, "excluded": 0}
    for control in Control.objects.filter(framework=framework).order_by("position"):
        evidence = []
        for key in control.evidence:
            if key not in cache:
                cache[key] = _evaluate(rec, key)
            evidence.append(cache[key])
        state = control_state(evidence)
        statement = statements.get(control.pk)
        applicable = statement.applicable if statement else True
        shown = state if applicable else "excluded"
        totals[shown] += 1
        missing = [f"{EVIDENCE_LABELS[e.key]}: {e.missing}" for e in evidence if e.missing]
        if not control.evidence:
            missing = ["The registry keeps no record for this control; keep its evidence outside."]
        controls.append(
            {
                "id": control.pk,
                "ref": control.ref,
                "group": control.group,
                "group_title": control.group_title,
                "title": control.title,
                "state": state,
                "state_label": CONTROL_STATES[state],
                "applicable": applicable,
                "justification": statement.justification if statement else "",
                "decided_by": _person(statement.decided_by) if statement else "",
                "decided_at": statement.decided_at.isoformat() if statement else "",
                "evidence": [e.as_dict() for e in evidence],
                "missing": missing,
            }
        )
    return {
        "system": {"id": system.pk, "name": system.name},
        "framework": framework,
        "framework_label": dict(Control._meta.get_field("framework").choices)[framework],
        "current_version": str(rec.current) if rec.current else "",
        "totals": {CONTROL_STATES[k]: v for k, v in totals.items()},
        "controls": controls,
    }


def _person(user: User) -> str:
    return user.get_full_name() or user.username
