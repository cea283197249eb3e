"""Check runs: one requested analysis of a model version on a dataset version.

Everything that decides the verdict (inputs, column roles, parameters, thresholds) is frozen
on the row when the run is requested, before any number is computed (AI Act Art. 9(8)), so a
reviewer can see the rules were not bent after the fact. The result is stored with the
SHA-256 of its canonical JSON; approvals bind to that hash.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from audits.checks.vocabulary import CHECK_KIND_CHOICES
from governance.kernel.jobs.models import TrackedJob
from governance.kernel.permissions import team_scoped_queryset

# The kinds come from the check vocabulary (defined once, below every layer).
# The kinds' labels (``audits.checks.vocabulary``, which imports no Django) are English message
# ids: the pages translate them where they show them.
CHECK_KIND_LABELS = (
    gettext_noop("Fairness"),
    gettext_noop("Explainability"),
    gettext_noop("Data quality"),
    gettext_noop("Performance"),
    gettext_noop("Drift"),
    gettext_noop("Generative (LLM outputs)"),
    gettext_noop("Operational"),
)
CheckKind = models.TextChoices(
    "CheckKind", [(value.upper(), (value, label)) for value, label in CHECK_KIND_CHOICES]
)

# Scientists run checks on their own teams' versions; compliance officers judge every team.
CheckRunQuerySet = team_scoped_queryset(
    "model_version__model__system__team",
    writer_roles=("data_scientist",),
    cross_team_writer_roles=("admin", "compliance_officer"),
)


class CheckRun(TrackedJob):
    task_name = "analysis.run_check"
    kind = models.CharField(max_length=20, choices=CheckKind.choices, db_index=True)
    model_version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.PROTECT, related_name="check_runs"
    )
    dataset_version = models.ForeignKey(
        "registry.DatasetVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="check_runs",
    )
    reference_dataset_version = models.ForeignKey(
        "registry.DatasetVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reference_check_runs",
    )
    champion_model_version = models.ForeignKey(
        "registry.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="champion_check_runs",
        help_text="The version in production when a performance check was requested.",
    )
    audit_run = models.ForeignKey(
        "audits.AuditRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="check_runs",
    )
    column_roles = models.JSONField(default=dict, blank=True)
    sensitive_columns = models.JSONField(default=list, blank=True)
    inputs = models.JSONField(
        default=dict, blank=True, help_text="Hashes of the artefact and data files used."
    )
    parameters = models.JSONField(default=dict, blank=True)
    thresholds = models.JSONField(default=dict, blank=True)
    thresholds_source = models.CharField(max_length=64, blank=True)
    library_versions = models.JSONField(default=dict, blank=True)
    seed = models.BigIntegerField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    result_sha256 = models.CharField(max_length=64, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    charts = models.JSONField(
        default=dict, blank=True, help_text="Chart name -> SHA-256 of its PNG in the blob store."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Whether the run may carry the version's evidence, decided when it is requested from the
    # frozen inputs (and decided again by every evaluation, against the policy and lineage of
    # that moment). None: recorded before the rule existed; the evaluation alone decides.
    exploratory = models.BooleanField(
        default=False,
        help_text="Asked for as exploratory: may use looser rules or other data; never evidence.",
    )
    counts_as_evidence = models.BooleanField(null=True, blank=True)
    evidence_note = models.TextField(blank=True, help_text="Why the run is (not) evidence.")
    evidence_relation = models.CharField(
        max_length=20,
        blank=True,
        help_text="How the data was linked to the version in lineage when the run was asked "
        "for (tested_on, validated_on, trained_on), or empty.",
    )
    reproduces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reproductions",
        help_text="The run this one re-computes from its stored inputs.",
    )
    reproduction = models.JSONField(
        default=dict,
        blank=True,
        help_text="A reproduction's outcome: reproduced or differs, and what differs.",
    )

    objects = CheckRunQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["model_version", "kind", "-finished_at"])]

    def __str__(self) -> str:
        return f"{self.kind} check #{self.pk} ({self.status})"
