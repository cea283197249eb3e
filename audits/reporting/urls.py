"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from audits.reporting.api import (
    EvidencePackView,
    ModelVersionReportsView,
    ReportDetailView,
    ReportDownloadView,
    ReportListView,
    ReportVerifyView,
)
from audits.reporting.views import report_file, report_generate, report_list, report_status

urlpatterns = [
    path("reports/", report_list, name="reports"),
    path("reports/generate/", report_generate, name="report-generate"),
    path("reports/<int:pk>/status/", report_status, name="report-status"),
    path("reports/<int:pk>/pdf/", report_file, {"what": "pdf"}, name="report-pdf"),
    path(
        "reports/<int:pk>/evidence-pack/",
        report_file,
        {"what": "evidence_pack"},
        name="report-evidence-pack",
    ),
]

api_urlpatterns = [
    path(
        "model-versions/<int:pk>/reports/",
        ModelVersionReportsView.as_view(),
        name="api-model-version-reports",
    ),
    path("reports/", ReportListView.as_view(), name="api-reports"),
    path("reports/<int:pk>/", ReportDetailView.as_view(), name="api-report-detail"),
    path("reports/<int:pk>/download/", ReportDownloadView.as_view(), name="api-report-download"),
    path(
        "reports/<int:pk>/evidence-pack/",
        EvidencePackView.as_view(),
        name="api-report-evidence-pack",
    ),
    path("reports/<int:pk>/verify/", ReportVerifyView.as_view(), name="api-report-verify"),
]
