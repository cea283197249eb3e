"""What a model version's tier requires, and which of it holds right now.

This is the single source of truth used by submission, decisions, the deployment gate, the
registry's detail view and the pages: if two of them disagreed, a version could be approved
on evidence that the gate would refuse. Submission, decisions and the gate evaluate at the
moment they act (no cached verdicts), so an expired approval or a missing accountable owner is
seen the moment it occurs; the API's detail shows the state kept by governance.review.state,
which is this evaluation's result, ended by every recorded change it rests on and by the clock.

The requirements' labels, reasons and bases are English text, the same whatever language is
active (the API, the audit trail and the kept states carry them); each is a ``Sentence``
(governance.kernel.sentences) that the pages and the reports say again in their language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from audits.checks.vocabulary import CHECK_KIND_CHOICES, MODEL_TASKS, check_applies
from audits.runs.models.checks import CheckRun
from audits.runs.services.evidence import (
    EvidenceVerdict,
    evidence_verdict,
    flagged_sensitive,
    lineage_relations,
)
from governance.kernel.accounts.models import Role, User
from governance.kernel.sentences import Day, Listing, Sentence, Term, sentence_data
from governance.policy.classification.models import RiskClassification
from governance.policy.policies.models import ACCOUNTABLE_OWNER, POLICY_TIERS, UNCLASSIFIED, Policy
from governance.policy.raci.models import Raci, Responsibility
from governance.policy.transparency.models import DUTIES, TransparencyMeasure
from governance.review.approvals.models import Decision, DecisionKind, Review, ReviewStatus
from registry import lineage
from registry.models import (
    DOCUMENTATION_FIELDS,
    DatasetVersion,
    EdgeKind,
    ModelTask,
    ModelVersion,
    PIIStatus,
    PromptBinding,
    Verification,
    VersionStatus,
)
from registry.selectors import upstream_pii

# The capacities a reviewer signs in, as sentences and pages name them (English message ids).
CAPACITY_LABELS = {
    Role.COMPLIANCE_OFFICER.value: gettext_noop("compliance officer"),
    ACCOUNTABLE_OWNER: gettext_noop("accountable owner"),
}
# The facts an approval is bound to, as the "evidence changed" reason names them.
EVIDENCE_FACT_LABELS = {
    "artefact_sha256": gettext_noop("artefact"),
    "datasets": gettext_noop("datasets"),
    "classification_id": gettext_noop("classification"),
    "prompts": gettext_noop("prompts"),
}
# How a review that ended without approval is told (whole sentences: the status is a word of
# the sentence, and in French and German it does not fit as a bare label).
LAST_REVIEW_ENDED = {
    ReviewStatus.REJECTED: gettext_noop("The last review ended rejected."),
    ReviewStatus.CHANGES_REQUESTED: gettext_noop("The last review ended changes requested."),
}
VERSION_STATUS_REFUSALS = {
    VersionStatus.REJECTED: gettext_noop("The version is rejected."),
    VersionStatus.RETIRED: gettext_noop("The version is retired."),
}


def tier_term(tier: str) -> Term:
    """A tier in a sentence: its key in English (as the texts always said), its label else."""
    return Term(dict(POLICY_TIERS).get(tier, tier), tier)


def role_term(role: str) -> Term:
    return Term(CAPACITY_LABELS.get(role, role.replace("_", " ")), role.replace("_", " "))


def check_kind_term(kind: str) -> Term:
    words = kind.replace("_", " ")
    return Term(dict(CHECK_KIND_CHOICES).get(kind, words), words)


def task_term(task: str) -> Term:
    label = dict(ModelTask.choices).get(task, task)
    return Term(label, label.lower())


def relation_term(relation: str) -> Term:
    return Term(dict(EdgeKind.choices).get(relation, relation), relation)


@dataclass
class Evaluation:
    model_version: ModelVersion
    tier: str
    classification: RiskClassification | None
    policy: Policy | None
    requirements: list[Requirement] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    review: Review | None = None
    previous_review: Review | None = None
    approvals: list[Decision] = field(default_factory=list)
    accountable_ids: set[int] = field(default_factory=set)
    builder_ids: set[int] = field(default_factory=set)
    at: datetime | None = None
    # Every lineage edge above the version (``lineage.upstream_rows``), read once per
    # evaluation; None: not read yet.
    upstream_rows: list[lineage.EdgeRow] | None = None
    # Runs of required kinds that do not count as evidence (exploratory, other data, looser
    # than the policy), newer than the evidence used, with the reason: shown, never counted.
    exploratory_runs: list[dict[str, Any]] = field(default_factory=list)

    def unmet(self, *stages: str) -> list[Requirement]:
        return [r for r in self.requirements if not r.met and (not stages or r.stage in stages)]

    def reasons(self, *stages: str) -> list[dict[str, str]]:
        return [r.as_reason() for r in self.unmet(*stages)]

    @property
    def valid_approval(self) -> Review | None:
        if self.review is None or not self.review.is_valid_approval(self.at):
            return None
        return None if self.unmet(APPROVAL) else self.review

    def next_change(self) -> datetime | None:
        """The next moment this evaluation can change by the clock alone (an approval
        expiring, a responsibility starting or ending); None: only a recorded change can.
        What is shown from it may be kept until then or until the next audit event."""
        at = self.at or timezone.now()
        moments = [
            review.expires_at
            for review in (self.review, self.previous_review)
            if review is not None and review.expires_at and review.expires_at > at
        ]
        model = self.model_version.model
        for starts, ends in (
            Responsibility.objects.filter_target(system_id=model.system_id, model_id=model.pk)
            .filter(Q(starts_at__gt=at) | Q(ends_at__gt=at))
            .values_list("starts_at", "ends_at")
        ):
            moments += [m for m in (starts, ends) if m is not None and m > at]
        return min(moments, default=None)

    def capacities(self, user: User) -> list[str]:
        """In which capacities ``user`` may sign for this version (empty: they may not)."""
        found = []
        if user.role == Role.COMPLIANCE_OFFICER:
            found.append(Role.COMPLIANCE_OFFICER.value)
        if user.pk in self.accountable_ids and user.role != Role.AUDITOR:
            found.append(ACCOUNTABLE_OWNER)
        return found


def accountable_owner_ids(model_version: ModelVersion, at: datetime | None = None) -> set[int]:
    model = model_version.model
    return set(
        Responsibility.objects.active(at)
        .filter(role=Raci.ACCOUNTABLE, user__is_active=True)
        .filter_target(system_id=model.system_id, model_id=model.pk)
        .values_list("user_id", flat=True)
    )


def current_classification(system_id: int) -> RiskClassification | None:
    return (
        RiskClassification.objects.filter(system_id=system_id)
        .order_by("-created_at", "-id")
        .first()
    )


def _upstream(rows: list[lineage.EdgeRow]) -> tuple[list[DatasetVersion], set[int]]:
    dv_ids = {up_id for _, up_k, up_id, _, _ in rows if up_k == "d"}
    mv_ids = {up_id for _, up_k, up_id, _, _ in rows if up_k == "m"}
    datasets = list(
        DatasetVersion.objects.filter(pk__in=dv_ids).select_related("blob").order_by("pk")
    )
    builders = {d.created_by_id for d in datasets}
    builders |= set(ModelVersion.objects.filter(pk__in=mv_ids).values_list("created_by", flat=True))
    return datasets, builders


def evidence_matches(approved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Which bound facts changed since an approval (artefact, data, classification)."""
    changed = []
    for key in ("artefact_sha256", "datasets", "classification_id"):
        if approved.get(key) != current.get(key):
            changed.append(key)
    # Prompts are bound facts of LLM applications only (absent: none bound).
    if (approved.get("prompts") or []) != (current.get("prompts") or []):
        changed.append("prompts")
    return changed


