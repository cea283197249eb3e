"""Django admin for the governance domain. Edits go through the services (so they are
audited exactly like API edits); records that are evidence are read-only here."""

from __future__ import annotations

from django.contrib import admin, messages

from governance.kernel.admin import HistoryAdmin
from governance.kernel.errors import ServiceError
from governance.policy.policies.models import Policy
from governance.policy.policies.services import EDITABLE, policy_update


@admin.register(Policy)
class PolicyAdmin(HistoryAdmin):
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
