"""Django admin for the governance domain. Edits go through the services (so they are
audited exactly like API edits); records that are evidence are read-only here."""

from __future__ import annotations

from django.contrib import admin, messages

from governance.kernel.admin import HistoryAdmin
from governance.kernel.errors import ServiceError
from governance.policy.raci.models import Responsibility
from governance.policy.raci.services import responsibility_assign, responsibility_end


@admin.register(Responsibility)
class ResponsibilityAdmin(HistoryAdmin):
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