def _approval_requirements(ev: Evaluation) -> None:
    policy = ev.policy
    if policy is None or not policy.submittable:
        return
    review = ev.review
    if review is None:
        ev.requirements.append(
            Requirement(
                "not_submitted",
                Sentence(gettext_noop("Submitted for review")),
                False,
                APPROVAL,
                Sentence(gettext_noop("The version has not been submitted for review.")),
            )
        )
        return
    current_approval = Sentence(gettext_noop("A current approval"))
    if review.status == ReviewStatus.APPROVED and not review.is_valid_approval(ev.at):
        ev.requirements.append(
            Requirement(
                "approval_expired",
                current_approval,
                False,
                APPROVAL,
                Sentence(
                    gettext_noop(
                        "The approval expired on %(day)s; the version must be re-certified."
                    ),
                    day=Day(review.expires_at),
                ),
            )
        )
    if review.status in LAST_REVIEW_ENDED:
        ev.requirements.append(
            Requirement(
                f"review_{review.status}",
                current_approval,
                False,
                APPROVAL,
                Sentence(LAST_REVIEW_ENDED[review.status]),
            )
        )
        return
    previous = ev.previous_review
    if review.status == ReviewStatus.OPEN and previous is not None:
        if previous.status == ReviewStatus.INVALIDATED:
            ev.requirements.append(
                Requirement(
                    "approval_invalidated",
                    current_approval,
                    False,
                    APPROVAL,
                    Sentence(
                        gettext_noop("The previous approval was invalidated: %(reason)s"),
                        reason=previous.invalidation_reason,
                    ),
                )
            )
        elif previous.status == ReviewStatus.EXPIRED:
            ev.requirements.append(
                Requirement(
                    "approval_expired",
                    current_approval,
                    False,
                    APPROVAL,
                    Sentence(
                        gettext_noop(
                            "The previous approval expired on %(day)s; "
                            "the version must be re-certified."
                        ),
                        day=Day(previous.expires_at),
                    ),
                )
            )
    approvers = {d.reviewer_id: d for d in ev.approvals}
    n = len(approvers)
    required = policy.approvals_required
    label = Sentence(gettext_noop("%(required)s distinct approval(s)"), required=required)
    ev.requirements.append(
        Requirement(
            "approvals",
            label,
            False,
            APPROVAL,
            Sentence(
                gettext_noop("%(count)s of %(required)s required approval(s) recorded."),
                count=n,
                required=required,
            ),
        )
        if n < required
        else Requirement("approvals", label, True, APPROVAL)
    )
    roles = list(policy.approver_roles or [])
    if policy.requires_accountable_owner and ACCOUNTABLE_OWNER not in roles:
        roles.append(ACCOUNTABLE_OWNER)
    for role in roles:
        covered = any(role in d.capacities for d in approvers.values())
        ev.requirements.append(
            Requirement(
                f"approval_by:{role}",
                Sentence(gettext_noop("Approved by the %(role)s"), role=role_term(role)),
                covered,
                APPROVAL,
                ""
                if covered
                else Sentence(
                    gettext_noop("No approval by the %(role)s yet."), role=role_term(role)
                ),
            )
        )
    if review.status == ReviewStatus.APPROVED and ev.approvals:
        changed = evidence_matches(ev.approvals[-1].evidence, ev.evidence)
        if changed:
            ev.requirements.append(
                Requirement(
                    "evidence_changed",
                    Sentence(gettext_noop("Approval matches the current evidence")),
                    False,
                    APPROVAL,
                    Sentence(
                        gettext_noop("Evidence changed since approval: %(facts)s."),
                        facts=Listing(Term(EVIDENCE_FACT_LABELS[key], key) for key in changed),
                    ),
                )
            )


