"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.kernel.audit.api import (
    AuditEventExportView,
    AuditEventListView,
    AuditEventVerifyView,
    AuditTrailBundleView,
)
from governance.kernel.audit.views import audit_trail, audit_trail_verify, audit_trail_verify_status

urlpatterns = [
    path("audit-trail/", audit_trail, name="audit-trail"),
    path("audit-trail/verify/", audit_trail_verify, name="audit-trail-verify"),
    path(
        "audit-trail/verify/<int:pk>/",
        audit_trail_verify_status,
        name="audit-trail-verify-status",
    ),
]

api_urlpatterns = [
    path("audit-events/", AuditEventListView.as_view(), name="api-audit-events"),
    path("audit-events/export/", AuditEventExportView.as_view(), name="api-audit-events-export"),
    path("audit-events/verify/", AuditEventVerifyView.as_view(), name="api-audit-events-verify"),
    path("audit-events/bundle/", AuditTrailBundleView.as_view(), name="api-audit-events-bundle"),
]
