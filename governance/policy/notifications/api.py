"""Policies, responsibilities and notifications endpoints: thin views over services."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.api.base import SelectorRowsMixin, get_or_404, validated
from governance.policy.notifications.models import Notification
from governance.policy.notifications.selectors import notification_list
from governance.policy.notifications.serializers import (
    MarkedReadSerializer,
    NotificationQuerySerializer,
    NotificationSerializer,
    NotificationsReadSerializer,
)
from governance.policy.notifications.services import notification_mark_read


class NotificationListView(SelectorRowsMixin, generics.ListAPIView):
    """Your own notifications, newest first."""

    serializer_class = NotificationSerializer
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("unread", bool)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    model = Notification

    def rows(self):
        query = validated(NotificationQuerySerializer, self.request.query_params)
        return notification_list(actor=self.request.user, unread=query["unread"])


class NotificationReadView(APIView):
    """Mark one of your notifications read."""

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request, pk: int):
        row = get_or_404(notification_list(actor=request.user), pk, "notification")
        notification_mark_read(actor=request.user, notifications=[row])
        row.refresh_from_db()
        return Response(NotificationSerializer(row).data)


class NotificationReadAllView(APIView):
    """Mark the listed (or all) of your unread notifications read."""

    @extend_schema(
        request=NotificationsReadSerializer,
        responses=MarkedReadSerializer,
        operation_id="notifications_read_all",
    )
    def post(self, request):
        data = validated(NotificationsReadSerializer, request.data)
        rows = notification_list(actor=request.user, unread=True)
        if "ids" in data:
            rows = rows.filter(pk__in=data["ids"])
        marked = notification_mark_read(actor=request.user, notifications=rows)
        return Response({"marked": marked})