def evaluate(
    model_version: ModelVersion,
    *,
    at: datetime | None = None,
    upstream: list[lineage.EdgeRow] | None = None,
) -> Evaluation:
    """Every requirement of the version's tier, met or not, with the reason.

    ``upstream``: the version's ``lineage.upstream_rows``, when the caller has just read them
    (the detail view shows them too); read here otherwise.
    """
    at = at or timezone.now()
    mv = model_version
    classification = current_classification(mv.model.system_id)
    tier = classification.tier if classification else UNCLASSIFIED
    policy = Policy.objects.filter(tier=tier).first()
    ev = Evaluation(mv, tier, classification, policy, at=at)
    if classification is None:
        ev.requirements.append(
            Requirement(
                "unclassified",
                Sentence(gettext_noop("The system is classified under the AI Act")),
                False,
                SUBMISSION,
                Sentence(
                    gettext_noop(
                        "The system has not been classified; a compliance officer "
                        "must answer the risk questionnaire first."
                    )
                ),
            )
        )
    if policy is None:
        ev.requirements.append(
            Requirement(
                "policy_missing",
                Sentence(gettext_noop("A policy for tier %(tier)s"), tier=tier_term(tier)),
                False,
                SUBMISSION,
                Sentence(
                    gettext_noop("No policy exists for tier %(tier)s; an admin must create one."),
                    tier=tier_term(tier),
                ),
            )
        )
    elif not policy.submittable and classification is not None:
        code = "prohibited" if tier == "prohibited" else "not_submittable"
        ev.requirements.append(
            Requirement(
                code,
                Sentence(gettext_noop("The tier allows submission")),
                False,
                SUBMISSION,
                Sentence(
                    gettext_noop(
                        "Prohibited practice under Art. 5: it can never be submitted or approved."
                    )
                )
                if code == "prohibited"
                else Sentence(
                    gettext_noop("Policy %(tier)s does not allow submission."),
                    tier=tier_term(tier),
                ),
            )
        )
    verification = artefact_verification_reason(mv)
    if verification is not None:
        ev.requirements.append(
            Requirement(
                verification["code"],
                Sentence(gettext_noop("The artefact is fetched and verified")),
                False,
                SUBMISSION,
                verification["message"],
            )
        )
    ev.upstream_rows = lineage.upstream_rows(("m", mv.pk)) if upstream is None else upstream
    datasets, builders = _upstream(ev.upstream_rows)
    ev.builder_ids = {i for i in (mv.created_by_id, mv.submitted_by_id, *builders) if i}
    ev.accountable_ids = accountable_owner_ids(mv, at)
    check_evidence: list[dict[str, Any]] = []
    if policy is not None and policy.submittable:
        check_evidence = check_requirements(ev, list(policy.required_checks or []))
        if policy.pii_must_be_resolved:
            pii_requirement(ev)
        documentation_requirements(ev, list(policy.required_documentation or []))
        transparency_requirements(ev)
        if policy.requires_accountable_owner:
            ok = bool(ev.accountable_ids)
            ev.requirements.append(
                Requirement(
                    "accountable_owner" if ok else "accountable_owner_missing",
                    Sentence(gettext_noop("An accountable owner (RACI A) for the system or model")),
                    ok,
                    EVIDENCE,
                    ""
                    if ok
                    else Sentence(
                        gettext_noop(
                            "Nobody is currently accountable (RACI A) for the "
                            "system or the model; an admin must assign one."
                        )
                    ),
                )
            )
    ev.evidence = {
        "model_version": mv.pk,
        "artefact_sha256": mv.artefact.sha256 if mv.artefact else None,
        "external_service": mv.external_service,
        "datasets": [
            {"dataset_version": d.pk, "sha256": d.blob.sha256 if d.blob else None} for d in datasets
        ],
        "check_runs": check_evidence,
        "classification_id": classification.pk if classification else None,
        "tier": tier,
        "policy": {"tier": tier, "version": policy.version if policy else None},
    }
    prompts = [
        {
            "prompt": b.template.name,
            "version": b.prompt_version.number,
            "sha256": b.prompt_version.sha256,
        }
        for b in PromptBinding.objects.filter(model_version=mv)
        .select_related("template", "prompt_version")
        .order_by("template__name")
    ]
    if prompts:
        ev.evidence["prompts"] = prompts
    reviews = list(Review.objects.filter(model_version=mv).order_by("-round")[:2])
    ev.review = reviews[0] if reviews else None
    ev.previous_review = reviews[1] if len(reviews) > 1 else None
    if ev.review is not None:
        ev.approvals = list(
            ev.review.decisions.filter(decision=DecisionKind.APPROVE)
            .select_related("reviewer")
            .order_by("decided_at", "id")
        )
    _approval_requirements(ev)
    return ev


