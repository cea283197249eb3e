"""Read-mostly admin pages: runs and findings change only through services (audited)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from audits.runs.models.monitoring import OperationalMetric


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CheckRun)
class CheckRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "model_version", "status", "passed", "queued_at", "attempts")
    list_filter = ("kind", "status", "passed")
    search_fields = ("result_sha256", "error_code")
    raw_id_fields = ("model_version", "dataset_version", "reference_dataset_version")


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ("id", "severity", "code", "model_version", "status", "created_at")
    list_filter = ("severity", "status", "source")
    search_fields = ("code", "message")


@admin.register(OperationalMetric)
class OperationalMetricAdmin(ReadOnlyAdmin):
    list_display = ("id", "model_version", "environment", "window_end", "latency_p95_ms")
    list_filter = ("environment",)
