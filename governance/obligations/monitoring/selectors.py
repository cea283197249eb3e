"""Reads of the post-market plan, and where it disagrees with what actually runs: the audit
schedule of audits.programme and the tier policy's checks and thresholds."""

from __future__ import annotations

from audits.programme.models import AuditSchedule
from governance.kernel.accounts.models import User
from governance.obligations.monitoring.models import MonitoringPlan
from governance.policy.policies.models import UNCLASSIFIED, Policy
from governance.review.evaluation import current_classification
from registry.models import AISystem


def plan_for(*, actor: User, system: AISystem) -> MonitoringPlan | None:
    return (
        MonitoringPlan.objects.visible_to(actor)
        .filter(system=system)
        .select_related("updated_by")
        .first()
    )


def plan_mismatches(plan: MonitoringPlan | None, system: AISystem) -> list[str]:
    """Each sentence names one disagreement between the plan and what runs."""
    if plan is None:
        return ["There is no post-market monitoring plan for this system."]
    out = []
    schedule = AuditSchedule.objects.filter(system=system).first()
    if schedule is None:
        out.append("The plan expects audits, but no audit schedule exists for this system.")
    else:
        if not schedule.active:
            out.append("The audit schedule is paused; the plan expects audits.")
        if schedule.interval_days != plan.audit_interval_days:
            out.append(
                f"The plan audits every {plan.audit_interval_days} days; the schedule runs "
                f"every {schedule.interval_days} days."
            )
    classification = current_classification(system.pk)
    tier = classification.tier if classification else UNCLASSIFIED
    policy = Policy.objects.filter(tier=tier).first()
    required = set(policy.required_checks or []) if policy else set()
    tasks = set(system.models.values_list("task", flat=True))
    if policy is not None and tasks:
        # Only the checks that bind the system's models (no generative check for a system
        # of classical models, no tabular checks for an LLM application).
        required = {kind for task in tasks for kind in policy.checks_for(task)[0]}
    thresholds = (policy.thresholds or {}) if policy else {}
    planned = {m["check_kind"] for m in plan.metrics}
    for kind in sorted(planned - required - {"operational"}):
        out.append(f"The plan watches {kind}, but the {tier} policy does not run {kind} checks.")
    for kind in sorted(required - planned):
        out.append(f"The {tier} policy runs {kind} checks; the plan does not mention them.")
    for m in plan.metrics:
        enforced = (thresholds.get(m["check_kind"]) or {}).get(m["metric"])
        if m["threshold"] is not None and enforced is not None and enforced != m["threshold"]:
            out.append(
                f"{m['check_kind']}.{m['metric']}: the plan says {m['threshold']:g}, the policy "
                f"enforces {enforced:g}."
            )
    return out