def artefact_verification_reason(mv: ModelVersion) -> dict[str, str] | None:
    """Why the version's artefact cannot be relied on yet (fetched by URI), or None."""
    if mv.artefact_verification == Verification.PENDING:
        return {
            "code": "artefact_pending_verification",
            "message": Sentence(
                gettext_noop(
                    "The artefact is still being fetched and verified from %(uri)s; "
                    "it cannot be submitted or deployed before."
                ),
                uri=mv.artefact_uri,
            ),
        }
    if mv.artefact_verification == Verification.FAILED:
        # The error is recorded in English when the fetch failed: shown as recorded.
        return {
            "code": "artefact_failed_verification",
            "message": Sentence(
                gettext_noop("The artefact failed verification: %(error)s Register a new version."),
                error=mv.artefact_verification_error,
            ),
        }
    return None


def gate(model_version: ModelVersion, *, environment: str, at: datetime | None = None) -> dict:
    """May this version run in ``environment``? Production needs every requirement of the
    tier and a valid approval; other environments only refuse what may never run anywhere."""
    ev = evaluate(model_version, at=at)
    if environment == "prod":
        reasons = ev.reasons()
    else:
        reasons = [
            r
            for r in ev.reasons(SUBMISSION)
            if r["code"]
            in ("prohibited", "artefact_pending_verification", "artefact_failed_verification")
        ]
        if model_version.status in VERSION_STATUS_REFUSALS:
            reasons.append(
                {
                    "code": f"version_{model_version.status}",
                    "message": Sentence(VERSION_STATUS_REFUSALS[model_version.status]),
                }
            )
    return {
        "allowed": not reasons,
        "environment": environment,
        "model_version": model_version.pk,
        "tier": ev.tier,
        "reasons": reasons,
        "evaluated_at": ev.at,
    }


