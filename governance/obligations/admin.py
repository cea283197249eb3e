"""The AI Act records in the Django admin: read-only, because every change must go through
a service that writes its audit event (the pages and the API do)."""

from __future__ import annotations

from django.contrib import admin

from governance.kernel.admin import ReadOnlyAdmin
from governance.obligations.conformity.models import Declaration, Derogation
from governance.obligations.crosswalks.models import Applicability, Control
from governance.obligations.documentation.models import DocumentationRevision
from governance.obligations.fria.models import FriaRevision
from governance.obligations.incidents.models import Incident
from governance.obligations.monitoring.models import MonitoringPlan
from governance.obligations.risks.models import Risk

# The kernel's ReadOnlyAdmin also refuses simple-history's "revert" form, which would otherwise
# save a historical row with only view permission.
for model in (
    Applicability,
    Control,
    Declaration,
    Derogation,
    DocumentationRevision,
    FriaRevision,
    Incident,
    MonitoringPlan,
    Risk,
):
    admin.site.register(model, ReadOnlyAdmin)
