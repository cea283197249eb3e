"""Standards crosswalks: the controls of ISO/IEC 42001 Annex A and the subcategories of the
NIST AI RMF, each naming the kinds of registry records that evidence it (loaded from
``controls.json`` by a data migration), and per system the compliance officer's statement of
whether a control applies and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from governance.obligations.access import obligation_queryset


class Framework(models.TextChoices):
    ISO_42001 = "iso42001", "ISO/IEC 42001:2023 Annex A"
    NIST_AI_RMF = "nist_ai_rmf", "NIST AI RMF 1.0"


class Control(models.Model):
    framework = models.CharField(max_length=16, choices=Framework.choices)
    ref = models.CharField(max_length=24, help_text="The standard's identifier: A.6.2.4, MAP 1.1")
    group = models.CharField(max_length=16)
    group_title = models.CharField(max_length=200)
    title = models.CharField(max_length=300, help_text="Our own short paraphrase")
    # Evidence keys of coverage.py, in the order they are shown.
    evidence = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "ref"], name="uniq_control_ref")
        ]

    def __str__(self) -> str:
        return f"{self.get_framework_display()} {self.ref}"


class Applicability(models.Model):
    """Whether a control applies to a system, with the justification (Statement of
    Applicability). Without a row a control is taken to apply."""

    system = models.ForeignKey(
        "registry.AISystem", on_delete=models.PROTECT, related_name="control_applicability"
    )
    control = models.ForeignKey(Control, on_delete=models.PROTECT, related_name="+")
    applicable = models.BooleanField(default=True)
    justification = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    history = HistoricalRecords()

    objects = obligation_queryset("system__team").as_manager()

    class Meta:
        verbose_name_plural = "applicability statements"
        ordering = ["system_id", "control_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "control"], name="uniq_applicability_per_control"
            )
        ]

    def __str__(self) -> str:
        state = "applies" if self.applicable else "excluded"
        return f"{self.control} {state} for {self.system}"
