from importlib.util import find_spec

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from governance import views


def _exists(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


api_patterns = [path("", include("governance.api.urls"))]
for app in ("registry", "audits"):
    if _exists(f"{app}.api.urls"):
        api_patterns.append(path("", include(f"{app}.api.urls")))

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.profile_token_create, name="profile-token-create"),
    path(
        "profile/tokens/<int:pk>/revoke/", views.profile_token_revoke, name="profile-token-revoke"
    ),
    path("healthz/", views.healthz, name="healthz"),
    path("audit-trail/", views.audit_trail, name="audit-trail"),
    path("audit-trail/verify/", views.audit_trail_verify, name="audit-trail-verify"),
    path(
        "audit-trail/verify/<int:pk>/",
        views.audit_trail_verify_status,
        name="audit-trail-verify-status",
    ),
    path("api/v1/", include(api_patterns)),
    path("admin/", admin.site.urls),
]
for app in ("registry", "audits"):
    if _exists(f"{app}.urls"):
        urlpatterns.append(path("", include(f"{app}.urls")))

handler500 = views.server_error
