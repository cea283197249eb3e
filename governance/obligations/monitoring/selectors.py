"""Reads of the post-market plan, and where it disagrees with what actually runs: the audit
schedule of audits.programme and the tier policy's checks and thresholds."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from audits.checks.vocabulary import CHECK_KIND_CHOICES
from audits.programme.models import AuditSchedule
from governance.kernel.accounts.models import User
from governance.kernel.sentences import Number, Sentence, Term
from governance.obligations.monitoring.models import MonitoringPlan
from governance.policy.policies.models import POLICY_TIERS, UNCLASSIFIED, Policy
from governance.review.evaluation import current_classification
from registry.models import AISystem

CHECK_LABELS = dict(CHECK_KIND_CHOICES)
TIER_LABELS = dict(POLICY_TIERS)


def plan_for(*, actor: User, system: AISystem) -> MonitoringPlan | None:
    return (
        MonitoringPlan.objects.visible_to(actor)
        .filter(system=system)
        .select_related("updated_by")
        .first()
    )


def plan_mismatches(plan: MonitoringPlan | None, system: AISystem) -> list[Sentence]:
    """Each sentence names one disagreement between the plan and what runs: English for the
    API (``shown(m, False)``), the reader's language on the pages (``shown(m, True)``)."""
    if plan is None:
        return [Sentence(gettext_noop("There is no post-market monitoring plan for this system."))]
    out = []
    schedule = AuditSchedule.objects.filter(system=system).first()
    if schedule is None:
        out.append(
            Sentence(
                gettext_noop(
                    "The plan expects audits, but no audit schedule exists for this system."
                )
            )
        )
    else:
        if not schedule.active:
            out.append(
                Sentence(gettext_noop("The audit schedule is paused; the plan expects audits."))
            )
        if schedule.interval_days != plan.audit_interval_days:
            out.append(
                Sentence(
                    gettext_noop(
                        "The plan audits every %(plan_days)s days; the schedule runs every "
                        "%(schedule_days)s days."
                    ),
                    plan_days=plan.audit_interval_days,
                    schedule_days=schedule.interval_days,
                )
            )
    classification = current_classification(system.pk)
    tier_value = classification.tier if classification else UNCLASSIFIED
    policy = Policy.objects.filter(tier=tier_value).first()
    required = set(policy.required_checks or []) if policy else set()
    tasks = set(system.models.values_list("task", flat=True))
    if policy is not None and tasks:
        # Only the checks that bind the system's models (no generative check for a system
        # of classical models, no tabular checks for an LLM application).
        required = {kind for task in tasks for kind in policy.checks_for(task)[0]}
    thresholds = (policy.thresholds or {}) if policy else {}
    planned = {m["check_kind"] for m in plan.metrics}
    tier = Term(TIER_LABELS.get(tier_value, ""), tier_value)
    for kind in sorted(planned - required - {"operational"}):
        out.append(
            Sentence(
                gettext_noop(
                    "The plan watches %(kind)s, but the %(tier)s policy does not run %(kind)s "
                    "checks."
                ),
                kind=_kind(kind),
                tier=tier,
            )
        )
    for kind in sorted(required - planned):
        out.append(
            Sentence(
                gettext_noop(
                    "The %(tier)s policy runs %(kind)s checks; the plan does not mention them."
                ),
                kind=_kind(kind),
                tier=tier,
            )
        )
    for m in plan.metrics:
        enforced = (thresholds.get(m["check_kind"]) or {}).get(m["metric"])
        if m["threshold"] is not None and enforced is not None and enforced != m["threshold"]:
            out.append(
                Sentence(
                    gettext_noop(
                        "%(metric)s: the plan says %(planned)s, the policy enforces %(enforced)s."
                    ),
                    metric=f"{m['check_kind']}.{m['metric']}",
                    planned=Number(f"{m['threshold']:g}"),
                    enforced=Number(f"{enforced:g}"),
                )
            )
    return out


def _kind(kind: str) -> Term:
    """A check kind: its key in English sentences (as they always read), its label in others."""
    return Term(CHECK_LABELS.get(kind, ""), kind)
