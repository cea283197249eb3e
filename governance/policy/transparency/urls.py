"""Routes of this folder: the system's transparency page in ``urlpatterns``, REST endpoints
(under ``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.policy.transparency.api import SystemTransparencyView
from governance.policy.transparency.views import system_transparency

urlpatterns = [
    path("systems/<int:pk>/transparency/", system_transparency, name="system-transparency"),
]

api_urlpatterns = [
    path(
        "systems/<int:pk>/transparency/",
        SystemTransparencyView.as_view(),
        name="api-system-transparency",
    ),
]
