"""Review rounds of a model version and the signed decisions taken in them.

A round opens on submission (and again when an approval is invalidated or expires); it ends
approved, rejected, changes requested, invalidated or expired. An approval is only as good as
the evidence it recorded: each approving decision keeps the hashes it was based on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords


# Choice labels are English message ids (gettext_noop): stored values and the API keep them as
# they are, the pages translate them where they show them.
class ReviewStatus(models.TextChoices):
    OPEN = "open", gettext_noop("Open")
    APPROVED = "approved", gettext_noop("Approved")
    REJECTED = "rejected", gettext_noop("Rejected")
    CHANGES_REQUESTED = "changes_requested", gettext_noop("Changes requested")
    INVALIDATED = "invalidated", gettext_noop("Invalidated")
    EXPIRED = "expired", gettext_noop("Expired")


class Review(models.Model):
    model_version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.PROTECT, related_name="reviews"
    )
    round = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.OPEN, db_index=True
    )
    tier = models.CharField(max_length=24)
    classification = models.ForeignKey(
        "governance.RiskClassification", null=True, on_delete=models.PROTECT, related_name="+"
    )
    policy_version = models.PositiveIntegerField(null=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    opened_reason = models.CharField(max_length=300, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidation_code = models.CharField(max_length=64, blank=True)
    invalidation_reason = models.TextField(blank=True)
    # Who is asked to decide in this round (set from the review queue); the round's deadline
    # is ``opened_at`` plus settings.REVIEW_DUE_DAYS.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_reviews",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["model_version_id", "-round"]
        constraints = [
            models.UniqueConstraint(fields=["model_version", "round"], name="uniq_review_round")
        ]

    def __str__(self) -> str:
        return f"review {self.round} of version {self.model_version_id} ({self.status})"

    def is_valid_approval(self, at=None) -> bool:
        """Approved and not past its re-certification date (checked at read time, so an
        approval is never valid a second longer than the policy allows)."""
        at = at or timezone.now()
        return self.status == ReviewStatus.APPROVED and (
            self.expires_at is None or self.expires_at > at
        )


class DecisionKind(models.TextChoices):
    APPROVE = "approve", gettext_noop("Approve")
    REJECT = "reject", gettext_noop("Reject")
    REQUEST_CHANGES = "request_changes", gettext_noop("Request changes")


class Decision(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="decisions")
    model_version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.PROTECT, related_name="decisions"
    )
    decision = models.CharField(max_length=20, choices=DecisionKind.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_decisions"
    )
    reviewer_role = models.CharField(max_length=32)
    capacities = models.JSONField(
        default=list, help_text="compliance_officer and/or accountable_owner at decision time."
    )
    comment = models.TextField(blank=True)
    evidence = models.JSONField(default=dict)
    signature = models.CharField(max_length=64, unique=True)
    # The server key's Ed25519 signature over the decision record (see decision_signed_record):
    # anyone with the public key can check it; nobody without the key file can make one.
    server_signature = models.CharField(max_length=128, blank=True)
    signing_key_id = models.CharField(max_length=32, blank=True)
    decided_at = models.DateTimeField()
    # How the reviewer proved who they were when signing, and when that happened:
    # password, oidc_step_up (re-authenticated at the identity provider) or totp.
    signed_with = models.CharField(max_length=20, blank=True)
    authenticated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "reviewer"], name="one_decision_per_reviewer_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision} by {self.reviewer_id} on version {self.model_version_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Decisions are signed and immutable")
        super().save(*args, **kwargs)
