"""The AI Act risk questionnaire (data an admin can amend) and immutable classification records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from governance.policy.classification.rules import EFFECTS


class RiskTier(models.TextChoices):
    PROHIBITED = "prohibited", gettext_noop("Prohibited (Art. 5)")
    HIGH_RISK = "high_risk", gettext_noop("High risk (Art. 6)")
    LIMITED = "limited", gettext_noop("Limited risk (Art. 50)")
    MINIMAL = "minimal", gettext_noop("Minimal risk")
    NOT_HIGH_RISK_6_3 = "not_high_risk_6_3", gettext_noop("Not high risk (Art. 6(3) derogation)")
    OUT_OF_SCOPE = "out_of_scope", gettext_noop("Out of scope (Art. 2, 3(1))")


class QuestionnaireQuestion(models.Model):
    """One question of AI_ACT.md section 1. Questions are asked in ``position`` order."""

    key = models.SlugField(max_length=64, unique=True)
    step = models.CharField(max_length=8, help_text="Step of the procedure, e.g. Q4.")
    position = models.PositiveIntegerField()
    text = models.TextField()
    help_text = models.TextField(blank=True)
    article = models.CharField(max_length=120, blank=True)
    multiple = models.BooleanField(default=False, help_text="Several options may be chosen.")
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.step} {self.key}"


class QuestionnaireOption(models.Model):
    question = models.ForeignKey(
        QuestionnaireQuestion, on_delete=models.CASCADE, related_name="options"
    )
    value = models.SlugField(max_length=64)
    label = models.CharField(max_length=300)
    article = models.CharField(max_length=120, blank=True)
    effect = models.CharField(
        max_length=32,
        blank=True,
        choices=[(e, e or "none") for e in EFFECTS],
        help_text="What choosing this option does to the tier (see classification_rules).",
    )
    effect_value = models.CharField(
        max_length=32, blank=True, help_text="e.g. the Annex III point '5(b)' or '50(1)'."
    )
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["question_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="uniq_option_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question.key}={self.value}"


class RiskClassification(models.Model):
    """One answer set and its outcome. Never changed: a new answer set is a new row that
    supersedes the previous one, so the record shows how the assessment evolved."""

    system = models.ForeignKey(
        "registry.AISystem", on_delete=models.PROTECT, related_name="classifications"
    )
    tier = models.CharField(max_length=24, choices=RiskTier.choices, db_index=True)
    role = models.CharField(max_length=64, blank=True, help_text="Provider or deployer.")
    annex_i = models.BooleanField(default=False)
    annex_iii_area = models.CharField(max_length=120, blank=True)
    transparency_flags = models.JSONField(default=list, blank=True)
    gpai = models.BooleanField(default=False)
    gpai_systemic = models.BooleanField(default=False)
    rationale = models.JSONField(default=list)
    answers = models.JSONField(default=dict)
    notes = models.TextField(blank=True)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.system_id}: {self.tier} (#{self.pk})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Risk classifications are immutable; record a new one")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Risk classifications are immutable")
