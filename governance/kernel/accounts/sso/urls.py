"""Routes of single sign-on: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.kernel.accounts.sso.api import (
    GroupMappingDetailView,
    GroupMappingListView,
    SignInPolicyView,
)
from governance.kernel.accounts.sso.views import (
    SsoCallbackView,
    SsoLoginView,
    SsoStepUpView,
    group_mapping_add,
    group_mapping_remove,
    sign_in_policy_save,
    sign_in_settings,
)

urlpatterns = [
    path("sso/login/", SsoLoginView.as_view(), name="sso-login"),
    path("sso/callback/", SsoCallbackView.as_view(), name="sso-callback"),
    path("sso/step-up/", SsoStepUpView.as_view(), name="sso-step-up"),
    path("people/sign-in/", sign_in_settings, name="sign-in-settings"),
    path("people/sign-in/rules/", group_mapping_add, name="group-mapping-add"),
    path(
        "people/sign-in/rules/<int:pk>/delete/", group_mapping_remove, name="group-mapping-remove"
    ),
    path("people/sign-in/policy/", sign_in_policy_save, name="sign-in-policy-save"),
]

api_urlpatterns = [
    path("sso/group-mappings/", GroupMappingListView.as_view(), name="api-group-mappings"),
    path(
        "sso/group-mappings/<int:pk>/",
        GroupMappingDetailView.as_view(),
        name="api-group-mapping-detail",
    ),
    path("sso/sign-in-policy/", SignInPolicyView.as_view(), name="api-sign-in-policy"),
]
