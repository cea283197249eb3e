"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.pages.inventory import inventory, inventory_export
from governance.pages.views import home

urlpatterns = [
    path("", home, name="home"),
    path("inventory/", inventory, name="inventory"),
    path("inventory/export.csv", inventory_export, {"fmt": "csv"}, name="inventory-export-csv"),
    path("inventory/export.xlsx", inventory_export, {"fmt": "xlsx"}, name="inventory-export-xlsx"),
]

api_urlpatterns = []
