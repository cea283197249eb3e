"""How far the records of one system evidence each control of a framework.

Each evidence key of ``controls.json`` is computed once per system from the records it
names (check runs, approvals, RACI, the audit trail and its checkpoints, policies, the risk
register, incidents, the FRIA, the post-market plan, the documentation, the data's PII scan,
lineage): ``covered``, ``partly`` or ``missing``, with links to the records and what is
lacking. A control is covered when every key it names is covered, partly covered when at
least one is covered or partly, and not covered otherwise; a control naming no key is one
the registry keeps no record for.

The summaries, what is missing and the link labels are sentences with named placeholders
(``Sentence``): English as computed for the API, in the active language for the page and the
Statement of Applicability (``system_coverage(localized=True)``).
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
from governance.kernel.sentences import Listing, Sentence, Term, shown
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
from registry.models import DOCUMENTATION_FIELDS, AISystem, DatasetVersion, EdgeKind, ModelVersion
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


def evidence_label(key: str, localized: bool) -> str:
    """The label of an evidence key (the page translates the English one again, harmlessly;
    the check kinds' labels are only known to the catalogues one by one)."""
    if key.startswith("check:"):
        kind = CHECK_LABELS[key.split(":", 1)[1]]
        return shown(Sentence(gettext_noop("%(kind)s check"), kind=Term(kind)), localized)
    return shown(Term(EVIDENCE_LABELS[key]), localized)


@dataclass
class Evidence:
    key: str
    state: str
    summary: Sentence
    # A sentence, the sentences of the gaps, or text computed elsewhere in English.
    missing: Sentence | Listing | str = ""
    links: list[tuple[Any, str]] = field(default_factory=list)

    def as_dict(self, localized: bool = False) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": evidence_label(self.key, localized),
            "state": self.state,
            "summary": shown(self.summary, localized),
            "missing": shown(self.missing, localized) if self.missing else "",
            "links": [{"label": shown(label, localized), "url": url} for label, url in self.links],
        }


def _link(label, name: str, *args) -> tuple[Any, str]:
    return (label, reverse(name, args=args))


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

    def version_link(self) -> list[tuple[Any, str]]:
        if self.current is None:
            return []
        return [_link(str(self.current), "model-version", self.current.pk)]


def _no_version() -> tuple[str, Sentence]:
    return MISSING, Sentence(gettext_noop("The system has no model version."))


def _tier(classification) -> Term:
    return Term(classification.get_tier_display())


def _check(rec: _Records, kind: str) -> Evidence:
    key = f"check:{kind}"
    if rec.current is None:
        state, missing = _no_version()
        return Evidence(key, state, Sentence(gettext_noop("No version to check.")), missing)
    runs = CheckRun.objects.filter(
        model_version__model__system=rec.system,
        kind=kind,
        status="succeeded",
        reproduces__isnull=True,
        exploratory=False,
    ).order_by("-finished_at", "-pk")
    mine = runs.filter(model_version=rec.current).first()
    label = Term(CHECK_LABELS[kind], CHECK_LABELS[kind].lower())
    if mine is not None:
        links = [
            _link(
                Sentence(gettext_noop("%(kind)s check #%(number)s"), kind=label, number=mine.pk),
                "check-run",
                mine.pk,
            )
        ]
        if mine.dataset_version_id:
            on = {"number": mine.pk, "dataset": str(mine.dataset_version)}
            passed = Sentence(gettext_noop("Check #%(number)s on %(dataset)s passed."), **on)
            ran = Sentence(gettext_noop("Check #%(number)s on %(dataset)s ran."), **on)
        else:
            passed = Sentence(gettext_noop("Check #%(number)s passed."), number=mine.pk)
            ran = Sentence(gettext_noop("Check #%(number)s ran."), number=mine.pk)
        if mine.passed:
            return Evidence(key, COVERED, passed, links=links)
        return Evidence(
            key,
            PARTLY,
            ran,
            Sentence(
                gettext_noop("The latest %(kind)s check of %(version)s did not pass."),
                kind=label,
                version=str(rec.current),
            ),
            links,
        )
    older = runs.first()
    if older is not None:
        return Evidence(
            key,
            PARTLY,
            Sentence(
                gettext_noop("Check #%(number)s ran on %(version)s."),
                number=older.pk,
                version=str(older.model_version),
            ),
            Sentence(
                gettext_noop("No %(kind)s check of the current version %(version)s."),
                kind=label,
                version=str(rec.current),
            ),
            [
                _link(
                    Sentence(
                        gettext_noop("%(kind)s check #%(number)s"), kind=label, number=older.pk
                    ),
                    "check-run",
                    older.pk,
                )
            ],
        )
    return Evidence(
        key,
        MISSING,
        Sentence(gettext_noop("No check run.")),
        Sentence(gettext_noop("No %(kind)s check of this system has run."), kind=label),
    )


