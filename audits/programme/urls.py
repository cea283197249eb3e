"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from audits.programme.api import (
    AuditRunDetailView,
    AuditRunListView,
    ScheduleDetailView,
    ScheduleListView,
)
from audits.programme.views import audit_run_page, audit_run_start, audit_run_status, audits_page

urlpatterns = [
    path("audits/", audits_page, name="audits"),
    path("audits/start/", audit_run_start, name="audit-run-start"),
    path("audits/runs/<int:pk>/", audit_run_page, name="audit-run"),
    path("audits/runs/<int:pk>/status/", audit_run_status, name="audit-run-status"),
]

api_urlpatterns = [
    path("schedules/", ScheduleListView.as_view(), name="api-schedules"),
    path("schedules/<int:pk>/", ScheduleDetailView.as_view(), name="api-schedule-detail"),
    path("audit-runs/", AuditRunListView.as_view(), name="api-audit-runs"),
    path("audit-runs/<int:pk>/", AuditRunDetailView.as_view(), name="api-audit-run-detail"),
]
