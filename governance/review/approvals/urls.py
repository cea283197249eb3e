"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.review.approvals.api import DecisionListView, SubmitView
from governance.review.approvals.views import model_version_decide, model_version_submit_view

urlpatterns = [
    path(
        "model-versions/<int:pk>/submit/",
        model_version_submit_view,
        name="model-version-submit",
    ),
    path(
        "model-versions/<int:pk>/decide/",
        model_version_decide,
        name="model-version-decide",
    ),
]

api_urlpatterns = [
    path(
        "model-versions/<int:pk>/submit/",
        SubmitView.as_view(),
        name="api-model-version-submit",
    ),
    path(
        "model-versions/<int:pk>/decisions/",
        DecisionListView.as_view(),
        name="api-model-version-decisions",
    ),
]
