"""Registry records change through services (with audit events), never the admin."""

from django.contrib import admin

from governance.kernel.admin import PlainReadOnlyAdmin, ReadOnlyAdmin
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


@admin.register(AISystem)
class AISystemAdmin(ReadOnlyAdmin):
    list_display = ["name", "team", "created_by", "updated_at"]
    list_filter = ["team"]
    search_fields = ["name", "intended_purpose"]


@admin.register(Model)
class ModelAdmin(ReadOnlyAdmin):
    list_display = ["name", "system", "task", "created_at"]
    search_fields = ["name"]


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    list_display = ["model", "version", "status", "artefact_format", "artefact_safe", "created_at"]
    list_filter = ["status", "artefact_format"]
    search_fields = ["version", "model__name"]


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyAdmin):
    list_display = ["name", "team", "licence", "legal_basis"]


@admin.register(DatasetVersion)
class DatasetVersionAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "version", "data_format", "row_count", "profile_status"]


@admin.register(Column)
class ColumnAdmin(ReadOnlyAdmin):
    list_display = ["name", "dataset_version", "dtype", "role", "is_sensitive"]


@admin.register(PIIFlag)
class PIIFlagAdmin(ReadOnlyAdmin):
    list_display = ["column", "category", "confidence", "status", "decided_by"]
    list_filter = ["status", "category"]


@admin.register(LineageEdge)
class LineageEdgeAdmin(ReadOnlyAdmin):
    list_display = [
        "kind",
        "upstream_dataset_version",
        "upstream_model_version",
        "downstream_dataset_version",
        "downstream_model_version",
    ]


@admin.register(Blob)
class BlobAdmin(PlainReadOnlyAdmin):
    list_display = ["sha256", "size", "detected_format", "created_at"]
