"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.obligations.monitoring.api import MonitoringPlanView
from governance.obligations.monitoring.views import monitoring_plan_page

urlpatterns = [
    path("systems/<int:pk>/monitoring-plan/", monitoring_plan_page, name="system-monitoring"),
]

api_urlpatterns = [
    path(
        "systems/<int:pk>/monitoring-plan/",
        MonitoringPlanView.as_view(),
        name="api-system-monitoring-plan",
    ),
]
