"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.policy.notifications.api import (
    NotificationListView,
    NotificationReadAllView,
    NotificationReadView,
)
from governance.policy.notifications.views import (
    notification_read,
    notifications,
    notifications_read_all,
)

urlpatterns = [
    path("notifications/", notifications, name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        notification_read,
        name="notification-read",
    ),
    path(
        "notifications/read-all/",
        notifications_read_all,
        name="notifications-read-all",
    ),
]

api_urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/read/",
        NotificationReadAllView.as_view(),
        name="api-notifications-read",
    ),
    path(
        "notifications/<int:pk>/read/",
        NotificationReadView.as_view(),
        name="api-notification-read",
    ),
]
