"""Django admin for the governance domain. Edits go through the services (so they are
audited exactly like API edits); records that are evidence are read-only here."""

from __future__ import annotations

from django.contrib import admin

from governance.kernel.admin import AuditedAdmin, PlainReadOnlyAdmin
from governance.policy.notifications.models import Notification, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedAdmin):
    list_display = ["name", "url", "active", "slack_format", "created_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(PlainReadOnlyAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "response_code", "queued_at"]
    list_filter = ["status", "event"]


@admin.register(Notification)
class NotificationAdmin(PlainReadOnlyAdmin):
    # A notification is what someone was told; editing or deleting it would rewrite that.
    list_display = ["event", "recipient", "target_repr", "created_at", "read_at"]
    list_filter = ["event"]
