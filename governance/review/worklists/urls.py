"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.review.worklists.views import (
    review_queue,
    review_queue_assign,
    review_queue_requirements,
)

urlpatterns = [
    path("review-queue/", review_queue, name="review-queue"),
    path("review-queue/<int:pk>/assign/", review_queue_assign, name="review-queue-assign"),
    path(
        "review-queue/<int:pk>/requirements/",
        review_queue_requirements,
        name="review-queue-requirements",
    ),
]

api_urlpatterns = []