def _required_checks(rec: _Records) -> Evidence:
    key = "required_checks"
    if rec.current is None:
        state, missing = _no_version()
        return Evidence(key, state, Sentence(gettext_noop("No version to evaluate.")), missing)
    requirements = evaluate(rec.current).requirements
    unmet = [r for r in requirements if not r.met]
    met = len(requirements) - len(unmet)
    summary = Sentence(
        gettext_noop("%(met)s of %(total)s requirements of the tier policy met by %(version)s."),
        met=met,
        total=len(requirements),
        version=str(rec.current),
    )
    if not requirements:
        return Evidence(
            key,
            PARTLY,
            summary,
            Sentence(gettext_noop("The tier policy requires nothing to check.")),
        )
    state = COVERED if not unmet else (PARTLY if met else MISSING)
    # The requirement texts are the review policy's sentences.
    unmet_labels = Listing(tuple(r.label for r in unmet), sep="; ") if unmet else ""
    return Evidence(key, state, summary, unmet_labels, rec.version_link())


def _approvals(rec: _Records) -> Evidence:
    key = "approvals"
    decisions = Decision.objects.filter(
        model_version__model__system=rec.system, decision="approve"
    ).select_related("model_version")
    if rec.current is not None and rec.current.status in APPROVED_STATES:
        count = decisions.filter(model_version=rec.current).count()
        stands = {
            "approved": gettext_noop("%(version)s stands approved, %(count)s signed approval(s)."),
            "deployed": gettext_noop("%(version)s stands deployed, %(count)s signed approval(s)."),
        }[rec.current.status]
        return Evidence(
            key,
            COVERED,
            Sentence(stands, version=str(rec.current), count=count),
            links=rec.version_link(),
        )
    if decisions.exists():
        return Evidence(
            key,
            PARTLY,
            Sentence(
                gettext_noop("%(count)s signed approval(s) of earlier versions."),
                count=decisions.count(),
            ),
            Sentence(
                gettext_noop("The current version %(version)s is not approved."),
                version=str(rec.current),
            ),
            rec.version_link(),
        )
    return Evidence(
        key,
        MISSING,
        Sentence(gettext_noop("No approval decision.")),
        Sentence(gettext_noop("No version was approved.")),
    )


def _deployments(rec: _Records) -> Evidence:
    key = "deployments"
    rows = Deployment.objects.filter(model_version__model__system=rec.system)
    latest = rows.select_related("model_version").order_by("-deployed_at", "-pk").first()
    if latest is None:
        return Evidence(
            key,
            MISSING,
            Sentence(gettext_noop("Never deployed.")),
            Sentence(gettext_noop("No deployment is recorded.")),
        )
    text = {
        "deploy": gettext_noop(
            "%(count)s deployment(s) logged; latest deploy of %(version)s "
            "to %(environment)s on %(date)s."
        ),
        "rollback": gettext_noop(
            "%(count)s deployment(s) logged; latest rollback of %(version)s "
            "to %(environment)s on %(date)s."
        ),
    }[latest.action]
    return Evidence(
        key,
        COVERED,
        Sentence(
            text,
            count=rows.count(),
            version=str(latest.model_version),
            environment=Term(latest.get_environment_display(), latest.environment),
            date=f"{latest.deployed_at:%Y-%m-%d}",
        ),
        links=[_link(str(latest.model_version), "model-version", latest.model_version_id)],
    )


