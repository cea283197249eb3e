"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.obligations.documentation.api import (
    DocumentationView,
    RevisionDiffView,
    RevisionListView,
)
from governance.obligations.documentation.views import documentation_diff, documentation_page

urlpatterns = [
    path("systems/<int:pk>/documentation/", documentation_page, name="system-documentation"),
    path(
        "systems/<int:pk>/documentation/diff/", documentation_diff, name="system-documentation-diff"
    ),
]

api_urlpatterns = [
    path(
        "systems/<int:pk>/documentation/",
        DocumentationView.as_view(),
        name="api-system-documentation",
    ),
    path(
        "systems/<int:pk>/documentation/revisions/",
        RevisionListView.as_view(),
        name="api-system-documentation-revisions",
    ),
    path(
        "systems/<int:pk>/documentation/diff/",
        RevisionDiffView.as_view(),
        name="api-system-documentation-diff",
    ),
]
