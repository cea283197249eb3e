"""Routes of this folder: REST endpoints only (the duties show on the version's requirements)."""

from django.urls import path

from governance.policy.transparency.api import SystemTransparencyView

urlpatterns: list = []

api_urlpatterns = [
    path(
        "systems/<int:pk>/transparency/",
        SystemTransparencyView.as_view(),
        name="api-system-transparency",
    ),
]
