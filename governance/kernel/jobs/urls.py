"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.kernel.jobs.api import BackgroundJobView

urlpatterns = []

api_urlpatterns = [
    path("jobs/<int:pk>/", BackgroundJobView.as_view(), name="api-job-detail"),
]
