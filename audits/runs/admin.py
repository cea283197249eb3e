"""Read-mostly admin pages: runs and findings change only through services (audited)."""

from __future__ import annotations

from django.contrib import admin

from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from audits.runs.models.monitoring import OperationalMetric
from governance.kernel.admin import PlainReadOnlyAdmin, ReadOnlyAdmin


@admin.register(CheckRun)
class CheckRunAdmin(PlainReadOnlyAdmin):
    list_display = ("id", "kind", "model_version", "status", "passed", "queued_at", "attempts")
    list_filter = ("kind", "status", "passed")
    search_fields = ("result_sha256", "error_code")
    raw_id_fields = ("model_version", "dataset_version", "reference_dataset_version")


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("id", "severity", "code", "model_version", "status", "created_at")
    list_filter = ("severity", "status", "source")
    search_fields = ("code", "message")


@admin.register(OperationalMetric)
class OperationalMetricAdmin(PlainReadOnlyAdmin):
    list_display = ("id", "model_version", "environment", "window_end", "latency_p95_ms")
    list_filter = ("environment",)
