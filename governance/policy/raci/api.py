"""Policies, responsibilities and notifications endpoints: thin views over services."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.api.base import SelectorRowsMixin, get_or_404, validated
from governance.kernel.permissions import CHANGE, AdminWritesAllRead
from governance.policy.raci.models import Responsibility
from governance.policy.raci.selectors import responsibility_list
from governance.policy.raci.serializers import (
    ResponsibilityCreateSerializer,
    ResponsibilityQuerySerializer,
    ResponsibilitySerializer,
    ResponsibilityUpdateSerializer,
)
from governance.policy.raci.services import (
    responsibility_assign,
    responsibility_end,
    responsibility_update,
)

RESPONSIBILITY_FILTERS = [
    OpenApiParameter("user", int),
    OpenApiParameter("system", int),
    OpenApiParameter("model", int),
    OpenApiParameter("dataset", int),
    OpenApiParameter("role", str, enum=["responsible", "accountable", "consulted", "informed"]),
    OpenApiParameter("active", bool),
]


class ResponsibilityListView(SelectorRowsMixin, generics.ListAPIView):
    """RACI assignments on objects you may see; admins assign (POST)."""

    serializer_class = ResponsibilitySerializer
    permission_classes = [AdminWritesAllRead]
    filter_backends: list = []

    @extend_schema(parameters=RESPONSIBILITY_FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    model = Responsibility

    def rows(self):
        rows = responsibility_list(actor=self.request.user)
        query = validated(ResponsibilityQuerySerializer, self.request.query_params)
        for key in ("user", "system", "model", "dataset"):
            if query.get(key) is not None:
                rows = rows.filter(**{f"{key}_id": query[key]})
        if query.get("role"):
            rows = rows.filter(role=query["role"])
        active = Responsibility.objects.active().values("pk")
        if query.get("active") is True:
            rows = rows.filter(pk__in=active)
        elif query.get("active") is False:
            rows = rows.exclude(pk__in=active)
        return rows

    @extend_schema(
        request=ResponsibilityCreateSerializer, responses={201: ResponsibilitySerializer}
    )
    def post(self, request):
        data = validated(ResponsibilityCreateSerializer, request.data)
        row = responsibility_assign(actor=request.user, **data)
        return Response(ResponsibilitySerializer(row).data, status=status.HTTP_201_CREATED)


class ResponsibilityDetailView(APIView):
    """One assignment; PATCH its end date or note; DELETE ends it now (the record stays)."""

    permission_classes = [AdminWritesAllRead]

    def _get(self, request, pk: int, action: str = "view") -> Responsibility:
        rows = responsibility_list(actor=request.user, action=action)
        return get_or_404(rows, pk, "responsibility")

    @extend_schema(responses=ResponsibilitySerializer)
    def get(self, request, pk: int):
        return Response(ResponsibilitySerializer(self._get(request, pk)).data)

    @extend_schema(request=ResponsibilityUpdateSerializer, responses=ResponsibilitySerializer)
    def patch(self, request, pk: int):
        row = self._get(request, pk, CHANGE)
        data = validated(ResponsibilityUpdateSerializer, request.data, partial=True)
        row = responsibility_update(
            actor=request.user,
            responsibility=row,
            ends_at=data.get("ends_at", row.ends_at),
            note=data.get("note"),
        )
        return Response(ResponsibilitySerializer(row).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        row = self._get(request, pk, CHANGE)
        responsibility_end(actor=request.user, responsibility=row)
        return Response(status=status.HTTP_204_NO_CONTENT)
