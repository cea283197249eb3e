"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.policy.classification.api import (
    ClassificationHistoryView,
    ClassificationView,
    QuestionnaireView,
)
from governance.policy.classification.views import (
    classification_detail,
    system_classification,
    system_classify,
)

urlpatterns = [
    path(
        "systems/<int:pk>/classification/",
        system_classification,
        name="system-classification",
    ),
    path(
        "systems/<int:pk>/classification/new/",
        system_classify,
        name="system-classify",
    ),
    path(
        "classifications/<int:pk>/",
        classification_detail,
        name="classification-detail",
    ),
]

api_urlpatterns = [
    path(
        "systems/<int:pk>/classification/",
        ClassificationView.as_view(),
        name="api-system-classification",
    ),
    path(
        "systems/<int:pk>/classifications/",
        ClassificationHistoryView.as_view(),
        name="api-system-classifications",
    ),
    path(
        "classification-questionnaire/",
        QuestionnaireView.as_view(),
        name="api-classification-questionnaire",
    ),
]
