"""The EU declaration of conformity (Art. 47, Annex V) and Art. 6(3) derogation assessments.

A declaration is drafted from the record, then signed: the signature records the named
person who signs, their function, on whose behalf, the place and the date. A signed
declaration is never changed; a new declaration is drafted instead and the latest signed one
is the one in force. Derogation assessments are kept as written, one row per assessment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from governance.obligations.access import obligation_queryset

# Annex V points the provider fills in; the rest (3, 4, 5) are fixed statements of the PDF.
DECLARATION_ELEMENTS = [
    ("provider_name", gettext_noop("Name and type of the provider"), "Annex V(1)"),
    (
        "provider_address",
        gettext_noop("Address of the provider or its authorised representative"),
        "Annex V(1)",
    ),
    (
        "system_reference",
        gettext_noop("AI system name, type and unambiguous reference"),
        "Annex V(2)",
    ),
    ("other_union_law", gettext_noop("Other Union law the system conforms with"), "Annex V(4)"),
    (
        "standards",
        gettext_noop("Harmonised standards or common specifications applied"),
        "Annex V(6)",
    ),
    ("notified_body", gettext_noop("Notified body, procedure and certificate"), "Annex V(7)"),
]
# What must be written before a declaration can be signed (points 6 and 7 may say "none").
REQUIRED_TO_SIGN = ("provider_name", "provider_address", "system_reference")


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("Draft")
    SIGNED = "signed", gettext_noop("Signed")


class Declaration(models.Model):
    system = models.ForeignKey(
        "registry.AISystem", on_delete=models.PROTECT, related_name="declarations"
    )
    model_version = models.ForeignKey(
        "registry.ModelVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveIntegerField()
    provider_name = models.CharField(max_length=300, blank=True)
    provider_address = models.TextField(blank=True)
    system_reference = models.TextField(blank=True)
    other_union_law = models.TextField(blank=True)
    processes_personal_data = models.BooleanField(default=False)
    standards = models.TextField(blank=True)
    notified_body = models.TextField(blank=True)
    status = models.CharField(
        max_length=8, choices=DeclarationStatus.choices, default=DeclarationStatus.DRAFT
    )
    signatory_name = models.CharField(max_length=200, blank=True)
    signatory_function = models.CharField(max_length=200, blank=True)
    on_behalf_of = models.CharField(max_length=300, blank=True)
    place_of_issue = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = obligation_queryset("system__team").as_manager()

    class Meta:
        ordering = ["system_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["system", "number"], name="uniq_declaration_number")
        ]

    def __str__(self) -> str:
        return f"EU declaration of conformity {self.number} of {self.system}"

    def missing(self) -> list[str]:
        labels = {f: label for f, label, _ in DECLARATION_ELEMENTS}
        return [labels[f] for f in REQUIRED_TO_SIGN if not getattr(self, f).strip()]


class DerogationCondition(models.TextChoices):
    NARROW_PROCEDURAL = "a", gettext_noop("(a) performs a narrow procedural task")
    IMPROVES_HUMAN_RESULT = (
        "b",
        gettext_noop("(b) improves the result of a previously completed human activity"),
    )
    DETECTS_PATTERNS = (
        "c",
        gettext_noop(
            "(c) detects decision-making patterns or deviations from prior patterns, without "
            "replacing or influencing the completed human assessment without proper human review"
        ),
    )
    PREPARATORY = (
        "d",
        gettext_noop("(d) performs a preparatory task to an assessment relevant to Annex III"),
    )


class Derogation(models.Model):
    """One Art. 6(3) assessment of an Annex III system: the conditions met, whether it
    profiles natural persons, the reasoning, and the conclusion drawn from them."""

    system = models.ForeignKey(
        "registry.AISystem", on_delete=models.PROTECT, related_name="derogations"
    )
    annex_iii_area = models.CharField(max_length=200)
    conditions = models.JSONField(default=list)
    profiling = models.BooleanField(default=False)
    significant_risk = models.BooleanField(default=False)
    reasoning = models.TextField()
    applies = models.BooleanField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = obligation_queryset("system__team").as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Art. 6(3) assessment of {self.system} (#{self.pk})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Derogation assessments are kept as written; record a new one")
        super().save(*args, **kwargs)

    @property
    def condition_labels(self) -> list[str]:
        labels = dict(DerogationCondition.choices)
        return [labels.get(c, c) for c in self.conditions]