def governance_payload(ev: Evaluation) -> dict[str, Any]:
    """What the registry's detail view shows of an evaluation, the same for every reader:
    tier and why, requirements, approvals, gate, and until when it holds by the clock."""
    cls = ev.classification
    review = ev.review
    prod_reasons = ev.reasons()
    return {
        "tier": ev.tier,
        "classification_id": cls.pk if cls else None,
        "rationale_summary": [
            f"{step['step']}: {', '.join(step.get('answer_labels') or step['answer'])}"
            if step["step"] != "result"
            else step["text"]
            for step in (cls.rationale if cls else [])
        ],
        "policy": {"tier": ev.tier, "version": ev.policy.version} if ev.policy else None,
        "requirements": [r.as_dict() for r in ev.requirements],
        "review": None
        if review is None
        else {
            "id": review.pk,
            "round": review.round,
            "status": review.status,
            "expires_at": review.expires_at,
        },
        "approvals": [
            {
                "reviewer": d.reviewer.username,
                "capacities": d.capacities,
                "decided_at": d.decided_at,
                "signature": d.signature,
            }
            for d in ev.approvals
        ],
        "gate": {"environment": "prod", "allowed": not prod_reasons, "reasons": prod_reasons},
        "valid_until": ev.next_change(),
    }


def governance_for_api(payload: dict[str, Any]) -> dict[str, Any]:
    """The governance payload as the API serves it: English text only, the keys it always
    had (the sentences' data is for the pages)."""
    return {
        **payload,
        "requirements": [
            {key: value for key, value in r.items() if key != REQUIREMENT_TEXTS}
            for r in payload["requirements"]
        ],
    }


def reader_can_decide(
    actor: User,
    *,
    review: dict[str, Any] | None,
    accountable_ids: Iterable[int],
    builder_ids: Iterable[int],
) -> bool:
    """May ``actor`` sign in the version's open review now? ``review`` as in
    ``governance_payload``. Reads the decisions only when everything else allows it."""
    capacity = actor.role == Role.COMPLIANCE_OFFICER or (
        actor.pk in set(accountable_ids) and actor.role != Role.AUDITOR
    )
    return (
        capacity
        and actor.pk not in set(builder_ids)
        and review is not None
        and review["status"] == ReviewStatus.OPEN
        and not Decision.objects.filter(review_id=review["id"], reviewer_id=actor.pk).exists()
    )


def governance_summary(
    *,
    actor: User,
    model_version: ModelVersion,
    upstream: list[lineage.EdgeRow] | None = None,
) -> dict[str, Any]:
    """The detail view's governance object for ``actor``, evaluated now (the detail reads the
    kept state instead: governance.review.state)."""
    ev = evaluate(model_version, upstream=upstream)
    payload = governance_payload(ev)
    payload["can_decide"] = reader_can_decide(
        actor,
        review=payload["review"],
        accountable_ids=ev.accountable_ids,
        builder_ids=ev.builder_ids,
    )
    return payload


