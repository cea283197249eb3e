"""In-app notifications and outgoing webhooks (signed, retried, every attempt recorded)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, gettext_noop
from simple_history.models import HistoricalRecords

from governance.kernel.jobs.models import TrackedJob
from governance.kernel.outbound import WebhookRefused, check_url
from governance.kernel.sentences import localize, sentence_from_data

NOTIFICATION_EVENTS = (
    "review_requested",
    "decision",
    "approval_invalidated",
    "approval_expiring",
    "check_failed",
    "finding_raised",
    "report_ready",
    "drift_detected",
    "incident_deadline",
    "signature_locked",
    "audit_overdue",
)
# What the pages and e-mails call each event (the event names stay English in the API and
# the webhooks).
EVENT_LABELS = {
    "review_requested": gettext_noop("review requested"),
    "decision": gettext_noop("decision"),
    "approval_invalidated": gettext_noop("approval invalidated"),
    "approval_expiring": gettext_noop("approval expiring"),
    "check_failed": gettext_noop("check failed"),
    "finding_raised": gettext_noop("finding raised"),
    "report_ready": gettext_noop("report ready"),
    "drift_detected": gettext_noop("drift detected"),
    "incident_deadline": gettext_noop("incident deadline"),
    "signature_locked": gettext_noop("signature locked"),
    "audit_overdue": gettext_noop("audit overdue"),
}


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=32, db_index=True)
    # In English, as the API and the webhooks give it.
    message = models.TextField()
    # The same message as a sentence's data (``governance.kernel.sentences``), so that the page
    # and the e-mail say it in their reader's language; empty for a message given as plain text.
    text = models.JSONField(default=dict, blank=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=300, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.event} for {self.recipient_id}"

    def message_shown(self) -> str:
        """The message in the active language: the page's reader's, or the recipient's for
        an e-mail."""
        return localize(sentence_from_data(self.text)) if self.text else self.message

    def event_label(self) -> str:
        label = EVENT_LABELS.get(self.event)
        return gettext(label) if label else self.event.replace("_", " ")


class WebhookEndpoint(models.Model):
    name = models.CharField(max_length=120)
    url = models.URLField(max_length=500)
    secret = models.CharField(
        max_length=200, help_text="Shared secret for the X-Governance-Signature HMAC."
    )
    events = models.JSONField(
        default=list, blank=True, help_text="Event names to send; empty means all events."
    )
    slack_format = models.BooleanField(
        default=False, help_text='Send a Slack-compatible body {"text": ...}.'
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # Checked when an admin saves it, and again before every delivery (DNS may change).
        try:
            check_url(self.url)
        except WebhookRefused as exc:
            raise ValidationError({"url": exc.reason}) from exc

    def wants(self, event: str) -> bool:
        return self.active and (not self.events or event in self.events)


class WebhookDelivery(TrackedJob):
    """One event to one endpoint. The body is frozen at creation so every retry sends, and
    signs, exactly the same bytes."""

    task_name = "notifications.webhook_deliver"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=32)
    body = models.TextField()
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id} ({self.status})"

    @classmethod
    def redispatch_ready(cls, now):
        # A delivery waiting for its backoff is not lost, only not due yet.
        return models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now)
