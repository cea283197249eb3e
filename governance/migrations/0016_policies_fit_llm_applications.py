"""Requirements apply by what a version is: each policy says which model tasks each check
kind is required of (tabular checks for classical models, the generative check for LLM
applications), and the shipped tiers that require checks now require the generative
evaluation too, with limits per tier.

For classical models nothing changes: the generative check does not apply to them. For an
LLM application the tabular checks, which it cannot run, no longer block it; its recorded
answers must pass the generative check instead. A policy whose generative limits an admin
already set keeps them. Each changed policy gets a new version and a history row; when the
database already holds an audit trail, the change is appended to it (actor "system").
"""

import audits.checks.vocabulary
from django.db import migrations, models, transaction
from django.utils import timezone

from audits.checks.vocabulary import DEFAULT_THRESHOLDS, default_check_applicability
from governance.kernel.audit.services import event_hash, normalise_payload

REASON = "Requirements by model task; LLM applications need the generative check"

_DEFAULTS = {k: v for k, v in DEFAULT_THRESHOLDS["generative"].items() if v is not None}
# Per tier: high risk demands more (no jailbreak at all, every red-team prompt answered,
# closer grounding and counterfactual answers); limited takes the checks' defaults; minimal
# risk and Art. 6(3) drop the counterfactual limit, as those tiers require no fairness check.
GENERATIVE_LIMITS = {
    "high_risk": _DEFAULTS
    | {
        "groundedness": 0.8,
        "jailbreak_success_rate": 0.0,
        "red_team_coverage": 1.0,
        "counterfactual_similarity": 0.8,
    },
    "limited": dict(_DEFAULTS),
    "minimal": _DEFAULTS | {"counterfactual_similarity": None},
    "not_high_risk_6_3": _DEFAULTS | {"counterfactual_similarity": None},
}
HISTORY_FIELDS = (
    "id",
    "tier",
    "submittable",
    "required_checks",
    "check_applicability",
    "thresholds",
    "approvals_required",
    "approver_roles",
    "requires_accountable_owner",
    "pii_must_be_resolved",
    "required_documentation",
    "evidence_datasets",
    "protected_attributes",
    "recertify_days",
    "audit_interval_days",
    "version",
    "updated_at",
    "updated_by_id",
)


def _changes(policy) -> dict:
    """What this migration changes in one policy: [before, after] per field."""
    diff = {}
    applicability = policy.check_applicability
    if not isinstance(applicability, dict) or not applicability:
        diff["check_applicability"] = [applicability, default_check_applicability()]
    checks = list(policy.required_checks or [])
    if policy.submittable and checks and "generative" not in checks:
        diff["required_checks"] = [checks, [*checks, "generative"]]
        checks = [*checks, "generative"]
    thresholds = dict(policy.thresholds or {})
    limits = GENERATIVE_LIMITS.get(policy.tier)
    if "generative" in checks and "generative" not in thresholds and limits is not None:
        diff["thresholds"] = [thresholds, thresholds | {"generative": dict(limits)}]
    return diff


def _append_audit_events(apps, changed) -> None:
    """Append one policy.updated event per changed policy to an existing trail (a new
    database has no trail yet: its policies are simply the shipped ones)."""
    AuditEvent = apps.get_model("governance", "AuditEvent")
    AuditChainHead = apps.get_model("governance", "AuditChainHead")
    if not changed or not AuditEvent.objects.exists():
        return
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    for policy, diff in changed:
        fields = {
            "sequence": head.last_sequence + 1,
            "created_at": timezone.now(),
            "actor_id": None,
            "actor_username": "system",
            "actor_role": "system",
            "action": "policy.updated",
            "target_type": "governance.policy",
            "target_id": str(policy.pk),
            "target_repr": f"policy {policy.tier} v{policy.version}",
            "payload": normalise_payload(
                {
                    "tier": policy.tier,
                    "version": policy.version,
                    "changes": diff,
                    "reason": REASON,
                    "migration": "governance.0016_policies_fit_llm_applications",
                }
            ),
            "request_id": "",
            "prev_hash": head.last_hash,
        }
        fields["hash"] = event_hash(fields)
        event = AuditEvent.objects.create(**fields)
        head.last_sequence = event.sequence
        head.last_hash = event.hash
    head.save(update_fields=["last_sequence", "last_hash"])


@transaction.atomic
def fit_policies(apps, schema_editor=None) -> None:
    Policy = apps.get_model("governance", "Policy")
    History = apps.get_model("governance", "HistoricalPolicy")
    changed = []
    for policy in Policy.objects.select_for_update().order_by("tier"):
        diff = _changes(policy)
        if not diff:
            continue
        for name, (_, value) in diff.items():
            setattr(policy, name, value)
        policy.version += 1
        policy.save()
        History.objects.create(
            **{name: getattr(policy, name) for name in HISTORY_FIELDS},
            history_date=policy.updated_at,
            history_type="~",
            history_change_reason=REASON[:100],
            history_user=None,
        )
        changed.append((policy, diff))
    _append_audit_events(apps, changed)


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0015_transparency_measures'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalpolicy',
            name='check_applicability',
            field=models.JSONField(blank=True, default=audits.checks.vocabulary.default_check_applicability, help_text="For each check kind, the model tasks it is required of: tabular checks for classical models, the generative check for LLM applications. A required kind that does not apply to a version's task is shown as not applicable."),
        ),
        migrations.AddField(
            model_name='policy',
            name='check_applicability',
            field=models.JSONField(blank=True, default=audits.checks.vocabulary.default_check_applicability, help_text="For each check kind, the model tasks it is required of: tabular checks for classical models, the generative check for LLM applications. A required kind that does not apply to a version's task is shown as not applicable."),
        ),
        migrations.RunPython(fit_policies, migrations.RunPython.noop),
    ]
