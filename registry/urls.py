from django.urls import path

from registry import views

urlpatterns = [
    path("inventory/", views.inventory, name="inventory"),
    path("model-versions/<int:pk>/", views.model_version_page, name="model-version"),
    path("dataset-versions/<int:pk>/", views.dataset_version_page, name="dataset-version"),
    path("pii-flags/<int:pk>/decision/", views.pii_flag_decision, name="pii-flag-decision"),
    path("columns/<int:pk>/sensitive/", views.column_sensitive_toggle, name="column-sensitive"),
]
