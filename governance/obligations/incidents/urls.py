"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.obligations.incidents.api import (
    FindingProposeIncidentView,
    IncidentDetailView,
    IncidentFollowUpView,
    IncidentReportedView,
    SystemIncidentListView,
)
from governance.obligations.incidents.views import (
    incident_action,
    incident_page,
    incident_propose,
    system_incidents,
)

urlpatterns = [
    path("systems/<int:pk>/incidents/", system_incidents, name="system-incidents"),
    path("incidents/<int:pk>/", incident_page, name="incident"),
    # One route per action, so every URL is concrete (the security suite walks them all).
    path(
        "incidents/<int:pk>/reported/",
        incident_action,
        {"action": "reported"},
        name="incident-reported",
    ),
    path(
        "incidents/<int:pk>/follow-up/",
        incident_action,
        {"action": "follow-up"},
        name="incident-follow-up",
    ),
    path("incidents/<int:pk>/close/", incident_action, {"action": "close"}, name="incident-close"),
    path("findings/<int:pk>/propose-incident/", incident_propose, name="incident-propose"),
]

api_urlpatterns = [
    path(
        "systems/<int:pk>/incidents/",
        SystemIncidentListView.as_view(),
        name="api-system-incidents",
    ),
    path("incidents/<int:pk>/", IncidentDetailView.as_view(), name="api-incident-detail"),
    path(
        "incidents/<int:pk>/reported/", IncidentReportedView.as_view(), name="api-incident-reported"
    ),
    path(
        "incidents/<int:pk>/follow-ups/",
        IncidentFollowUpView.as_view(),
        name="api-incident-follow-ups",
    ),
    path(
        "findings/<int:pk>/propose-incident/",
        FindingProposeIncidentView.as_view(),
        name="api-finding-propose-incident",
    ),
]
