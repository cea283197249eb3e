"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from audits.runs.api import (
    CheckChartView,
    CheckRunDetailView,
    CheckRunReproduceView,
    CheckRunsOfVersionView,
    FindingAcceptRiskView,
    FindingAssignView,
    FindingDetailView,
    FindingFalsePositiveView,
    FindingListView,
    FindingResolveView,
    FindingStartView,
    OperationalMetricsView,
)
from audits.runs.findings_views import (
    finding_act_view,
    finding_resolve_view,
    findings_export,
    findings_page,
)
from audits.runs.views import (
    check_run_page,
    check_run_reproduce_view,
    check_run_row,
    check_run_start,
)

urlpatterns = [
    path("model-versions/<int:pk>/checks/run/", check_run_start, name="check-run-start"),
    path("checks/<int:pk>/row/", check_run_row, name="check-run-row"),
    path("checks/<int:pk>/", check_run_page, name="check-run"),
    path("checks/<int:pk>/reproduce/", check_run_reproduce_view, name="check-run-reproduce"),
    path("findings/", findings_page, name="findings"),
    path("findings/export.csv", findings_export, {"fmt": "csv"}, name="findings-export-csv"),
    path("findings/export.xlsx", findings_export, {"fmt": "xlsx"}, name="findings-export-xlsx"),
    path("findings/<int:pk>/resolve/", finding_resolve_view, name="finding-resolve"),
    path("findings/<int:pk>/act/", finding_act_view, name="finding-act"),
]

api_urlpatterns = [
    path(
        "model-versions/<int:pk>/checks/",
        CheckRunsOfVersionView.as_view(),
        name="api-model-version-checks",
    ),
    path(
        "model-versions/<int:pk>/metrics/",
        OperationalMetricsView.as_view(),
        name="api-model-version-metrics",
    ),
    path("checks/<int:pk>/", CheckRunDetailView.as_view(), name="api-check-detail"),
    path(
        "checks/<int:pk>/reproduce/",
        CheckRunReproduceView.as_view(),
        name="api-check-reproduce",
    ),
    path(
        "checks/<int:pk>/charts/<str:name>.png",
        CheckChartView.as_view(),
        name="api-check-chart",
    ),
    path("findings/", FindingListView.as_view(), name="api-findings"),
    path("findings/<int:pk>/", FindingDetailView.as_view(), name="api-finding-detail"),
    path(
        "findings/<int:pk>/resolve/",
        FindingResolveView.as_view(),
        name="api-finding-resolve",
    ),
    path("findings/<int:pk>/start/", FindingStartView.as_view(), name="api-finding-start"),
    path(
        "findings/<int:pk>/accept-risk/",
        FindingAcceptRiskView.as_view(),
        name="api-finding-accept-risk",
    ),
    path(
        "findings/<int:pk>/false-positive/",
        FindingFalsePositiveView.as_view(),
        name="api-finding-false-positive",
    ),
    path("findings/<int:pk>/assign/", FindingAssignView.as_view(), name="api-finding-assign"),
]
