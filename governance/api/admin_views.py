"""Policies, responsibilities and notifications endpoints: thin views over services."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import selectors
from governance.api import domain_serializers as s
from governance.api.errors import ApiError
from governance.api.review_views import get_or_404, validated
from governance.models import Notification, Responsibility, Role
from governance.permissions import CHANGE, role_permission
from governance.services.notifications import notification_mark_read
from governance.services.policies import policy_update
from governance.services.responsibilities import (
    responsibility_assign,
    responsibility_end,
    responsibility_update,
)

ALL_ROLES = (Role.ADMIN, Role.COMPLIANCE_OFFICER, Role.DATA_SCIENTIST, Role.AUDITOR)
AdminWritesAllRead = role_permission(Role.ADMIN, safe_roles=ALL_ROLES)


class PolicyListView(generics.ListAPIView):
    """The policy of every tier (everyone reads the rules they work under)."""

    serializer_class = s.PolicySerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.policy_list(actor=self.request.user)


class PolicyDetailView(APIView):
    permission_classes = [AdminWritesAllRead]

    @extend_schema(responses=s.PolicySerializer)
    def get(self, request, pk: int):
        return Response(s.PolicySerializer(self._get(request, pk)).data)

    @extend_schema(request=s.PolicyUpdateSerializer, responses=s.PolicySerializer)
    def patch(self, request, pk: int):
        policy = self._get(request, pk)
        data = validated(s.PolicyUpdateSerializer, request.data, partial=True)
        policy = policy_update(actor=request.user, policy=policy, **data)
        return Response(s.PolicySerializer(policy).data)

    def _get(self, request, pk: int):
        return get_or_404(selectors.policy_list(actor=request.user), pk, "policy")


RESPONSIBILITY_FILTERS = [
    OpenApiParameter("user", int),
    OpenApiParameter("system", int),
    OpenApiParameter("model", int),
    OpenApiParameter("dataset", int),
    OpenApiParameter("role", str, enum=["responsible", "accountable", "consulted", "informed"]),
    OpenApiParameter("active", bool),
]


class ResponsibilityListView(generics.ListAPIView):
    """RACI assignments on objects you may see; admins assign (POST)."""

    serializer_class = s.ResponsibilitySerializer
    permission_classes = [AdminWritesAllRead]
    filter_backends: list = []

    @extend_schema(parameters=RESPONSIBILITY_FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Responsibility.objects.none()
        rows = selectors.responsibility_list(actor=self.request.user)
        params = self.request.query_params
        for key in ("user", "system", "model", "dataset"):
            if params.get(key):
                if not params[key].isdigit():
                    raise ApiError(400, "invalid", f"{key} must be an id.")
                rows = rows.filter(**{f"{key}_id": int(params[key])})
        if params.get("role"):
            rows = rows.filter(role=params["role"])
        if params.get("active") in ("true", "1"):
            rows = rows.filter(pk__in=Responsibility.objects.active().values("pk"))
        return rows

    @extend_schema(
        request=s.ResponsibilityCreateSerializer, responses={201: s.ResponsibilitySerializer}
    )
    def post(self, request):
        data = validated(s.ResponsibilityCreateSerializer, request.data)
        row = responsibility_assign(actor=request.user, **data)
        return Response(s.ResponsibilitySerializer(row).data, status=status.HTTP_201_CREATED)


class ResponsibilityDetailView(APIView):
    """One assignment; PATCH its end date or note; DELETE ends it now (the record stays)."""

    permission_classes = [AdminWritesAllRead]

    def _get(self, request, pk: int, action: str = "view") -> Responsibility:
        rows = selectors.responsibility_list(actor=request.user, action=action)
        return get_or_404(rows, pk, "responsibility")

    @extend_schema(responses=s.ResponsibilitySerializer)
    def get(self, request, pk: int):
        return Response(s.ResponsibilitySerializer(self._get(request, pk)).data)

    @extend_schema(request=s.ResponsibilityUpdateSerializer, responses=s.ResponsibilitySerializer)
    def patch(self, request, pk: int):
        row = self._get(request, pk, CHANGE)
        data = validated(s.ResponsibilityUpdateSerializer, request.data, partial=True)
        row = responsibility_update(
            actor=request.user,
            responsibility=row,
            ends_at=data.get("ends_at", row.ends_at),
            note=data.get("note"),
        )
        return Response(s.ResponsibilitySerializer(row).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        row = self._get(request, pk, CHANGE)
        responsibility_end(actor=request.user, responsibility=row)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationListView(generics.ListAPIView):
    """Your own notifications, newest first."""

    serializer_class = s.NotificationSerializer
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("unread", bool)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        query = validated(s.NotificationQuerySerializer, self.request.query_params)
        return selectors.notification_list(actor=self.request.user, unread=query["unread"])


class NotificationReadView(APIView):
    """Mark one of your notifications read."""

    @extend_schema(request=None, responses=s.NotificationSerializer)
    def post(self, request, pk: int):
        row = get_or_404(selectors.notification_list(actor=request.user), pk, "notification")
        notification_mark_read(actor=request.user, notifications=[row])
        row.refresh_from_db()
        return Response(s.NotificationSerializer(row).data)


class NotificationReadAllView(APIView):
    """Mark the listed (or all) of your unread notifications read."""

    @extend_schema(
        request=s.NotificationsReadSerializer,
        responses=s.MarkedReadSerializer,
        operation_id="notifications_read_all",
    )
    def post(self, request):
        data = validated(s.NotificationsReadSerializer, request.data)
        rows = selectors.notification_list(actor=request.user, unread=True)
        if "ids" in data:
            rows = rows.filter(pk__in=data["ids"])
        marked = notification_mark_read(actor=request.user, notifications=rows)
        return Response({"marked": marked})
