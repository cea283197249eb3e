"""Where each model version runs: an append-only log of deployments and rollbacks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from governance.kernel.permissions import team_scoped_queryset


class Environment(models.TextChoices):
    DEV = "dev", gettext_noop("Development")
    TEST = "test", gettext_noop("Test")
    PROD = "prod", gettext_noop("Production")


class DeploymentAction(models.TextChoices):
    DEPLOY = "deploy", gettext_noop("Deploy")
    ROLLBACK = "rollback", gettext_noop("Rollback")


class Deployment(models.Model):
    """From ``deployed_at`` on, this version is the one running in ``environment`` for its
    model, until the next row for the same model and environment. A rollback is a row for the
    older version, so "what ran at time T" is one ordered lookup."""

    model_version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.PROTECT, related_name="deployments"
    )
    model = models.ForeignKey("registry.Model", on_delete=models.PROTECT, related_name="+")
    environment = models.CharField(max_length=8, choices=Environment.choices)
    action = models.CharField(
        max_length=10, choices=DeploymentAction.choices, default=DeploymentAction.DEPLOY
    )
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    deployed_at = models.DateTimeField(db_index=True)
    approval = models.ForeignKey(
        "governance.Review", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replaces = models.ForeignKey(
        "registry.ModelVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = team_scoped_queryset("model__system__team").as_manager()

    class Meta:
        ordering = ["-deployed_at", "-id"]
        indexes = [models.Index(fields=["model", "environment", "-deployed_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.model_version_id} to {self.environment}"
