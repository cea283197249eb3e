"""Django admin for the governance domain. Edits go through the services (so they are
audited exactly like API edits); records that are evidence are read-only here."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from governance.kernel.admin import AuditedAdmin, ReadOnlyAdmin
from governance.kernel.audit.services import audit_event_record
from governance.policy.classification.models import (
    QuestionnaireOption,
    QuestionnaireQuestion,
    RiskClassification,
)
from governance.policy.deployments.models import Deployment


class OptionInline(admin.TabularInline):
    model = QuestionnaireOption
    extra = 0


@admin.register(QuestionnaireQuestion)
class QuestionAdmin(AuditedAdmin):
    list_display = ["position", "step", "key", "article", "multiple", "active"]
    list_editable: list = []
    inlines = [OptionInline]

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            changed = [f.instance.value for fs in formsets for f in fs.forms if f.has_changed()]
            if changed:
                audit_event_record(
                    actor=request.user,
                    action="questionnaireoption.updated",
                    target=form.instance,
                    payload={"options": changed},
                )


for model in (RiskClassification, Deployment):
    admin.site.register(model, ReadOnlyAdmin)
