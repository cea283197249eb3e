from django.urls import path

from registry.api import views

urlpatterns = [
    path("systems/", views.SystemListView.as_view(), name="api-systems"),
    path("systems/<int:pk>/", views.SystemDetailView.as_view(), name="api-system-detail"),
    path("models/", views.ModelListView.as_view(), name="api-models"),
    path("models/<int:pk>/", views.ModelDetailView.as_view(), name="api-model-detail"),
    path(
        "models/<int:pk>/versions/",
        views.ModelVersionsOfModelView.as_view(),
        name="api-model-versions-of-model",
    ),
    path("model-versions/", views.ModelVersionListView.as_view(), name="api-model-versions"),
    path(
        "model-versions/<int:pk>/",
        views.ModelVersionDetailView.as_view(),
        name="api-model-version-detail",
    ),
    path(
        "model-versions/<int:pk>/lineage/",
        views.ModelVersionLineageView.as_view(),
        name="api-model-version-lineage",
    ),
    path(
        "model-versions/<int:pk>/trust/",
        views.ModelVersionTrustView.as_view(),
        name="api-model-version-trust",
    ),
    path("datasets/", views.DatasetListView.as_view(), name="api-datasets"),
    path("datasets/<int:pk>/", views.DatasetDetailView.as_view(), name="api-dataset-detail"),
    path(
        "datasets/<int:pk>/versions/",
        views.DatasetVersionsOfDatasetView.as_view(),
        name="api-dataset-versions-of-dataset",
    ),
    path("dataset-versions/", views.DatasetVersionListView.as_view(), name="api-dataset-versions"),
    path(
        "dataset-versions/<int:pk>/",
        views.DatasetVersionDetailView.as_view(),
        name="api-dataset-version-detail",
    ),
    path(
        "dataset-versions/<int:pk>/impact/",
        views.DatasetVersionImpactView.as_view(),
        name="api-dataset-version-impact",
    ),
    path(
        "dataset-versions/<int:pk>/lineage/",
        views.DatasetVersionLineageView.as_view(),
        name="api-dataset-version-lineage",
    ),
    path(
        "dataset-versions/<int:pk>/columns/<str:name>/",
        views.ColumnDetailView.as_view(),
        name="api-column-detail",
    ),
    path("lineage/", views.LineageEdgeCreateView.as_view(), name="api-lineage"),
]
