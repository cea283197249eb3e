"""AI systems: the use case the AI Act classifies, and the human-written documentation of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from governance.kernel.accounts.models import Team
from governance.kernel.permissions import team_scoped_queryset

# Sections of the technical documentation that a person writes (AI_ACT.md section 5). Empty
# ones print as "not provided" in reports, so they stay separate fields, never one blob.
DOCUMENTATION_FIELDS = [
    ("intended_purpose", gettext_noop("Intended purpose")),
    ("design_choices", gettext_noop("Design choices and their rationale")),
    ("architecture", gettext_noop("System architecture")),
    ("data_provenance", gettext_noop("Data provenance and preparation")),
    ("accuracy_robustness", gettext_noop("Accuracy and robustness")),
    ("deployment_context", gettext_noop("Deployment context")),
    ("provider_name", gettext_noop("Provider")),
    ("interactions", gettext_noop("Interactions with other systems")),
    ("distribution_forms", gettext_noop("Forms of distribution")),
    ("hardware", gettext_noop("Hardware")),
    ("user_interface", gettext_noop("User interface")),
    ("instructions_for_use", gettext_noop("Instructions for use")),
    ("human_oversight", gettext_noop("Human oversight measures")),
    ("risk_management", gettext_noop("Risk management")),
    ("standards_applied", gettext_noop("Standards applied")),
    ("post_market_plan", gettext_noop("Post-market monitoring plan")),
    ("declaration_of_conformity", gettext_noop("EU declaration of conformity")),
    ("cybersecurity_measures", gettext_noop("Cybersecurity measures")),
    ("transparency_notice", gettext_noop("Transparency notice (Art. 50)")),
]

SystemQuerySet = team_scoped_queryset("team")


class AISystem(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="systems")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    intended_purpose = models.TextField(blank=True)
    deployment_context = models.TextField(blank=True)
    provider_name = models.CharField(max_length=200, blank=True)
    interactions = models.TextField(blank=True)
    distribution_forms = models.TextField(blank=True)
    hardware = models.TextField(blank=True)
    user_interface = models.TextField(blank=True)
    instructions_for_use = models.TextField(blank=True)
    human_oversight = models.TextField(blank=True)
    risk_management = models.TextField(blank=True)
    standards_applied = models.TextField(blank=True)
    post_market_plan = models.TextField(blank=True)
    declaration_of_conformity = models.TextField(blank=True)
    cybersecurity_measures = models.TextField(blank=True)
    transparency_notice = models.TextField(blank=True)
    design_choices = models.TextField(blank=True)
    architecture = models.TextField(blank=True)
    data_provenance = models.TextField(blank=True)
    accuracy_robustness = models.TextField(blank=True)
    # Art. 14 asks for measures, each with who applies it, when and how; a list of
    # {"measure", "who", "when", "how"} objects (the free text above stays the summary).
    human_oversight_measures = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = SystemQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="uniq_system_name_per_team")
        ]

    def __str__(self) -> str:
        return self.name
