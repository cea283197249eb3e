"""Django admin for the governance domain. Edits go through the services (so they are
audited exactly like API edits); records that are evidence are read-only here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from governance.errors import ServiceError
from governance.models import (
    Decision,
    Deployment,
    Notification,
    Policy,
    QuestionnaireOption,
    QuestionnaireQuestion,
    Responsibility,
    Review,
    RiskClassification,
    WebhookDelivery,
    WebhookEndpoint,
)
from governance.services.audit import audit_event_record
from governance.services.policies import EDITABLE, policy_update
from governance.services.responsibilities import responsibility_assign, responsibility_end


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditedAdmin(SimpleHistoryAdmin):
    """Plain rows (questionnaire, webhooks) whose every admin edit is an audit event."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_event_record(
                actor=request.user,
                action=f"{obj._meta.model_name}.{'updated' if change else 'created'}",
                target=obj,
                payload={"fields": sorted(form.changed_data)},
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_event_record(
                actor=request.user, action=f"{obj._meta.model_name}.deleted", target=obj
            )
            super().delete_model(request, obj)


class OptionInline(admin.TabularInline):
    model = QuestionnaireOption
    extra = 0


@admin.register(QuestionnaireQuestion)
class QuestionAdmin(AuditedAdmin):
    list_display = ["position", "step", "key", "article", "multiple", "active"]
    list_editable: list = []
    inlines = [OptionInline]

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            changed = [f.instance.value for fs in formsets for f in fs.forms if f.has_changed()]
            if changed:
                audit_event_record(
                    actor=request.user,
                    action="questionnaireoption.updated",
                    target=form.instance,
                    payload={"options": changed},
                )


@admin.register(Policy)
class PolicyAdmin(SimpleHistoryAdmin):
    list_display = ["tier", "version", "submittable", "approvals_required", "recertify_days"]
    readonly_fields = ["tier", "version", "updated_at", "updated_by"]

    def has_add_permission(self, request) -> bool:
        return False  # one row per tier, seeded by migration

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE}
        stored = Policy.objects.get(pk=obj.pk)
        try:
            policy_update(actor=request.user, policy=stored, **changes)
        except ServiceError as exc:
            messages.error(request, exc.message)


@admin.register(Responsibility)
class ResponsibilityAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "system", "model", "dataset", "starts_at", "ends_at"]
    list_filter = ["role"]
    fields = ["user", "role", "system", "model", "dataset", "ends_at", "note"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "role", "system", "model", "dataset", "ends_at", "note"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        target = data.get("system") or data.get("model") or data.get("dataset")
        try:
            responsibility_assign(
                actor=request.user,
                user=data["user"],
                role=data["role"],
                target=target,
                ends_at=data.get("ends_at"),
                note=data.get("note", ""),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)

    def delete_model(self, request, obj):
        responsibility_end(actor=request.user, responsibility=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            responsibility_end(actor=request.user, responsibility=obj)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedAdmin):
    list_display = ["name", "url", "active", "slack_format", "created_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "response_code", "queued_at"]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


for model in (RiskClassification, Review, Decision, Deployment):
    admin.site.register(model, ReadOnlyAdmin)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["event", "recipient", "target_repr", "created_at", "read_at"]
    list_filter = ["event"]

    def has_add_permission(self, request) -> bool:
        return False
