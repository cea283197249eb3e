"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from registry.api.prompts import (
    ModelPromptsView,
    ModelVersionPromptsView,
    PromptDetailView,
    PromptDiffView,
    PromptVersionsView,
)
from registry.api.views import (
    ColumnDetailView,
    DatasetDetailView,
    DatasetListView,
    DatasetVersionDetailView,
    DatasetVersionImpactView,
    DatasetVersionLineageView,
    DatasetVersionListView,
    DatasetVersionReprofileView,
    DatasetVersionsOfDatasetView,
    LineageEdgeCreateView,
    ModelDetailView,
    ModelListView,
    ModelVersionDetailView,
    ModelVersionLineageView,
    ModelVersionListView,
    ModelVersionsOfModelView,
    ModelVersionTrustView,
    SystemDetailView,
    SystemListView,
)
from registry.mlflow.api import MlflowImportView, MlflowLinksView, MlflowWebhookView
from registry.mlflow.views import (
    mlflow_link_follow,
    mlflow_link_sync_now,
    mlflow_link_unfollow,
    mlflow_links_page,
)
from registry.uploads import dataset_version_upload, model_version_upload
from registry.views import (
    column_sensitive_toggle,
    dataset_version_page,
    dataset_version_reprofile_view,
    model_prompts,
    model_version_page,
    pii_flag_decision,
    prompt_page,
)

urlpatterns = [
    path("model-versions/<int:pk>/", model_version_page, name="model-version"),
    path("models/<int:pk>/prompts/", model_prompts, name="model-prompts"),
    path("prompts/<int:pk>/", prompt_page, name="prompt"),
    path("models/<int:pk>/versions/new/", model_version_upload, name="model-version-upload"),
    path("datasets/<int:pk>/versions/new/", dataset_version_upload, name="dataset-version-upload"),
    path("dataset-versions/<int:pk>/", dataset_version_page, name="dataset-version"),
    path(
        "dataset-versions/<int:pk>/reprofile/",
        dataset_version_reprofile_view,
        name="dataset-version-reprofile",
    ),
    path("pii-flags/<int:pk>/decision/", pii_flag_decision, name="pii-flag-decision"),
    path("columns/<int:pk>/sensitive/", column_sensitive_toggle, name="column-sensitive"),
    path("mlflow/", mlflow_links_page, name="mlflow-links"),
    path("mlflow/follow/", mlflow_link_follow, name="mlflow-link-follow"),
    path("mlflow/<int:pk>/unfollow/", mlflow_link_unfollow, name="mlflow-link-unfollow"),
    path("mlflow/<int:pk>/sync/", mlflow_link_sync_now, name="mlflow-link-sync"),
]

api_urlpatterns = [
    path("systems/", SystemListView.as_view(), name="api-systems"),
    path("systems/<int:pk>/", SystemDetailView.as_view(), name="api-system-detail"),
    path("models/", ModelListView.as_view(), name="api-models"),
    path("models/<int:pk>/", ModelDetailView.as_view(), name="api-model-detail"),
    path(
        "models/<int:pk>/versions/",
        ModelVersionsOfModelView.as_view(),
        name="api-model-versions-of-model",
    ),
    path(
        "models/<int:pk>/mlflow-imports/",
        MlflowImportView.as_view(),
        name="api-model-mlflow-import",
    ),
    path("models/<int:pk>/mlflow-links/", MlflowLinksView.as_view(), name="api-model-mlflow-links"),
    path("mlflow/webhook/", MlflowWebhookView.as_view(), name="api-mlflow-webhook"),
    path("model-versions/", ModelVersionListView.as_view(), name="api-model-versions"),
    path(
        "model-versions/<int:pk>/",
        ModelVersionDetailView.as_view(),
        name="api-model-version-detail",
    ),
    path(
        "model-versions/<int:pk>/lineage/",
        ModelVersionLineageView.as_view(),
        name="api-model-version-lineage",
    ),
    path(
        "model-versions/<int:pk>/trust/",
        ModelVersionTrustView.as_view(),
        name="api-model-version-trust",
    ),
    path("models/<int:pk>/prompts/", ModelPromptsView.as_view(), name="api-model-prompts"),
    path("prompts/<int:pk>/", PromptDetailView.as_view(), name="api-prompt-detail"),
    path("prompts/<int:pk>/versions/", PromptVersionsView.as_view(), name="api-prompt-versions"),
    path("prompts/<int:pk>/diff/", PromptDiffView.as_view(), name="api-prompt-diff"),
    path(
        "model-versions/<int:pk>/prompts/",
        ModelVersionPromptsView.as_view(),
        name="api-model-version-prompts",
    ),
    path("datasets/", DatasetListView.as_view(), name="api-datasets"),
    path("datasets/<int:pk>/", DatasetDetailView.as_view(), name="api-dataset-detail"),
    path(
        "datasets/<int:pk>/versions/",
        DatasetVersionsOfDatasetView.as_view(),
        name="api-dataset-versions-of-dataset",
    ),
    path("dataset-versions/", DatasetVersionListView.as_view(), name="api-dataset-versions"),
    path(
        "dataset-versions/<int:pk>/",
        DatasetVersionDetailView.as_view(),
        name="api-dataset-version-detail",
    ),
    path(
        "dataset-versions/<int:pk>/impact/",
        DatasetVersionImpactView.as_view(),
        name="api-dataset-version-impact",
    ),
    path(
        "dataset-versions/<int:pk>/lineage/",
        DatasetVersionLineageView.as_view(),
        name="api-dataset-version-lineage",
    ),
    path(
        "dataset-versions/<int:pk>/reprofile/",
        DatasetVersionReprofileView.as_view(),
        name="api-dataset-version-reprofile",
    ),
    path(
        "dataset-versions/<int:pk>/columns/<str:name>/",
        ColumnDetailView.as_view(),
        name="api-column-detail",
    ),
    path("lineage/", LineageEdgeCreateView.as_view(), name="api-lineage"),
]
