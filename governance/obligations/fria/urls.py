"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.obligations.fria.api import SystemFriaView
from governance.obligations.fria.views import system_fria

urlpatterns = [path("systems/<int:pk>/fria/", system_fria, name="system-fria")]

api_urlpatterns = [
    path("systems/<int:pk>/fria/", SystemFriaView.as_view(), name="api-system-fria"),
]
