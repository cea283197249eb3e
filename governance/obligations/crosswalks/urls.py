"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.obligations.crosswalks.api import ApplicabilityView, SystemCrosswalkView
from governance.obligations.crosswalks.views import applicability_record, system_crosswalks

urlpatterns = [
    path("systems/<int:pk>/crosswalks/", system_crosswalks, name="system-crosswalks"),
    path(
        "systems/<int:pk>/crosswalks/applicability/",
        applicability_record,
        name="system-applicability",
    ),
]

api_urlpatterns = [
    path(
        "systems/<int:pk>/crosswalks/<str:framework>/",
        SystemCrosswalkView.as_view(),
        name="api-system-crosswalk",
    ),
    path(
        "systems/<int:pk>/crosswalks/<str:framework>/applicability/",
        ApplicabilityView.as_view(),
        name="api-system-applicability",
    ),
]
