"""Light background work of the governance app."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext

from governance.kernel import outbound
from governance.kernel.jobs.models import JobStatus
from governance.kernel.jobs.services import (
    TrackedTask,
    job_claim,
    job_fail,
    job_succeed,
)
from governance.kernel.languages import language_or_default
from governance.policy.notifications.models import Notification, WebhookDelivery
from governance.policy.notifications.services import SIGNATURE_HEADER, webhook_signature


def webhook_backoff_seconds(attempt: int) -> int:
    """Exponential backoff after the ``attempt``-th failure: base, 2x base, 4x base ..."""

    return min(settings.WEBHOOK_BACKOFF_SECONDS * 2 ** max(attempt - 1, 0), 6 * 3600)


@shared_task(
    base=TrackedTask,
    bind=True,
    name="notifications.webhook_deliver",
    max_retries=None,  # bounded by WEBHOOK_MAX_ATTEMPTS on the row, which survives restarts
)
def webhook_deliver_task(self, delivery_id: int) -> None:
    """POST one delivery's frozen body, signed; retry with exponential backoff on failure.

    Any 2xx ends it succeeded. Other answers and network errors are recorded on the row
    (response code, last error, attempts) and retried until ``WEBHOOK_MAX_ATTEMPTS``.
    """
    # The service module queues this task: it is imported when the task runs.

    delivery = job_claim(WebhookDelivery, delivery_id, worker=self.request.hostname or "")
    if delivery is None:
        return
    endpoint = delivery.endpoint
    body = delivery.body.encode()
    outcome = outbound.post(
        endpoint.url,
        body,
        {
            "Content-Type": "application/json",
            "User-Agent": "ai-governance-registry-webhooks/1",
            SIGNATURE_HEADER: webhook_signature(body, endpoint.secret),
            "X-Governance-Event": delivery.event,
            "X-Governance-Delivery": str(delivery.pk),
        },
    )
    code, error = outcome.status, outcome.error
    if code is not None and 200 <= code < 300:
        job_succeed(delivery, response_code=code, last_error="", next_attempt_at=None)
        return
    if outcome.refused:
        job_fail(delivery, "delivery_refused", error, response_code=None, last_error=error[:2000])
        return
    delivery.refresh_from_db(fields=["attempts"])
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        job_fail(
            delivery,
            "delivery_failed",
            f"Gave up after {delivery.attempts} attempts: {error}",
            response_code=code,
            last_error=error[:2000],
        )
        return
    delay = webhook_backoff_seconds(delivery.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=JobStatus.QUEUED,
        response_code=code,
        last_error=error[:2000],
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        dispatched_at=timezone.now(),
    )
    raise self.retry(countdown=delay, max_retries=None)


@shared_task(base=TrackedTask, bind=True, name="notifications.email")
def notification_email_task(self, notification_ids: list[int]) -> None:
    """One e-mail per notification to its recipient; a failure is retried by the task."""

    rows = Notification.objects.filter(pk__in=notification_ids).select_related("recipient")
    for row in rows:
        # No browser to ask: the recipient's profile language, else English.
        with translation.override(language_or_default(row.recipient.language)):
            subject = gettext("[AI governance] %(event)s: %(target)s") % {
                "event": row.event_label(),
                "target": row.target_repr,
            }
            send_mail(subject[:200], row.message_shown(), None, [row.recipient.email])


logger = logging.getLogger(__name__)
