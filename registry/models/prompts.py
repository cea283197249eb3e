"""Prompt templates and system prompts of an LLM application, versioned like artefacts.

A template belongs to a model (the application) and keeps every text it ever had as numbered,
immutable versions with their SHA-256. A model version names the prompt version it runs with
for each template (a binding); changing a binding of a reviewed version changes what was
approved, so its approvals are withdrawn (``registry.signals.prompt_changed``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from governance.kernel.permissions import team_scoped_queryset
from registry.models.models import Model, ModelVersion


class PromptRole(models.TextChoices):
    SYSTEM = "system", gettext_noop("System prompt")
    TEMPLATE = "template", gettext_noop("Prompt template")


class PromptTemplate(models.Model):
    model = models.ForeignKey(Model, on_delete=models.PROTECT, related_name="prompt_templates")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=16, choices=PromptRole.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = team_scoped_queryset("model__system__team").as_manager()

    class Meta:
        ordering = ["model", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["model", "name"], name="uniq_prompt_name_per_model")
        ]

    def __str__(self) -> str:
        return f"{self.model.name}/{self.name}"


class PromptVersion(models.Model):
    template = models.ForeignKey(PromptTemplate, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    sha256 = models.CharField(max_length=64)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = team_scoped_queryset("template__model__system__team").as_manager()

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="uniq_prompt_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


class PromptBinding(models.Model):
    """The prompt version a model version runs with, one per template."""

    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, related_name="prompt_bindings"
    )
    template = models.ForeignKey(PromptTemplate, on_delete=models.PROTECT, related_name="+")
    prompt_version = models.ForeignKey(
        PromptVersion, on_delete=models.PROTECT, related_name="bindings"
    )
    bound_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    bound_at = models.DateTimeField(auto_now=True)

    objects = team_scoped_queryset("model_version__model__system__team").as_manager()

    class Meta:
        ordering = ["model_version", "template__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["model_version", "template"], name="uniq_prompt_binding_per_template"
            )
        ]

    def __str__(self) -> str:
        return f"{self.model_version_id}: {self.prompt_version_id}"
