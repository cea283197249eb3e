from importlib.util import find_spec

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from governance import (
    views,
    views_admin,
    views_classification,
    views_notifications,
    views_review,
)


def _exists(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


api_patterns = [path("", include("governance.api.urls"))]
for module in ("registry.api.urls", "audits.api.urls", "audits.reporting.api"):
    if _exists(module):
        api_patterns.append(path("", include(module)))

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
    # Governance pages
    path("review-queue/", views_review.review_queue, name="review-queue"),
    path(
        "review-queue/<int:pk>/requirements/",
        views_review.review_queue_requirements,
        name="review-queue-requirements",
    ),
    path(
        "model-versions/<int:pk>/submit/",
        views_review.model_version_submit_view,
        name="model-version-submit",
    ),
    path(
        "model-versions/<int:pk>/decide/",
        views_review.model_version_decide,
        name="model-version-decide",
    ),
    path(
        "model-versions/<int:pk>/deployments/",
        views_review.model_version_deploy,
        name="model-version-deploy",
    ),
    path(
        "systems/<int:pk>/classification/",
        views_classification.system_classification,
        name="system-classification",
    ),
    path(
        "systems/<int:pk>/classification/new/",
        views_classification.system_classify,
        name="system-classify",
    ),
    path(
        "classifications/<int:pk>/",
        views_classification.classification_detail,
        name="classification-detail",
    ),
    path("people/", views_admin.people, name="people"),
    path("people/new/", views_admin.person_create, name="person-create"),
    path("people/<int:pk>/", views_admin.person_edit, name="person-edit"),
    path("people/teams/", views_admin.team_create, name="team-create"),
    path("responsibilities/", views_admin.responsibilities, name="responsibilities"),
    path(
        "responsibilities/<int:pk>/end/",
        views_admin.responsibility_end_view,
        name="responsibility-end",
    ),
    path("policies/", views_admin.policies, name="policies"),
    path("policies/<slug:tier>/", views_admin.policy_edit, name="policy-edit"),
    path("notifications/", views_notifications.notifications, name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        views_notifications.notification_read,
        name="notification-read",
    ),
    path(
        "notifications/read-all/",
        views_notifications.notifications_read_all,
        name="notifications-read-all",
    ),
    path("api/v1/", include(api_patterns)),
    path("admin/", admin.site.urls),
]
for module in ("registry.urls", "audits.urls", "audits.reporting.views"):
    if _exists(module):
        urlpatterns.append(path("", include(module)))

handler500 = views.server_error
