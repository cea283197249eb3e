"""Fundamental rights impact assessments (Art. 27): what a deployer assesses before putting a
high-risk system into use. Each save is a new numbered revision, kept with its author and
time, so the record shows how the assessment changed; the latest revision is the current one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from governance.obligations.access import obligation_queryset

# The elements Art. 27(1) asks for, in the article's order: (field, label, point, guidance).
FRIA_ELEMENTS = [
    (
        "deployer_processes",
        gettext_noop("The deployer's processes in which the system is used"),
        "Art. 27(1)(a)",
        gettext_noop(
            "Which decisions or tasks the system takes part in, in line with its intended purpose."
        ),
    ),
    (
        "period_and_frequency",
        gettext_noop("Period and frequency of use"),
        "Art. 27(1)(b)",
        gettext_noop(
            "From when to when the system is used, and how often (per day, per case, ...)."
        ),
    ),
    (
        "affected_persons",
        gettext_noop("Categories of natural persons and groups likely to be affected"),
        "Art. 27(1)(c)",
        gettext_noop("Who the output is about or who it reaches in this specific use."),
    ),
    (
        "specific_risks",
        gettext_noop("Specific risks of harm to those persons or groups"),
        "Art. 27(1)(d)",
        gettext_noop("Taking into account the provider's information under Art. 13."),
    ),
    (
        "human_oversight",
        gettext_noop("Human oversight measures"),
        "Art. 27(1)(e)",
        gettext_noop("How oversight is carried out according to the instructions for use."),
    ),
    (
        "mitigation_measures",
        gettext_noop("Measures to be taken if the risks materialise"),
        "Art. 27(1)(f)",
        gettext_noop("What is done, by whom, when a risk above happens."),
    ),
    (
        "governance_complaints",
        gettext_noop("Internal governance and complaint mechanisms"),
        "Art. 27(1)(f)",
        gettext_noop("Who decides, and how affected persons can complain and obtain redress."),
    ),
]
FRIA_FIELDS = [name for name, *_ in FRIA_ELEMENTS]


class FriaRevision(models.Model):
    system = models.ForeignKey(
        "registry.AISystem", on_delete=models.PROTECT, related_name="fria_revisions"
    )
    number = models.PositiveIntegerField()
    deployer_processes = models.TextField(blank=True)
    period_and_frequency = models.TextField(blank=True)
    affected_persons = models.TextField(blank=True)
    specific_risks = models.TextField(blank=True)
    # Keys of the fundamental rights of risks/scales.json that the risks above touch.
    rights_at_stake = models.JSONField(default=list, blank=True)
    human_oversight = models.TextField(blank=True)
    mitigation_measures = models.TextField(blank=True)
    governance_complaints = models.TextField(blank=True)
    note = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = obligation_queryset("system__team").as_manager()

    class Meta:
        ordering = ["system_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["system", "number"], name="uniq_fria_revision")
        ]

    def __str__(self) -> str:
        return f"FRIA of {self.system} (revision {self.number})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("FRIA revisions are kept as written; save a new revision")
        super().save(*args, **kwargs)

    def elements(self) -> list[dict]:
        return [
            {"field": f, "label": label, "point": point, "text": getattr(self, f)}
            for f, label, point, _ in FRIA_ELEMENTS
        ]

    def missing(self) -> list[str]:
        """Labels of the elements left blank."""
        return [label for f, label, *_ in FRIA_ELEMENTS if not getattr(self, f).strip()]