def policy_thresholds(*, model_version: ModelVersion, kind: str) -> tuple[dict[str, Any], str]:
    """The thresholds a check of ``kind`` must be judged against, declared before it runs
    (Art. 9(8)), and where they come from (e.g. ``policy:high_risk:v3``) to store with it."""
    classification = current_classification(model_version.model.system_id)
    tier = classification.tier if classification else UNCLASSIFIED
    policy = Policy.objects.filter(tier=tier).first()
    if policy is None:
        return {}, ""
    return dict((policy.thresholds or {}).get(kind, {})), f"policy:{tier}:v{policy.version}"


__all__ = [
    "APPROVAL",
    "EVIDENCE",
    "SUBMISSION",
    "Evaluation",
    "Requirement",
    "evaluate",
    "gate",
    "governance_payload",
    "governance_summary",
    "policy_thresholds",
    "reader_can_decide",
]


if TYPE_CHECKING:
    from governance.review.evaluation import Evaluation


SUBMISSION, EVIDENCE, APPROVAL = "submission", "evidence", "approval"
# The key of a requirement's sentence data in the governance payload and the kept states.
REQUIREMENT_TEXTS = "texts"


@dataclass(frozen=True)
class Requirement:
    """One thing the tier requires. ``label``, ``reason`` and ``basis`` are English text, as
    the API, the audit trail and the kept states carry them; each is a ``Sentence`` that the
    pages and the reports say again in their language (``as_dict`` keeps its data)."""

    code: str
    label: str
    met: bool
    stage: str
    reason: str = ""
    # False: the policy names it, but it does not apply to what this version is (a tabular
    # check of an LLM application); shown with ``basis``, never counted as unmet.
    applies: bool = True
    # Why it applies (or not): the policy rule or the classification answer it comes from.
    basis: str = ""

    def as_reason(self) -> dict[str, str]:
        return {"code": self.code, "message": self.reason or self.label}

    def as_dict(self) -> dict[str, Any]:
        """The requirement as the governance payload holds it: its fields, and under
        ``texts`` the data of its sentences (``REQUIREMENT_TEXTS``; not served by the API)."""
        return {
            **asdict(self),
            REQUIREMENT_TEXTS: {
                name: sentence_data(text) if text else None
                for name, text in (
                    ("label", self.label),
                    ("reason", self.reason),
                    ("basis", self.basis),
                )
            },
        }


def _candidate_runs(ev: Evaluation, kinds: list[str]) -> list[CheckRun]:
    return list(
        CheckRun.objects.filter(model_version=ev.model_version, kind__in=kinds, status="succeeded")
        .select_related("dataset_version__dataset")
        .order_by("kind", "-finished_at", "-id")
    )


def _task_words(tasks: list[str] | tuple[str, ...]) -> str:
    if not tasks:
        return Sentence(gettext_noop("no model task"))
    return Listing(task_term(t) for t in tasks)


def _passing_check(kind: str) -> Sentence:
    return Sentence(gettext_noop("A passing %(kind)s check"), kind=check_kind_term(kind))


def _not_counted(kind: str, ignored: list[tuple[CheckRun, EvidenceVerdict]]) -> Sentence:
    """Why no run of ``kind`` is evidence, naming up to three runs that do not count (their
    notes are recorded in English on the runs, and shown as recorded)."""
    if not ignored:
        return Sentence(
            gettext_noop("No %(kind)s check counts as evidence for this version yet."),
            kind=check_kind_term(kind),
        )
    runs = Listing(
        (
            Sentence(gettext_noop("run %(run)s: %(note)s"), run=run.pk, note=verdict.note)
            for run, verdict in ignored[:3]
        ),
        sep=" ",
    )
    if len(ignored) <= 3:
        return Sentence(
            gettext_noop(
                "No %(kind)s check counts as evidence for this version yet. Not counted: %(runs)s"
            ),
            kind=check_kind_term(kind),
            runs=runs,
        )
    return Sentence(
        gettext_noop(
            "No %(kind)s check counts as evidence for this version yet. "
            "Not counted: %(runs)s (and %(more)s more)"
        ),
        kind=check_kind_term(kind),
        runs=runs,
        more=len(ignored) - 3,
    )


