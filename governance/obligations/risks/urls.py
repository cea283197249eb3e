"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.obligations.risks.api import MitigationListView, RiskDetailView, SystemRiskListView
from governance.obligations.risks.views import mitigation_create, risk_register

urlpatterns = [
    path("systems/<int:pk>/risks/", risk_register, name="system-risks"),
    path("risks/<int:pk>/mitigations/", mitigation_create, name="risk-mitigation-create"),
]

api_urlpatterns = [
    path("systems/<int:pk>/risks/", SystemRiskListView.as_view(), name="api-system-risks"),
    path("risks/<int:pk>/", RiskDetailView.as_view(), name="api-risk-detail"),
    path("risks/<int:pk>/mitigations/", MitigationListView.as_view(), name="api-risk-mitigations"),
]
