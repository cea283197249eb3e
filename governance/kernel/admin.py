"""Django admin for the governance domain. Edits go through the services (so they are
audited exactly like API edits); records that are evidence are read-only here."""

from __future__ import annotations

from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from governance.kernel.audit.services import audit_event_record


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