def check_requirements(ev: Evaluation, required: list[str]) -> list[dict[str, Any]]:
    """For each required kind that applies to the version's model task, the latest succeeded
    run that counts as evidence now (at the policy's strength or stricter, on data the policy
    accepts, linked in lineage) must have passed. Runs that do not count are named with the
    reason, never used. A required kind that does not apply is listed as such, with why."""
    policy = ev.policy
    thresholds = (policy.thresholds or {}) if policy else {}
    task = task_term(ev.model_version.model.task)
    applicability = policy.check_applicability if policy else None
    kinds = [k for k in required if check_applies(applicability, k, ev.model_version.model.task)]
    skipped = [k for k in required if k not in kinds]
    where = (
        Sentence(
            gettext_noop("the %(tier)s policy (v%(version)s)"),
            tier=tier_term(ev.tier),
            version=policy.version,
        )
        if policy
        else Sentence(gettext_noop("the policy"))
    )
    basis = {
        kind: Sentence(
            gettext_noop(
                "Applies: %(policy)s requires it of %(tasks)s models; "
                "this model's task is %(task)s."
            ),
            policy=where,
            tasks=_task_words(_applicable_tasks(policy, kind)),
            task=task,
        )
        for kind in kinds
    }
    for kind in skipped:
        why = Sentence(
            gettext_noop(
                "Does not apply: %(policy)s requires the %(kind)s check of %(tasks)s models "
                "only; this model's task is %(task)s."
            ),
            policy=where,
            kind=check_kind_term(kind),
            tasks=_task_words(_applicable_tasks(policy, kind)),
            task=task,
        )
        ev.requirements.append(
            Requirement(
                f"check_not_applicable:{kind}",
                _passing_check(kind),
                True,
                EVIDENCE,
                why,
                applies=False,
                basis=why,
            )
        )
    runs = _candidate_runs(ev, kinds)
    relations = lineage_relations(ev.model_version.pk)
    flagged = flagged_sensitive({r.dataset_version_id for r in runs if r.dataset_version_id})
    latest: dict[str, tuple[CheckRun, EvidenceVerdict]] = {}
    others: dict[str, list[tuple[CheckRun, EvidenceVerdict]]] = {}
    for run in runs:
        verdict = evidence_verdict(run, policy=ev.policy, relations=relations, flagged=flagged)
        if verdict.counts:
            latest.setdefault(run.kind, (run, verdict))
        elif run.kind not in latest:
            others.setdefault(run.kind, []).append((run, verdict))
    ev.exploratory_runs = [
        {"id": run.pk, "kind": run.kind, "note": verdict.note}
        for kind in kinds
        for run, verdict in others.get(kind, [])
    ]
    evidence = []
    for kind in kinds:
        label = _passing_check(kind)
        if kind not in latest:
            ev.requirements.append(
                Requirement(
                    f"check_missing:{kind}",
                    label,
                    False,
                    EVIDENCE,
                    _not_counted(kind, others.get(kind, [])),
                    basis=basis[kind],
                )
            )
            continue
        run, verdict = latest[kind]
        evidence.append(
            {
                "id": run.pk,
                "kind": kind,
                "result_sha256": run.result_sha256,
                "passed": run.passed,
                "dataset_version": run.dataset_version_id,
                "relation": verdict.relation,
            }
        )
        facts = {
            "kind": check_kind_term(kind),
            "run": run.pk,
            "data": f"{run.dataset_version.dataset.name} {run.dataset_version.version}",
            "relation": relation_term(verdict.relation),
        }
        if run.passed is True:
            reason = Sentence(
                gettext_noop("%(kind)s: run #%(run)s on %(data)s (%(relation)s) passed."), **facts
            )
            ev.requirements.append(
                Requirement(f"check:{kind}", label, True, EVIDENCE, reason, basis=basis[kind])
            )
            continue
        limits = thresholds.get(kind)
        reason = (
            Sentence(
                gettext_noop(
                    "The latest %(kind)s check counting as evidence (run #%(run)s on %(data)s, "
                    "%(relation)s) did not pass against its thresholds (%(thresholds)s); its "
                    "findings say which figures."
                ),
                thresholds=describe_thresholds(limits),
                **facts,
            )
            if limits
            else Sentence(
                gettext_noop(
                    "The latest %(kind)s check counting as evidence (run #%(run)s on %(data)s, "
                    "%(relation)s) did not pass; its findings say which figures."
                ),
                **facts,
            )
        )
        ev.requirements.append(
            Requirement(f"check_failed:{kind}", label, False, EVIDENCE, reason, basis=basis[kind])
        )
    return evidence


