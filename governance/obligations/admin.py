"""The AI Act records in the Django admin: read-only, because every change must go through
a service that writes its audit event (the pages and the API do)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from governance.obligations.documentation.models import DocumentationRevision
from governance.obligations.incidents.models import Incident
from governance.obligations.monitoring.models import MonitoringPlan
from governance.obligations.risks.models import Risk


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (
    DocumentationRevision,
    Incident,
    MonitoringPlan,
    Risk,
):
    admin.site.register(model, ReadOnlyAdmin)
