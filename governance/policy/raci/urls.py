"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.policy.raci.api import ResponsibilityDetailView, ResponsibilityListView
from governance.policy.raci.views import responsibilities, responsibility_end_view

urlpatterns = [
    path("responsibilities/", responsibilities, name="responsibilities"),
    path(
        "responsibilities/<int:pk>/end/",
        responsibility_end_view,
        name="responsibility-end",
    ),
]

api_urlpatterns = [
    path(
        "responsibilities/",
        ResponsibilityListView.as_view(),
        name="api-responsibilities",
    ),
    path(
        "responsibilities/<int:pk>/",
        ResponsibilityDetailView.as_view(),
        name="api-responsibility-detail",
    ),
]
