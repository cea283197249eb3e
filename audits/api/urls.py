from django.urls import path

from audits.api import views

urlpatterns = [
    path(
        "model-versions/<int:pk>/checks/",
        views.CheckRunsOfVersionView.as_view(),
        name="api-model-version-checks",
    ),
    path(
        "model-versions/<int:pk>/metrics/",
        views.OperationalMetricsView.as_view(),
        name="api-model-version-metrics",
    ),
    path("checks/<int:pk>/", views.CheckRunDetailView.as_view(), name="api-check-detail"),
    path(
        "checks/<int:pk>/charts/<str:name>.png",
        views.CheckChartView.as_view(),
        name="api-check-chart",
    ),
    path("findings/", views.FindingListView.as_view(), name="api-findings"),
    path("findings/<int:pk>/", views.FindingDetailView.as_view(), name="api-finding-detail"),
    path(
        "findings/<int:pk>/resolve/",
        views.FindingResolveView.as_view(),
        name="api-finding-resolve",
    ),
    path("schedules/", views.ScheduleListView.as_view(), name="api-schedules"),
    path("schedules/<int:pk>/", views.ScheduleDetailView.as_view(), name="api-schedule-detail"),
    path("audit-runs/", views.AuditRunListView.as_view(), name="api-audit-runs"),
    path("audit-runs/<int:pk>/", views.AuditRunDetailView.as_view(), name="api-audit-run-detail"),
]
