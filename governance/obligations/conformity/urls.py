"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.obligations.conformity.api import (
    DeclarationDetailView,
    DeclarationSignView,
    SystemDeclarationListView,
    SystemDerogationListView,
    SystemRegistrationView,
)
from governance.obligations.conformity.views import (
    declaration_edit,
    declaration_new,
    declaration_sign_view,
    derogation_new,
    system_conformity,
)

urlpatterns = [
    path("systems/<int:pk>/conformity/", system_conformity, name="system-conformity"),
    path(
        "systems/<int:pk>/conformity/declarations/",
        declaration_new,
        name="system-declaration-new",
    ),
    path("declarations/<int:pk>/edit/", declaration_edit, name="declaration-edit"),
    path("declarations/<int:pk>/sign/", declaration_sign_view, name="declaration-sign"),
    path("systems/<int:pk>/conformity/derogations/", derogation_new, name="system-derogation-new"),
]

api_urlpatterns = [
    path(
        "systems/<int:pk>/declarations/",
        SystemDeclarationListView.as_view(),
        name="api-system-declarations",
    ),
    path("declarations/<int:pk>/", DeclarationDetailView.as_view(), name="api-declaration"),
    path("declarations/<int:pk>/sign/", DeclarationSignView.as_view(), name="api-declaration-sign"),
    path(
        "systems/<int:pk>/derogations/",
        SystemDerogationListView.as_view(),
        name="api-system-derogations",
    ),
    path(
        "systems/<int:pk>/eu-database-registration/",
        SystemRegistrationView.as_view(),
        name="api-system-registration",
    ),
]
