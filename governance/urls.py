"""The site's routes, composed from the folder that owns each family of pages and endpoints.
Each folder's ``urls.py`` lists its browser pages (``urlpatterns``) and its REST endpoints
(``api_urlpatterns``, served under ``/api/v1/``)."""

from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from governance.kernel.api.root import ApiRootView
from governance.kernel.web import healthz, server_error

# Lowest layer first; the order only matters for the API root's list of collections.
FAMILIES = [
    "governance.kernel.accounts",
    "governance.kernel.accounts.sso",
    "governance.kernel.accounts.mfa",
    "governance.kernel.audit",
    "governance.kernel.jobs",
    "registry",
    "governance.policy.classification",
    "governance.policy.policies",
    "governance.policy.raci",
    "governance.policy.notifications",
    "governance.policy.transparency",
    "audits.runs",
    "governance.review.approvals",
    "governance.review.gate",
    "governance.review.worklists",
    "audits.programme",
    "governance.obligations.documentation",
    "governance.obligations.risks",
    "governance.obligations.incidents",
    "governance.obligations.monitoring",
    "governance.obligations.fria",
    "governance.obligations.conformity",
    "governance.obligations.crosswalks",
    "audits.reporting",
    "audits.reporting.records",
    "governance.pages",
]
_routes = [import_module(f"{family}.urls") for family in FAMILIES]

# What the API root lists, in this order.
API_COLLECTIONS = (
    ("me", "api-me"),
    ("tokens", "api-tokens"),
    ("users", "api-users"),
    ("teams", "api-teams"),
    ("audit-events", "api-audit-events"),
    ("audit-events-verify", "api-audit-events-verify"),
    ("schema", "api-schema"),
    ("docs", "api-docs"),
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
    ("findings", "api-findings"),
    ("audit-runs", "api-audit-runs"),
    ("reports", "api-reports"),
)

api_patterns = [
    path("", ApiRootView.as_view(collections=API_COLLECTIONS), name="api-root"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *(pattern for routes in _routes for pattern in routes.api_urlpatterns),
]

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("api/v1/", include(api_patterns)),
    path("admin/", admin.site.urls),
    # Django's set_language: the language picker of the sign-in page (a cookie).
    path("i18n/", include("django.conf.urls.i18n")),
    *(pattern for routes in _routes for pattern in routes.urlpatterns),
]

handler500 = server_error
