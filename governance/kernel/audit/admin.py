"""The audit trail in the Django admin: read-only (append-only by design)."""

from django.contrib import admin

from governance.kernel.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["sequence", "created_at", "actor_username", "action", "target_repr"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "target_repr", "actor_username", "request_id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
