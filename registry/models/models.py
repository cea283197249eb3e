"""Models and their versions. A version is immutable once submitted: a change is a new version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from governance.kernel.jobs.models import TrackedJob
from governance.kernel.permissions import team_scoped_queryset
from registry.models.blobs import Blob
from registry.models.systems import AISystem


class ModelTask(models.TextChoices):
    BINARY_CLASSIFICATION = "binary_classification", gettext_noop("Binary classification")
    MULTICLASS_CLASSIFICATION = (
        "multiclass_classification",
        gettext_noop("Multiclass classification"),
    )
    REGRESSION = "regression", gettext_noop("Regression")
    GENERATIVE = "generative", gettext_noop("Generative (LLM application)")
    OTHER = "other", gettext_noop("Other")


class Model(models.Model):
    system = models.ForeignKey(AISystem, on_delete=models.PROTECT, related_name="models")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    task = models.CharField(
        max_length=32, choices=ModelTask.choices, default=ModelTask.BINARY_CLASSIFICATION
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = team_scoped_queryset("system__team").as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["system", "name"], name="uniq_model_name_per_system")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def team_id(self) -> int:
        return self.system.team_id


class VersionStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("Draft")
    IN_REVIEW = "in_review", gettext_noop("In review")
    CHANGES_REQUESTED = "changes_requested", gettext_noop("Changes requested")
    APPROVED = "approved", gettext_noop("Approved")
    REJECTED = "rejected", gettext_noop("Rejected")
    DEPLOYED = "deployed", gettext_noop("Deployed")
    RETIRED = "retired", gettext_noop("Retired")


class ArtefactSource(models.TextChoices):
    UPLOAD = "upload", gettext_noop("Uploaded")
    REFERENCE = "reference", gettext_noop("Fetched from a URI")
    EXTERNAL_SERVICE = "external_service", gettext_noop("External service (no artefact)")


class Verification(models.TextChoices):
    """Whether the stored artefact is the one the version names."""

    VERIFIED = "verified", gettext_noop("Verified")
    PENDING = "pending", gettext_noop("Pending verification")
    FAILED = "failed", gettext_noop("Failed verification")
    NOT_APPLICABLE = "not_applicable", gettext_noop("No artefact")


# Everything a reviewer's approval rests on; frozen from submission on.
IMMUTABLE_AFTER_SUBMIT = (
    "model_id",
    "version",
    "artefact_id",
    "artefact_format",
    "artefact_source",
    "artefact_uri",
    "artefact_declared_sha256",
    "service_provider",
    "service_model_id",
    "service_version",
    "service_terms_url",
    "framework",
    "hyperparameters",
    "declared_metrics",
    "code_commit",
    "environment_lock",
    "description",
    "created_by_id",
)


class ModelVersion(models.Model):
    model = models.ForeignKey(Model, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=64)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=24, choices=VersionStatus.choices, default=VersionStatus.DRAFT, db_index=True
    )
    # Empty while a referenced artefact awaits its fetch, after a failed fetch, and for a
    # vendor's hosted model (an external service), which has no artefact at all.
    artefact = models.ForeignKey(
        Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="model_versions"
    )
    artefact_format = models.CharField(max_length=32, blank=True)
    artefact_source = models.CharField(
        max_length=24, choices=ArtefactSource.choices, default=ArtefactSource.UPLOAD
    )
    artefact_uri = models.CharField(max_length=2000, blank=True)
    artefact_declared_sha256 = models.CharField(max_length=64, blank=True)
    artefact_verification = models.CharField(
        max_length=16, choices=Verification.choices, default=Verification.VERIFIED
    )
    artefact_verification_error = models.TextField(blank=True)
    service_provider = models.CharField(max_length=200, blank=True)
    service_model_id = models.CharField(max_length=300, blank=True)
    service_version = models.CharField(max_length=200, blank=True)
    service_terms_url = models.URLField(max_length=2000, blank=True)
    framework = models.CharField(max_length=32, blank=True)
    artefact_safe = models.BooleanField(
        default=False, help_text="Loadable without running code from the file."
    )
    artefact_trusted = models.BooleanField(
        default=False, help_text="An admin allowed workers to load this pickle-family file."
    )
    artefact_filename = models.CharField(max_length=255, blank=True)
    hyperparameters = models.JSONField(default=dict, blank=True)
    declared_metrics = models.JSONField(default=dict, blank=True)
    code_commit = models.CharField(max_length=64, blank=True)
    environment_lock = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Indexed by the composite (-created_at, -id) index below, which serves the list's order.
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = team_scoped_queryset("model__system__team").as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["model", "version"], name="uniq_version_per_model")
        ]
        indexes = [
            models.Index(fields=["model", "-created_at"]),
            # The list's order: a page is a plain backward index scan, no sort.
            models.Index(fields=["-created_at", "-id"], name="registry_mv_created_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.model.name} {self.version}"

    def save(self, *args, **kwargs):
        # Defence in depth behind the services: nothing may rewrite a submitted version.
        if self.pk is not None:
            stored = (
                type(self)
                .objects.filter(pk=self.pk)
                .values(*IMMUTABLE_AFTER_SUBMIT, "status")
                .first()
            )
            if stored and stored["status"] != VersionStatus.DRAFT:
                changed = [f for f in IMMUTABLE_AFTER_SUBMIT if stored[f] != getattr(self, f)]
                if changed:
                    raise ValueError(
                        f"model version {self.pk} is submitted; cannot change {', '.join(changed)}"
                    )
        super().save(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status != VersionStatus.DRAFT

    @property
    def is_external_service(self) -> bool:
        return self.artefact_source == ArtefactSource.EXTERNAL_SERVICE

    @property
    def external_service(self) -> dict[str, str] | None:
        if not self.is_external_service:
            return None
        return {
            "provider": self.service_provider,
            "model_id": self.service_model_id,
            "version": self.service_version,
            "terms_url": self.service_terms_url,
        }


class ArtefactFetchJob(TrackedJob):
    """Fetching, hashing and recognising the artefact a version names by URI."""

    task_name = "analysis.fetch_model_artefact"

    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.CASCADE, related_name="artefact_fetch_jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The URI as given, credentials included (a pre-signed URL's signature), kept only until
    # the fetch has ended; the version, its history and the trail hold it without them.
    source_uri = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-queued_at"]

    def __str__(self) -> str:
        return f"artefact fetch of {self.model_version_id} ({self.status})"
