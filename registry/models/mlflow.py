"""Where model versions imported from an MLflow tracking server came from, and which MLflow
registered models are followed (new versions imported by the periodic sync)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from governance.kernel.permissions import team_scoped_queryset
from registry.models.models import Model, ModelVersion


class MlflowImport(models.Model):
    """One MLflow model version imported as one of our model versions (at most once a model)."""

    model_version = models.OneToOneField(
        ModelVersion, on_delete=models.CASCADE, related_name="mlflow_import"
    )
    model = models.ForeignKey(Model, on_delete=models.PROTECT, related_name="mlflow_imports")
    registered_model = models.CharField(max_length=256)
    mlflow_version = models.CharField(max_length=32)
    run_id = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=2000, blank=True)
    artefact_path = models.CharField(max_length=2000, blank=True)
    flavours = models.JSONField(default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = team_scoped_queryset("model__system__team").as_manager()

    class Meta:
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "registered_model", "mlflow_version"],
                name="uniq_mlflow_version_per_model",
            )
        ]

    def __str__(self) -> str:
        return f"{self.registered_model} v{self.mlflow_version} -> {self.model_version_id}"


class MlflowLink(models.Model):
    """Follow an MLflow registered model: the sync imports its new versions into ``model``."""

    model = models.ForeignKey(Model, on_delete=models.CASCADE, related_name="mlflow_links")
    registered_model = models.CharField(max_length=256)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = team_scoped_queryset("model__system__team").as_manager()

    class Meta:
        ordering = ["registered_model", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "registered_model"], name="uniq_mlflow_link_per_model"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registered_model} -> model {self.model_id}"

    @property
    def team_id(self) -> int:
        return self.model.system.team_id
