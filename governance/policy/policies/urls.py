"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.policy.policies.api import PolicyDetailView, PolicyListView
from governance.policy.policies.views import policies, policy_edit

urlpatterns = [
    path("policies/", policies, name="policies"),
    path("policies/<slug:tier>/", policy_edit, name="policy-edit"),
]

api_urlpatterns = [
    path("policies/", PolicyListView.as_view(), name="api-policies"),
    path("policies/<int:pk>/", PolicyDetailView.as_view(), name="api-policy-detail"),
]
