from django.urls import NoReverseMatch, path, reverse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from governance.api import admin_views, review_views, views

# Collections of the other apps, listed on the API root once their URLs exist.
_OTHER_ROOT_LINKS = [
    ("systems", "api-systems"),
    ("models", "api-models"),
    ("datasets", "api-datasets"),
    ("model-versions", "api-model-versions"),
    ("dataset-versions", "api-dataset-versions"),
    ("lineage", "api-lineage"),
    ("responsibilities", "api-responsibilities"),
    ("policies", "api-policies"),
    ("deployments", "api-deployments"),
    ("notifications", "api-notifications"),
    ("schedules", "api-schedules"),
    ("checks", "api-checks"),
    ("reports", "api-reports"),
]


def extra_root_links() -> list[tuple[str, str]]:
    available = []
    for key, name in _OTHER_ROOT_LINKS:
        try:
            reverse(name)
        except NoReverseMatch:
            continue
        available.append((key, name))
    return available


urlpatterns = [
    path("", views.ApiRootView.as_view(), name="api-root"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("auth/token/", views.TokenObtainView.as_view(), name="api-auth-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("tokens/", views.TokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:pk>/", views.TokenDetailView.as_view(), name="api-token-detail"),
    path("users/", views.UserListView.as_view(), name="api-users"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="api-user-detail"),
    path("teams/", views.TeamListView.as_view(), name="api-teams"),
    path("audit-events/", views.AuditEventListView.as_view(), name="api-audit-events"),
    path(
        "audit-events/export/", views.AuditEventExportView.as_view(), name="api-audit-events-export"
    ),
    path(
        "audit-events/verify/", views.AuditEventVerifyView.as_view(), name="api-audit-events-verify"
    ),
    path("jobs/<int:pk>/", views.BackgroundJobView.as_view(), name="api-job-detail"),
    # --- classification, policies, responsibilities, reviews, deployments, notifications
    path(
        "systems/<int:pk>/classification/",
        review_views.ClassificationView.as_view(),
        name="api-system-classification",
    ),
    path(
        "systems/<int:pk>/classifications/",
        review_views.ClassificationHistoryView.as_view(),
        name="api-system-classifications",
    ),
    path(
        "classification-questionnaire/",
        review_views.QuestionnaireView.as_view(),
        name="api-classification-questionnaire",
    ),
    path("policies/", admin_views.PolicyListView.as_view(), name="api-policies"),
    path("policies/<int:pk>/", admin_views.PolicyDetailView.as_view(), name="api-policy-detail"),
    path(
        "responsibilities/",
        admin_views.ResponsibilityListView.as_view(),
        name="api-responsibilities",
    ),
    path(
        "responsibilities/<int:pk>/",
        admin_views.ResponsibilityDetailView.as_view(),
        name="api-responsibility-detail",
    ),
    path(
        "model-versions/<int:pk>/submit/",
        review_views.SubmitView.as_view(),
        name="api-model-version-submit",
    ),
    path(
        "model-versions/<int:pk>/decisions/",
        review_views.DecisionListView.as_view(),
        name="api-model-version-decisions",
    ),
    path(
        "model-versions/<int:pk>/gate/",
        review_views.GateView.as_view(),
        name="api-model-version-gate",
    ),
    path(
        "model-versions/<int:pk>/deployments/",
        review_views.VersionDeploymentsView.as_view(),
        name="api-model-version-deployments",
    ),
    path("deployments/", review_views.DeploymentListView.as_view(), name="api-deployments"),
    path("notifications/", admin_views.NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/read/",
        admin_views.NotificationReadAllView.as_view(),
        name="api-notifications-read",
    ),
    path(
        "notifications/<int:pk>/read/",
        admin_views.NotificationReadView.as_view(),
        name="api-notification-read",
    ),
]
