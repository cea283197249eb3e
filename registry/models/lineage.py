"""Typed lineage edges between dataset versions and model versions.

An edge points from an upstream node to a downstream node: ``trained_on`` goes from the
dataset version (upstream) to the model version trained on it (downstream).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from registry.models.datasets import DatasetVersion
from registry.models.models import ModelVersion


class EdgeKind(models.TextChoices):
    TRAINED_ON = "trained_on", gettext_noop("trained on")
    VALIDATED_ON = "validated_on", gettext_noop("validated on")
    TESTED_ON = "tested_on", gettext_noop("tested on")
    DERIVED_FROM = "derived_from", gettext_noop("derived from")
    FINE_TUNED_FROM = "fine_tuned_from", gettext_noop("fine-tuned from")
    # An LLM application's retrieval corpus: the data its answers are written from.
    RETRIEVES_FROM = "retrieves_from", gettext_noop("retrieves from")
    # An LLM application's foundation model, registered as an external service version.
    BUILT_ON = "built_on", gettext_noop("built on")


# (upstream kind, downstream kind) pairs each edge kind allows; "d" dataset, "m" model version.
ALLOWED_ENDPOINTS: dict[str, set[tuple[str, str]]] = {
    EdgeKind.TRAINED_ON: {("d", "m")},
    EdgeKind.VALIDATED_ON: {("d", "m")},
    EdgeKind.TESTED_ON: {("d", "m")},
    EdgeKind.DERIVED_FROM: {("d", "d"), ("m", "d"), ("m", "m")},
    EdgeKind.FINE_TUNED_FROM: {("m", "m")},
    EdgeKind.RETRIEVES_FROM: {("d", "m")},
    EdgeKind.BUILT_ON: {("m", "m")},
}


class LineageEdge(models.Model):
    kind = models.CharField(max_length=20, choices=EdgeKind.choices)
    upstream_dataset_version = models.ForeignKey(
        DatasetVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="downstream_edges",
    )
    upstream_model_version = models.ForeignKey(
        ModelVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="downstream_edges",
    )
    downstream_dataset_version = models.ForeignKey(
        DatasetVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="upstream_edges",
    )
    downstream_model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="upstream_edges"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(upstream_dataset_version__isnull=False, upstream_model_version__isnull=True)
                    | Q(upstream_dataset_version__isnull=True, upstream_model_version__isnull=False)
                ),
                name="lineage_one_upstream",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        downstream_dataset_version__isnull=False,
                        downstream_model_version__isnull=True,
                    )
                    | Q(
                        downstream_dataset_version__isnull=True,
                        downstream_model_version__isnull=False,
                    )
                ),
                name="lineage_one_downstream",
            ),
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "upstream_dataset_version",
                    "upstream_model_version",
                    "downstream_dataset_version",
                    "downstream_model_version",
                ],
                name="uniq_lineage_edge",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.downstream} {self.get_kind_display()} {self.upstream}"

    @property
    def upstream(self):
        return self.upstream_dataset_version or self.upstream_model_version

    @property
    def downstream(self):
        return self.downstream_dataset_version or self.downstream_model_version

    @property
    def upstream_node(self) -> tuple[str, int]:
        if self.upstream_dataset_version_id:
            return ("d", self.upstream_dataset_version_id)
        return ("m", self.upstream_model_version_id)

    @property
    def downstream_node(self) -> tuple[str, int]:
        if self.downstream_dataset_version_id:
            return ("d", self.downstream_dataset_version_id)
        return ("m", self.downstream_model_version_id)
