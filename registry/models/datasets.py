"""Datasets, their versions (content-addressed data files), columns and PII flags."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from governance.kernel.accounts.models import Team
from governance.kernel.jobs.models import TrackedJob
from governance.kernel.permissions import team_scoped_queryset
from registry.models.blobs import Blob


class Dataset(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="datasets")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    origin = models.TextField(blank=True, help_text="Where the data comes from.")
    collection_method = models.TextField(blank=True)
    labelling = models.TextField(blank=True)
    cleaning = models.TextField(blank=True)
    licence = models.CharField(max_length=200, blank=True)
    legal_basis = models.CharField(max_length=200, blank=True, help_text="GDPR Art. 6 basis.")
    retention = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = team_scoped_queryset("team").as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="uniq_dataset_name_per_team")
        ]

    def __str__(self) -> str:
        return self.name


class ProfileStatus(models.TextChoices):
    PENDING = "pending", gettext_noop("Pending")
    READY = "ready", gettext_noop("Ready")
    FAILED = "failed", gettext_noop("Failed")
    # Known by name and digest only (e.g. an MLflow run's logged input): no file is held, so
    # there is nothing to profile, scan or check.
    REFERENCE = "reference", gettext_noop("Reference only")


class DatasetVersion(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=64)
    description = models.TextField(blank=True)
    # Empty for a reference (profile_status "reference"): the data stays where source_uri says.
    blob = models.ForeignKey(
        Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="dataset_versions"
    )
    data_format = models.CharField(max_length=16, blank=True)
    source_uri = models.CharField(max_length=2000, blank=True)
    source_digest = models.CharField(max_length=128, blank=True)
    source_type = models.CharField(max_length=64, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    row_count = models.BigIntegerField(null=True, blank=True)
    profile_status = models.CharField(
        max_length=16, choices=ProfileStatus.choices, default=ProfileStatus.PENDING
    )
    profile_error = models.TextField(blank=True)
    profile_error_code = models.CharField(max_length=64, blank=True)
    # How the file was read, so a person can check it: the detected text encoding (CSV and
    # JSON Lines), the worksheet (Excel), and warnings such as renamed duplicate headers.
    encoding = models.CharField(max_length=32, blank=True)
    sheet = models.CharField(max_length=255, blank=True)
    profile_warnings = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    history = HistoricalRecords()

    objects = team_scoped_queryset("dataset__team").as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "version"], name="uniq_version_per_dataset")
        ]

    def __str__(self) -> str:
        return f"{self.dataset.name} {self.version}"

    @property
    def is_reference(self) -> bool:
        return self.blob_id is None


class ColumnRole(models.TextChoices):
    FEATURE = "feature", gettext_noop("Feature")
    TARGET = "target", gettext_noop("Target")
    PREDICTION = "prediction", gettext_noop("Prediction")
    SCORE = "score", gettext_noop("Score")
    IDENTIFIER = "identifier", gettext_noop("Identifier")
    IGNORED = "ignored", gettext_noop("Ignored")


class Column(models.Model):
    dataset_version = models.ForeignKey(
        DatasetVersion, on_delete=models.CASCADE, related_name="columns"
    )
    name = models.CharField(max_length=300)
    position = models.PositiveIntegerField()
    dtype = models.CharField(max_length=32)
    statistics = models.JSONField(default=dict, blank=True)
    role = models.CharField(max_length=16, choices=ColumnRole.choices, default=ColumnRole.FEATURE)
    is_sensitive = models.BooleanField(default=False)
    sensitive_suggestion = models.CharField(
        max_length=32, blank=True, help_text="Protected attribute this column likely holds."
    )
    history = HistoricalRecords()

    objects = team_scoped_queryset(
        "dataset_version__dataset__team",
        writer_roles=("data_scientist",),
        # Compliance officers judge personal data across every team.
        cross_team_writer_roles=("admin", "compliance_officer"),
    ).as_manager()

    class Meta:
        ordering = ["dataset_version_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset_version", "name"], name="uniq_column_per_dataset_version"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PIIStatus(models.TextChoices):
    SUSPECTED = "suspected", gettext_noop("Suspected")
    CONFIRMED = "confirmed", gettext_noop("Confirmed")
    DISMISSED = "dismissed", gettext_noop("Dismissed")


# GDPR Art. 9 special categories; the rest are direct identifiers.
SPECIAL_CATEGORIES = frozenset(
    {
        "racial_ethnic_origin",
        "religion",
        "health",
        "sex_life_orientation",
        "political_opinion",
        "union_membership",
        "biometric",
        "genetic",
    }
)


class PIIFlag(models.Model):
    column = models.ForeignKey(Column, on_delete=models.CASCADE, related_name="pii_flags")
    category = models.CharField(max_length=40)
    detector = models.CharField(max_length=60)
    confidence = models.FloatField()
    evidence = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=16, choices=PIIStatus.choices, default=PIIStatus.SUSPECTED, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = team_scoped_queryset(
        "column__dataset_version__dataset__team",
        writer_roles=("data_scientist",),
        cross_team_writer_roles=("admin", "compliance_officer"),
    ).as_manager()

    class Meta:
        ordering = ["column_id", "category"]
        constraints = [
            models.UniqueConstraint(fields=["column", "category"], name="uniq_flag_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.column.name}: {self.category} ({self.status})"

    @property
    def category_label(self) -> str:
        return self.category.replace("_", " ").capitalize()

    @property
    def is_special_category(self) -> bool:
        return self.category in SPECIAL_CATEGORIES


class ProfilingJob(TrackedJob):
    """Schema, statistics and PII scan of one dataset version, run in a worker for big files."""

    task_name = "analysis.profile_dataset_version"

    dataset_version = models.ForeignKey(
        DatasetVersion, on_delete=models.CASCADE, related_name="profiling_jobs"
    )
    parameters = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-queued_at"]

    def __str__(self) -> str:
        return f"profiling of {self.dataset_version_id} ({self.status})"
