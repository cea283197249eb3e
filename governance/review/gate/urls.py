"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.review.gate.api import DeploymentListView, GateView, VersionDeploymentsView
from governance.review.gate.views import model_version_deploy

urlpatterns = [
    path(
        "model-versions/<int:pk>/deployments/",
        model_version_deploy,
        name="model-version-deploy",
    ),
]

api_urlpatterns = [
    path(
        "model-versions/<int:pk>/gate/",
        GateView.as_view(),
        name="api-model-version-gate",
    ),
    path(
        "model-versions/<int:pk>/deployments/",
        VersionDeploymentsView.as_view(),
        name="api-model-version-deployments",
    ),
    path("deployments/", DeploymentListView.as_view(), name="api-deployments"),
]