def _applicable_tasks(policy: Policy | None, kind: str) -> list[str]:
    return [
        t
        for t in MODEL_TASKS
        if policy is None or check_applies(policy.check_applicability, kind, t)
    ]


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

    suspected = [
        f
        for f in upstream_pii(model_version=ev.model_version, upstream=ev.upstream_rows)
        if f.status == PIIStatus.SUSPECTED
    ]
    label = Sentence(gettext_noop("Every suspected PII flag on upstream data is resolved"))
    if not suspected:
        ev.requirements.append(Requirement("pii_resolved", label, True, EVIDENCE))
        return
    # The reason is shown to everyone who may see the version, including data scientists of
    # its team: flags on another team's data are counted, never named (dataset or column).
    own_team = ev.model_version.model.system.team_id
    own = [f for f in suspected if f.column.dataset_version.dataset.team_id == own_team]
    others = [f for f in suspected if f.column.dataset_version.dataset.team_id != own_team]
    # Names and the detectors' category keys, shown as they are in every language.
    names = ", ".join(
        f"{f.column.dataset_version.dataset.name} {f.column.dataset_version.version}"
        f" / {f.column.name} ({f.category})"
        for f in own[:5]
    )
    parts = []
    if len(own) > 5:
        parts.append(
            Sentence(gettext_noop("%(flags)s and %(more)s more"), flags=names, more=len(own) - 5)
        )
    elif own:
        parts.append(names)
    if others:
        parts.append(
            Sentence(
                gettext_noop("%(count)s on another team's data (%(categories)s)"),
                count=len(others),
                categories=", ".join(sorted({f.category for f in others})),
            )
        )
    reason = Sentence(
        gettext_noop("%(count)s suspected PII flag(s) upstream are unresolved: %(flags)s."),
        count=len(suspected),
        flags=Listing(parts, sep="; "),
    )
    ev.requirements.append(Requirement("pii_unresolved", label, False, EVIDENCE, reason))


def transparency_requirements(ev: Evaluation) -> None:
    """One requirement per Art. 50 duty of the classification: a measure with its evidence
    must be recorded for the system (disclosure to users, marking of synthetic content...)."""
    if ev.classification is None or not ev.classification.transparency_flags:
        return
    system = ev.model_version.model.system
    recorded = set(TransparencyMeasure.objects.filter(system=system).values_list("duty", flat=True))
    for paragraph in sorted(ev.classification.transparency_flags):
        if paragraph not in DUTIES:
            continue
        duty, label = DUTIES[paragraph]
        met = duty in recorded
        ev.requirements.append(
            Requirement(
                f"transparency:{duty}" if met else f"transparency_missing:{duty}",
                Sentence(
                    gettext_noop("Art. %(paragraph)s: %(duty)s"),
                    paragraph=paragraph,
                    duty=Term(label),
                ),
                met,
                EVIDENCE,
                ""
                if met
                else Sentence(
                    gettext_noop(
                        "No measure is recorded for the Art. %(paragraph)s duty %(duty)s; record "
                        "what is done and its evidence on the system's transparency page."
                    ),
                    paragraph=paragraph,
                    duty=Term(label, repr(duty)),
                ),
                basis=Sentence(
                    gettext_noop(
                        "Applies: the system's classification #%(classification)s "
                        "(questionnaire Q6) gives it the Art. %(paragraph)s duty, whatever the "
                        "tier."
                    ),
                    classification=ev.classification.pk,
                    paragraph=paragraph,
                ),
            )
        )


def documentation_requirements(ev: Evaluation, names: list[str]) -> None:

    labels = dict(DOCUMENTATION_FIELDS)
    system = ev.model_version.model.system
    for name in names:
        section = Term(labels.get(name, name))
        label = Sentence(gettext_noop("%(section)s documented on the system"), section=section)
        value = getattr(system, name, None)
        if isinstance(value, str) and value.strip():
            ev.requirements.append(Requirement(f"documentation:{name}", label, True, EVIDENCE))
        else:
            reason = Sentence(
                gettext_noop("The system's field %(name)s (%(section)s) is empty."),
                name=repr(name),
                section=section,
            )
            ev.requirements.append(
                Requirement(f"documentation_missing:{name}", label, False, EVIDENCE, reason)
            )