def _raci(rec: _Records) -> Evidence:
    key = "raci"
    rows = list(
        Responsibility.objects.active()
        .filter(Q(system=rec.system) | Q(model__system=rec.system))
        .select_related("user")
    )
    links = [_link(Term(gettext_noop("Responsibilities")), "responsibilities")]
    roles = Listing(tuple(Term(role) for role in sorted({r.get_role_display() for r in rows})))
    assigned = Sentence(gettext_noop("Assigned: %(roles)s."), roles=roles)
    if any(r.role == "accountable" for r in rows):
        return Evidence(key, COVERED, assigned, links=links)
    if rows:
        return Evidence(
            key, PARTLY, assigned, Sentence(gettext_noop("Nobody is accountable.")), links
        )
    return Evidence(
        key,
        MISSING,
        Sentence(gettext_noop("No responsibility assigned.")),
        Sentence(gettext_noop("No RACI assignment.")),
        links,
    )


def _audit_trail(rec: _Records) -> Evidence:
    key = "audit_trail"
    version_ids = [str(v.pk) for v in rec.versions]
    events = AuditEvent.objects.filter(
        target_type="registry.aisystem", target_id=str(rec.system.pk)
    ) | AuditEvent.objects.filter(target_type="registry.modelversion", target_id__in=version_ids)
    first = events.order_by("sequence").values_list("sequence", flat=True).first()
    links = [_link(Term(gettext_noop("Audit trail")), "audit-trail")]
    if first is None:
        return Evidence(
            key,
            MISSING,
            Sentence(gettext_noop("No event about this system.")),
            Sentence(gettext_noop("Nothing logged.")),
            links,
        )
    count = events.count()
    checkpoint = AuditCheckpoint.objects.order_by("-sequence").first()
    if checkpoint is not None and checkpoint.sequence >= first:
        return Evidence(
            key,
            COVERED,
            Sentence(
                gettext_noop("%(count)s events; signed checkpoint up to event #%(sequence)s."),
                count=count,
                sequence=checkpoint.sequence,
            ),
            links=links,
        )
    return Evidence(
        key,
        PARTLY,
        Sentence(gettext_noop("%(count)s events in the hash chain."), count=count),
        Sentence(gettext_noop("No signed checkpoint covers them yet.")),
        links,
    )


def _classification(rec: _Records) -> Evidence:
    key = "classification"
    links = [_link(Term(gettext_noop("Classification")), "system-classification", rec.system.pk)]
    if rec.classification is None:
        return Evidence(
            key,
            MISSING,
            Sentence(gettext_noop("Not classified.")),
            Sentence(gettext_noop("Classify the system.")),
            links,
        )
    return Evidence(
        key,
        COVERED,
        Sentence(
            gettext_noop("Classified %(tier)s on %(date)s."),
            tier=_tier(rec.classification),
            date=f"{rec.classification.created_at:%Y-%m-%d}",
        ),
        links=links,
    )


def _policy(rec: _Records) -> Evidence:
    key = "policy"
    if rec.classification is None:
        return Evidence(
            key,
            MISSING,
            Sentence(gettext_noop("No tier, so no policy.")),
            Sentence(gettext_noop("Classify the system first.")),
        )
    policy = Policy.objects.filter(tier=rec.classification.tier).first()
    if policy is None:
        return Evidence(
            key,
            PARTLY,
            Sentence(gettext_noop("Classified %(tier)s."), tier=_tier(rec.classification)),
            Sentence(gettext_noop("No policy is defined for that tier.")),
        )
    tier = Term(policy.get_tier_display())
    return Evidence(
        key,
        COVERED,
        Sentence(
            gettext_noop("The %(tier)s policy (version %(version)s) applies."),
            tier=tier,
            version=policy.version,
        ),
        links=[
            _link(Sentence(gettext_noop("%(tier)s policy"), tier=tier), "policy-edit", policy.tier)
        ],
    )


def _risks(rec: _Records) -> Evidence:
    key = "risks"
    risks = list(Risk.objects.filter(system=rec.system).prefetch_related("mitigations"))
    links = [_link(Term(gettext_noop("Risk register")), "system-risks", rec.system.pk)]
    if not risks:
        return Evidence(
            key,
            MISSING,
            Sentence(gettext_noop("No risk recorded.")),
            Sentence(gettext_noop("The risk register is empty.")),
            links,
        )
    today = timezone.localdate()
    gaps = []
    overdue = sum(1 for r in risks if r.is_overdue(today))
    if overdue:
        gaps.append(Sentence(gettext_noop("%(count)s review(s) overdue"), count=overdue))
    unmitigated = sum(1 for r in risks if r.status == "open" and not r.mitigations.all())
    if unmitigated:
        gaps.append(
            Sentence(gettext_noop("%(count)s open risk(s) without mitigation"), count=unmitigated)
        )
    unassessed = sum(1 for r in risks if r.residual_band is None and r.status != "closed")
    if unassessed:
        gaps.append(Sentence(gettext_noop("%(count)s without residual score"), count=unassessed))
    summary = Sentence(gettext_noop("%(count)s risk(s) recorded."), count=len(risks))
    missing = Listing(tuple(gaps), "; ") if gaps else ""
    return Evidence(key, PARTLY if gaps else COVERED, summary, missing, links)


