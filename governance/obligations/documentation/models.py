"""Numbered revisions of a system's human-written documentation (Annex IV document control).

The current text lives on the AI system (registry); each edit, from the page or the API,
adds a revision holding the whole documentation as it stood after the edit, so any two
revisions can be compared and the document carries a revision number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from governance.obligations.access import obligation_queryset


class DocumentationRevision(models.Model):
    # A system may only be deleted while it has no models (a draft); its drafts' revisions go
    # with it, and the audit trail still holds every edit.
    system = models.ForeignKey(
        "registry.AISystem", on_delete=models.CASCADE, related_name="documentation_revisions"
    )
    number = models.PositiveIntegerField()
    sections = models.JSONField(default=dict)
    changed_fields = models.JSONField(default=list)
    note = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = obligation_queryset("system__team").as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["system", "number"], name="uniq_doc_revision_number")
        ]

    def __str__(self) -> str:
        return f"documentation of {self.system} rev. {self.number}"
