"""Django admin for the governance domain. Edits go through the services (so they are
audited exactly like API edits); records that are evidence are read-only here."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from governance.kernel.audit.services import audit_event_record


class HistoryAdmin(SimpleHistoryAdmin):
    """Shows a row's history and never writes from it.

    simple-history's "revert" form saves the historical row straight through ``save_model``
    and only asks for *view* permission, so on a read-only admin it would rewrite evidence
    (a decision, a classification) without a service or an audit event. Reverting is
    refused here and by ``SIMPLE_HISTORY_REVERT_DISABLED``; the history stays readable."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied("history is read-only; change the row through its service")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None) -> bool:
        return True


class ReadOnlyMixin:
    """Rows that are evidence or a worker's result: shown, never written from the admin."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, HistoryAdmin):
    pass


class PlainReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Rows without history (job results, notifications, deliveries, tokens)."""


class AuditedAdmin(HistoryAdmin):
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

    def delete_queryset(self, request, queryset):
        # The bulk "delete selected" action bypasses delete_model; record each row.
        for obj in queryset:
            self.delete_model(request, obj)
