"""Telling the right people: in-app notifications, e-mail and signed webhooks.

:func:`notify` is the one entry point every app calls. It writes the in-app rows inside the
caller's transaction (so a rolled-back change notifies nobody) and sends e-mail and webhook
deliveries only once that transaction commits.

A message is given as a sentence (``governance.kernel.sentences``) and kept twice on each row:
in English, as the API and the webhooks give it, and as the sentence's data, which the pages
show in their reader's language and the e-mail writes in its recipient's. Keeping the sentence
rather than a translation made at sending time means a message follows its reader: someone whose
profile names no language reads it in their browser's, and a change of language applies to
the messages already received.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import canonical_json
from governance.kernel.jobs.services import job_enqueue, task_enqueue_on_commit
from governance.kernel.sentences import Sentence, sentence_data
from governance.policy.notifications.models import (
    NOTIFICATION_EVENTS,
    Notification,
    WebhookDelivery,
    WebhookEndpoint,
)
from governance.policy.raci.models import Raci, Responsibility
from registry.models import AISystem, Dataset, DatasetVersion, Model, ModelVersion

SIGNATURE_HEADER = "X-Governance-Signature"
# Consulted people are asked before a decision; the others must hear about it afterwards.
NOTIFIED_RACI = (Raci.RESPONSIBLE, Raci.ACCOUNTABLE, Raci.INFORMED)


def _target_fields(target: models.Model | None) -> dict[str, str]:
    if target is None:
        return {"target_type": "", "target_id": "", "target_repr": ""}
    return {
        "target_type": f"{target._meta.app_label}.{target._meta.model_name}",
        "target_id": str(target.pk),
        "target_repr": str(target)[:300],
    }


def _scope(target: Any) -> dict[str, int | None]:
    """The system, model and dataset a target belongs to, found by walking its relations
    (a check run's model version's model's system ...), so any app's object works."""

    scope: dict[str, int | None] = {"system_id": None, "model_id": None, "dataset_id": None}
    obj = target
    for _ in range(4):
        if obj is None:
            break
        if isinstance(obj, AISystem):
            scope["system_id"] = obj.pk
            break
        if isinstance(obj, Model):
            scope["model_id"] = obj.pk
            scope["system_id"] = obj.system_id
            break
        if isinstance(obj, ModelVersion):
            obj = obj.model
        elif isinstance(obj, Dataset):
            scope["dataset_id"] = obj.pk
            break
        elif isinstance(obj, DatasetVersion):
            obj = obj.dataset
        else:
            obj = next(
                (
                    getattr(obj, name)
                    for name in ("model_version", "model", "system", "dataset_version", "dataset")
                    if getattr(obj, name, None) is not None
                ),
                None,
            )
    return scope


def default_recipients(target: Any) -> list[User]:
    """People with an active R, A or I on the target's system, model or dataset, plus every
    active compliance officer (oversight must not depend on someone remembering to assign)."""
    scope = _scope(target)
    raci_users = (
        Responsibility.objects.active()
        .filter(role__in=NOTIFIED_RACI)
        .filter_target(**scope)
        .values("user_id")
    )
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=raci_users) | Q(role=Role.COMPLIANCE_OFFICER))
        .order_by("pk")
    )


def webhook_signature(body: bytes, secret: str) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact body bytes with the endpoint's secret."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_body(
    *, endpoint: WebhookEndpoint, event: str, message: str, target: dict, payload: dict
) -> str:
    if endpoint.slack_format:
        where = f" ({target['target_repr']})" if target.get("target_repr") else ""
        return canonical_json({"text": f"[{event}] {message}{where}"})
    return canonical_json(
        {
            "event": event,
            "message": message,
            "target": {
                "type": target["target_type"],
                "id": target["target_id"],
                "repr": target["target_repr"],
            },
            "payload": payload,
            "sent_at": timezone.now(),
        }
    )


def notify(
    *,
    event: str,
    target: Any,
    message: Sentence | str,
    payload: dict[str, Any],
    recipients: Iterable[User] | None = None,
) -> list[Notification]:
    """Notify people of ``event`` about ``target``; returns the in-app rows created.

    Recipients default to the target's RACI people (R, A, I) and the compliance officers.
    E-mail and webhooks go out after the surrounding transaction commits, each webhook as a
    recorded, retried delivery on the light queue.
    """
    if event not in NOTIFICATION_EVENTS:
        raise ValueError(f"unknown event {event!r}; use one of {', '.join(NOTIFICATION_EVENTS)}")

    people = default_recipients(target) if recipients is None else list(recipients)
    unique = {u.pk: u for u in people if u is not None and u.is_active}
    where = _target_fields(target)
    payload = json_safe(payload)
    text = sentence_data(message) if isinstance(message, Sentence) else {}
    message = str(message)
    with transaction.atomic():
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user,
                    event=event,
                    message=message,
                    text=text,
                    payload=payload,
                    **where,
                )
                for user in unique.values()
            ]
        )
        deliveries = [
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                body=webhook_body(
                    endpoint=endpoint, event=event, message=message, target=where, payload=payload
                ),
            )
            for endpoint in WebhookEndpoint.objects.filter(active=True)
            if endpoint.wants(event)
        ]
        for delivery in deliveries:
            delivery.save()
            job_enqueue(delivery)
        ids = [row.pk for row in rows if row.recipient.email]
        if ids:
            task_enqueue_on_commit("notifications.email", ids)
    return rows


def json_safe(payload: dict[str, Any] | None) -> dict[str, Any]:

    return json.loads(canonical_json(payload or {}))


@transaction.atomic
def notification_mark_read(*, actor: User, notifications: Iterable[Notification]) -> int:
    """Mark the actor's own notifications read; someone else's are silently left alone."""
    ids = [n.pk for n in notifications if n.recipient_id == actor.pk and n.read_at is None]
    # Plain update is fine: notifications are not history-tracked, and reading one is not a
    # governed state change worth an audit event.
    return Notification.objects.filter(pk__in=ids).update(read_at=timezone.now())
