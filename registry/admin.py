from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from registry.models import (
    AISystem,
    Blob,
    Column,
    Dataset,
    DatasetVersion,
    LineageEdge,
    Model,
    ModelVersion,
    PIIFlag,
)


class ReadOnlyMixin:
    """Registry records change through services (with audit events), not the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AISystem)
class AISystemAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["name", "team", "created_by", "updated_at"]
    list_filter = ["team"]
    search_fields = ["name", "intended_purpose"]


@admin.register(Model)
class ModelAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["name", "system", "task", "created_at"]
    search_fields = ["name"]


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["model", "version", "status", "artefact_format", "artefact_safe", "created_at"]
    list_filter = ["status", "artefact_format"]
    search_fields = ["version", "model__name"]


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["name", "team", "licence", "legal_basis"]


@admin.register(DatasetVersion)
class DatasetVersionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["dataset", "version", "data_format", "row_count", "profile_status"]


@admin.register(Column)
class ColumnAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["name", "dataset_version", "dtype", "role", "is_sensitive"]


@admin.register(PIIFlag)
class PIIFlagAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["column", "category", "confidence", "status", "decided_by"]
    list_filter = ["status", "category"]


@admin.register(LineageEdge)
class LineageEdgeAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = [
        "kind",
        "upstream_dataset_version",
        "upstream_model_version",
        "downstream_dataset_version",
        "downstream_model_version",
    ]


@admin.register(Blob)
class BlobAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["sha256", "size", "detected_format", "created_at"]