def _incidents(rec: _Records) -> Evidence:
    key = "incidents"
    incidents = list(Incident.objects.filter(system=rec.system))
    links = [_link(Term(gettext_noop("Serious incidents")), "system-incidents", rec.system.pk)]
    now = timezone.now()
    late = [i for i in incidents if i.is_late(now)]
    if late:
        return Evidence(
            key,
            PARTLY,
            Sentence(gettext_noop("%(count)s incident(s) recorded."), count=len(incidents)),
            Sentence(
                gettext_noop("%(count)s reported after the deadline or overdue."), count=len(late)
            ),
            links,
        )
    summary = (
        Sentence(gettext_noop("%(count)s incident(s), none late."), count=len(incidents))
        if incidents
        else Sentence(
            gettext_noop("No serious incident recorded; the register and its clocks are in place.")
        )
    )
    return Evidence(key, COVERED, summary, links=links)


def _fria(rec: _Records) -> Evidence:
    key = "fria"
    current = FriaRevision.objects.filter(system=rec.system).order_by("-number").first()
    links = [_link(Term(gettext_noop("FRIA")), "system-fria", rec.system.pk)]
    if current is None:
        return Evidence(
            key,
            MISSING,
            Sentence(gettext_noop("No assessment.")),
            Sentence(gettext_noop("No FRIA revision is recorded.")),
            links,
        )
    missing = current.missing()
    summary = Sentence(
        gettext_noop("Revision %(number)s of %(date)s."),
        number=current.number,
        date=f"{current.created_at:%Y-%m-%d}",
    )
    if missing:
        empty = Listing(tuple(Term(label) for label in missing))
        return Evidence(
            key, PARTLY, summary, Sentence(gettext_noop("Empty: %(items)s"), items=empty), links
        )
    return Evidence(key, COVERED, summary, links=links)


def _monitoring_plan(rec: _Records) -> Evidence:
    key = "monitoring_plan"
    plan = MonitoringPlan.objects.filter(system=rec.system).first()
    links = [_link(Term(gettext_noop("Post-market plan")), "system-monitoring", rec.system.pk)]
    if plan is None:
        return Evidence(
            key,
            MISSING,
            Sentence(gettext_noop("No plan.")),
            Sentence(gettext_noop("No post-market monitoring plan.")),
            links,
        )
    mismatches = plan_mismatches(plan, rec.system)
    summary = Sentence(
        gettext_noop("Plan with %(metrics)s metric(s), audits every %(days)s days."),
        metrics=len(plan.metrics),
        days=plan.audit_interval_days,
    )
    if mismatches:
        return Evidence(key, PARTLY, summary, Listing(tuple(mismatches), " "), links)
    return Evidence(key, COVERED, summary, links=links)


def _audit_schedule(rec: _Records) -> Evidence:
    key = "audit_schedule"
    schedule = AuditSchedule.objects.filter(system=rec.system).first()
    links = [_link(Term(gettext_noop("Audits")), "audits")]
    if schedule is None:
        return Evidence(
            key,
            MISSING,
            Sentence(gettext_noop("No schedule.")),
            Sentence(gettext_noop("No audit schedule.")),
            links,
        )
    summary = Sentence(
        gettext_noop("Every %(days)s days, next due %(date)s."),
        days=schedule.interval_days,
        date=f"{schedule.next_due:%Y-%m-%d}",
    )
    if not schedule.active:
        return Evidence(
            key, PARTLY, summary, Sentence(gettext_noop("The schedule is paused.")), links
        )
    return Evidence(key, COVERED, summary, links=links)


