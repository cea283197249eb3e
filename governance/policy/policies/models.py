"""What each risk tier requires before a version may be approved and deployed (AI_ACT.md §2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from audits.checks.vocabulary import (
    DEFAULT_EVIDENCE_RELATIONS,
    check_applies,
    default_check_applicability,
)
from governance.policy.classification.models import RiskTier

UNCLASSIFIED = "unclassified"
POLICY_TIERS = [*RiskTier.choices, (UNCLASSIFIED, gettext_noop("Not classified yet"))]
ACCOUNTABLE_OWNER = "accountable_owner"


def default_evidence_datasets() -> list[str]:
    """Evaluation data only (tested_on, validated_on): never the training data by default."""
    return list(DEFAULT_EVIDENCE_RELATIONS)


class Policy(models.Model):
    """One row per tier. Admins edit rows (each edit bumps ``version`` and is audited), and
    every approval records the version it was judged against."""

    tier = models.CharField(max_length=24, choices=POLICY_TIERS, unique=True)
    submittable = models.BooleanField(default=True)
    required_checks = models.JSONField(default=list, blank=True)
    check_applicability = models.JSONField(
        default=default_check_applicability,
        blank=True,
        help_text="For each check kind, the model tasks it is required of: tabular checks "
        "for classical models, the generative check for LLM applications. A required kind "
        "that does not apply to a version's task is shown as not applicable.",
    )
    thresholds = models.JSONField(default=dict, blank=True)
    approvals_required = models.PositiveSmallIntegerField(default=1)
    approver_roles = models.JSONField(
        default=list,
        blank=True,
        help_text="Each listed capacity must be among the approvers: a user role such as "
        "'compliance_officer', or 'accountable_owner' (RACI A on the system or model).",
    )
    requires_accountable_owner = models.BooleanField(default=False)
    pii_must_be_resolved = models.BooleanField(default=False)
    required_documentation = models.JSONField(default=list, blank=True)
    evidence_datasets = models.JSONField(
        default=default_evidence_datasets,
        blank=True,
        help_text="Lineage relations (dataset version -> model version) whose data a check "
        "run must have used to count as evidence: tested_on, validated_on, trained_on.",
    )
    protected_attributes = models.JSONField(
        default=list,
        blank=True,
        help_text="Column names a fairness or explainability run must treat as sensitive "
        "whenever the data has them, whatever the dataset's own flags say.",
    )
    recertify_days = models.PositiveIntegerField(null=True, blank=True)
    audit_interval_days = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["tier"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return f"policy {self.tier} v{self.version}"

    def checks_for(self, task: str) -> tuple[list[str], list[str]]:
        """The required check kinds that apply to a model of ``task``, and those that do not."""
        kinds = list(self.required_checks or [])
        applies = [k for k in kinds if check_applies(self.check_applicability, k, task)]
        return applies, [k for k in kinds if k not in applies]
