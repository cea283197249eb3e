"""Reports: immutable PDFs with the snapshot they were rendered from.

A report row keeps the PDF (content-addressed), its SHA-256, the template version, the input
snapshot (JSON of everything the report used), who asked and when, and how long it must be
kept (AI_ACT.md section 6). Once generated nothing on it changes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.kernel.jobs.models import TrackedJob


class ReportKind(models.TextChoices):
    ANNEX_IV = "annex_iv", _("Technical documentation (Annex IV)")
    MODEL_CARD = "model_card", _("Model card")
    # Art. 53(1)(a) and (b): for general-purpose AI models the organisation provides.
    ANNEX_XI = "annex_xi", _("GPAI technical documentation (Annex XI)")
    ANNEX_XII = "annex_xii", _("Information for downstream providers (Annex XII)")
    AUDIT = "audit", _("Audit report")
    INVENTORY = "inventory", _("Inventory register")


# What may be changed on a finished report: nothing but the job bookkeeping of its own run.
FROZEN_FIELDS = (
    "kind",
    "language",
    "model_version_id",
    "audit_run_id",
    "file_id",
    "sha256",
    "snapshot",
    "snapshot_sha256",
    "server_signature",
    "signing_key_id",
    "template_version",
    "requested_by_id",
    "retention_until",
)


class Report(TrackedJob):
    task_name = "analysis.render_report"
    kind = models.CharField(max_length=16, choices=ReportKind.choices, db_index=True)
    # The language the report is written in, chosen when it is requested; kept in its snapshot
    # too, so a re-render from the snapshot is in the same language.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    model_version = models.ForeignKey(
        "registry.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    audit_run = models.ForeignKey(
        "audits.AuditRun", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    file = models.ForeignKey(
        "registry.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.BigIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    template_version = models.CharField(max_length=32, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    snapshot_sha256 = models.CharField(max_length=64, blank=True)
    # The server key's Ed25519 signature over the report record (PDF hash, input hash, ...).
    server_signature = models.CharField(max_length=128, blank=True)
    signing_key_id = models.CharField(max_length=32, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    # None when the scheduler asked (a scheduled audit's report).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retention_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["model_version", "kind", "-queued_at"])]

    def __str__(self) -> str:
        target = self.model_version or self.audit_run or "inventory"
        return f"{self.get_kind_display()} of {target} (#{self.pk})"

    def save(self, *args, **kwargs):
        if self.pk is not None and self.sha256:
            stored = type(self).objects.filter(pk=self.pk).values(*FROZEN_FIELDS).first()
            if stored and stored["sha256"]:
                changed = [f for f in FROZEN_FIELDS if stored[f] != getattr(self, f)]
                if changed:
                    raise ValueError(f"report {self.pk} is immutable; cannot change {changed}")
        super().save(*args, **kwargs)

    @property
    def document_control(self) -> dict | None:
        """Revision and DRAFT/FINAL of a model version report (None for other kinds and for
        reports made before document control existed)."""
        return (self.snapshot or {}).get("document_control")

    @property
    def filename(self) -> str:
        stem = {
            "annex_iv": "annex-iv",
            "model_card": "model-card",
            "annex_xi": "annex-xi",
            "annex_xii": "annex-xii",
            "audit": "audit-report",
            "inventory": "inventory",
        }[self.kind]
        return f"{stem}-{self.pk}-{self.sha256[:12]}.pdf"