def _documentation(rec: _Records) -> Evidence:
    key = "documentation"
    links = [_link(Term(gettext_noop("Documentation")), "system-documentation", rec.system.pk)]
    empty = [
        Term(label)
        for f, label in DOCUMENTATION_FIELDS
        if not str(getattr(rec.system, f) or "").strip()
    ]
    written = len(DOCUMENTATION_FIELDS) - len(empty)
    summary = Sentence(
        gettext_noop("%(written)s of %(total)s sections written."),
        written=written,
        total=len(DOCUMENTATION_FIELDS),
    )
    if not empty:
        return Evidence(key, COVERED, summary, links=links)
    return Evidence(
        key,
        PARTLY if written else MISSING,
        summary,
        Sentence(gettext_noop("Empty: %(items)s"), items=Listing(tuple(empty))),
        links,
    )


def _oversight(rec: _Records) -> Evidence:
    key = "oversight"
    links = [_link(Term(gettext_noop("Documentation")), "system-documentation", rec.system.pk)]
    measures = rec.system.human_oversight_measures or []
    if measures:
        return Evidence(
            key,
            COVERED,
            Sentence(gettext_noop("%(count)s oversight measure(s)."), count=len(measures)),
            links=links,
        )
    if (rec.system.human_oversight or "").strip():
        return Evidence(
            key,
            PARTLY,
            Sentence(gettext_noop("Described in prose.")),
            Sentence(gettext_noop("No structured measure (who, when, how).")),
            links,
        )
    return Evidence(
        key,
        MISSING,
        Sentence(gettext_noop("Not described.")),
        Sentence(gettext_noop("No human oversight measure.")),
        links,
    )


def _no_data(key: str) -> Evidence:
    return Evidence(
        key,
        MISSING,
        Sentence(gettext_noop("No data linked.")),
        Sentence(gettext_noop("No dataset is linked to the version.")),
    )


def _pii_scan(rec: _Records) -> Evidence:
    key = "pii_scan"
    datasets = rec.datasets()
    if not datasets:
        return _no_data(key)
    links = [_link(f"{dv.dataset.name} {dv.version}", "dataset-version", dv.pk) for dv in datasets]
    unscanned = [
        f"{dv.dataset.name} {dv.version}" for dv in datasets if dv.profile_status != "ready"
    ]
    suspected = PIIFlag.objects.filter(
        column__dataset_version__in=datasets, status=PIIStatus.SUSPECTED
    ).count()
    gaps = []
    if unscanned:
        gaps.append(
            Sentence(gettext_noop("not scanned: %(datasets)s"), datasets=", ".join(unscanned))
        )
    if suspected:
        gaps.append(
            Sentence(gettext_noop("%(count)s suspected flag(s) not decided"), count=suspected)
        )
    summary = Sentence(
        gettext_noop("%(scanned)s of %(total)s dataset version(s) scanned."),
        scanned=len(datasets) - len(unscanned),
        total=len(datasets),
    )
    if gaps:
        state = PARTLY if len(unscanned) < len(datasets) else MISSING
        return Evidence(key, state, summary, Listing(tuple(gaps), "; "), links)
    return Evidence(key, COVERED, summary, links=links)


def _lineage(rec: _Records) -> Evidence:
    key = "lineage"
    if rec.current is None:
        state, missing = _no_version()
        return Evidence(key, state, Sentence(gettext_noop("No version.")), missing)
    kinds = sorted(set(rec.current.upstream_edges.values_list("kind", flat=True)))
    if not kinds:
        return Evidence(
            key,
            MISSING,
            Sentence(gettext_noop("%(version)s declares no upstream."), version=str(rec.current)),
            Sentence(gettext_noop("No training data or base model is linked.")),
            rec.version_link(),
        )
    without = [
        str(v) for v in rec.versions if v.pk != rec.current.pk and not v.upstream_edges.exists()
    ]
    labels = dict(EdgeKind.choices)
    summary = Sentence(
        gettext_noop("%(version)s: %(kinds)s."),
        version=str(rec.current),
        kinds=Listing(tuple(Term(labels.get(k, k), k.replace("_", " ")) for k in kinds)),
    )
    if without:
        return Evidence(
            key,
            PARTLY,
            summary,
            Sentence(gettext_noop("No lineage: %(versions)s"), versions=", ".join(without)),
            rec.version_link(),
        )
    return Evidence(key, COVERED, summary, links=rec.version_link())


