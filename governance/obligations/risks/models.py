"""The risk register of a system (Art. 9): hazards, their scores before and after mitigation,
and the mitigations with the evidence that shows each one is in place."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from governance.obligations.access import obligation_queryset
from governance.obligations.vocab import risk_band, scale_label

LEVEL = [MinValueValidator(1), MaxValueValidator(5)]


class RiskStatus(models.TextChoices):
    OPEN = "open", gettext_noop("Open")
    ACCEPTED = "accepted", gettext_noop("Accepted (residual risk)")
    CLOSED = "closed", gettext_noop("Closed")


class Risk(models.Model):
    system = models.ForeignKey("registry.AISystem", on_delete=models.PROTECT, related_name="risks")
    title = models.CharField(max_length=200)
    hazard = models.TextField(blank=True)
    likelihood = models.PositiveSmallIntegerField(validators=LEVEL)
    severity = models.PositiveSmallIntegerField(validators=LEVEL)
    affected_groups = models.TextField(blank=True)
    fundamental_rights = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True, validators=LEVEL)
    residual_severity = models.PositiveSmallIntegerField(null=True, blank=True, validators=LEVEL)
    review_date = models.DateField()
    status = models.CharField(max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = obligation_queryset("system__team").as_manager()

    class Meta:
        ordering = ["review_date", "id"]

    def __str__(self) -> str:
        return f"risk {self.title} of {self.system}"

    @property
    def band(self) -> dict | None:
        return risk_band(self.likelihood, self.severity)

    @property
    def residual_band(self) -> dict | None:
        return risk_band(self.residual_likelihood, self.residual_severity)

    @property
    def likelihood_label(self) -> str:
        return scale_label("likelihood", self.likelihood)

    @property
    def severity_label(self) -> str:
        return scale_label("severity", self.severity)

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status != RiskStatus.CLOSED and self.review_date < today


class EvidenceType(models.TextChoices):
    CHECK_KIND = "check_kind", gettext_noop("A kind of check the policy runs")
    CHECK_RUN = "check_run", gettext_noop("One check run")
    POLICY = "policy", gettext_noop("A tier policy")
    OVERSIGHT = "oversight", gettext_noop("A human oversight measure")
    NONE = "none", gettext_noop("No evidence yet")


class Mitigation(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="mitigations")
    description = models.TextField()
    evidence_type = models.CharField(
        max_length=12, choices=EvidenceType.choices, default=EvidenceType.NONE
    )
    check_kind = models.CharField(max_length=24, blank=True)
    check_run = models.ForeignKey(
        "audits.CheckRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    policy = models.ForeignKey(
        "governance.Policy", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    oversight_measure = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"mitigation of {self.risk.title}"

    @property
    def evidence_label(self) -> str:
        if self.evidence_type == EvidenceType.CHECK_KIND:
            return f"{self.check_kind} checks"
        if self.evidence_type == EvidenceType.CHECK_RUN:
            return f"check run #{self.check_run_id}"
        if self.evidence_type == EvidenceType.POLICY:
            return str(self.policy)
        if self.evidence_type == EvidenceType.OVERSIGHT:
            return f"oversight: {self.oversight_measure}"
        return "no evidence yet"
