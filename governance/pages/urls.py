"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.pages.inventory import inventory
from governance.pages.views import home

urlpatterns = [
    path("", home, name="home"),
    path("inventory/", inventory, name="inventory"),
]

api_urlpatterns = []