PROVENANCE_FIELDS = (
    ("origin", gettext_noop("origin")),
    ("collection_method", gettext_noop("collection")),
    ("cleaning", gettext_noop("cleaning")),
    ("legal_basis", gettext_noop("legal basis")),
)


def _data_provenance(rec: _Records) -> Evidence:
    key = "data_provenance"
    datasets = rec.datasets()
    if not datasets:
        return _no_data(key)
    links = [_link(f"{dv.dataset.name} {dv.version}", "dataset-version", dv.pk) for dv in datasets]
    gaps = []
    for dv in {dv.dataset_id: dv for dv in datasets}.values():
        empty = [
            Term(label) for f, label in PROVENANCE_FIELDS if not getattr(dv.dataset, f).strip()
        ]
        if empty:
            gaps.append(
                Sentence(
                    gettext_noop("%(dataset)s: no %(fields)s"),
                    dataset=dv.dataset.name,
                    fields=Listing(tuple(empty)),
                )
            )
    summary = Sentence(gettext_noop("%(count)s dataset version(s) linked."), count=len(datasets))
    if not gaps:
        return Evidence(key, COVERED, summary, links=links)
    complete = len(gaps) < len({dv.dataset_id for dv in datasets})
    return Evidence(
        key,
        PARTLY if complete else MISSING,
        summary,
        Listing(tuple(gaps), "; "),
        links,
    )


ENVIRONMENT_LOCK, CODE_COMMIT = gettext_noop("environment lock"), gettext_noop("code commit")


def _environment(rec: _Records) -> Evidence:
    key = "environment"
    if rec.current is None:
        state, missing = _no_version()
        return Evidence(key, state, Sentence(gettext_noop("No version.")), missing)
    mv = rec.current
    if mv.external_service:
        return Evidence(
            key,
            COVERED,
            Sentence(
                gettext_noop(
                    "%(version)s is an external service, identified by provider and model id."
                ),
                version=str(mv),
            ),
            links=rec.version_link(),
        )
    held = [
        what
        for what, value in ((ENVIRONMENT_LOCK, mv.environment_lock), (CODE_COMMIT, mv.code_commit))
        if value
    ]
    lacking = [Term(w) for w in (ENVIRONMENT_LOCK, CODE_COMMIT) if w not in held]
    if held:
        summary = Sentence(
            gettext_noop("%(version)s: %(held)s recorded."),
            version=str(mv),
            held=Listing(tuple(Term(w) for w in held)),
        )
    else:
        summary = Sentence(gettext_noop("%(version)s: nothing recorded."), version=str(mv))
    if not lacking:
        return Evidence(key, COVERED, summary, links=rec.version_link())
    return Evidence(
        key,
        PARTLY if held else MISSING,
        summary,
        Sentence(gettext_noop("No %(items)s"), items=Listing(tuple(lacking))),
        rec.version_link(),
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


NO_RECORD = Sentence(
    gettext_noop("The registry keeps no record for this control; keep its evidence outside.")
)


def control_state(evidence: list[Evidence]) -> str:
    if not evidence:
        return MISSING
    if all(e.state == COVERED for e in evidence):
        return COVERED
    if any(e.state in (COVERED, PARTLY) for e in evidence):
        return PARTLY
    return MISSING


def system_coverage(*, system: AISystem, framework: str, localized: bool = False) -> dict[str, Any]:
    """Every control of ``framework`` for ``system``: its applicability as recorded, its
    implementation state from the records, the evidence with links and what is missing.
    The caller has found ``system`` through a selector of the acting user.

    The computed sentences (evidence summaries, what is missing, link labels) are English,
    as the API gives them; with ``localized`` they are in the active language (the page, the
    Statement of Applicability). Control titles, states and evidence labels stay English
    keys either way: the templates translate them."""
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
        totals[state if applicable else "excluded"] += 1
        missing = [
            shown(
                Sentence(
                    gettext_noop("%(evidence)s: %(missing)s"),
                    evidence=evidence_label(e.key, localized),
                    missing=e.missing,
                ),
                localized,
            )
            for e in evidence
            if e.missing
        ]
        if not control.evidence:
            missing = [shown(NO_RECORD, localized)]
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
                "evidence": [e.as_dict(localized) for e in evidence],
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
