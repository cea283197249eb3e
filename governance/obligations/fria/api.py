"""The FRIA of a system over the API: its revisions (newest first) and a new revision."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.api.base import validated
from governance.kernel.permissions import CHANGE
from governance.obligations.access import visible_system
from governance.obligations.fria.models import FRIA_FIELDS
from governance.obligations.fria.selectors import fria_revision_list
from governance.obligations.fria.serializers import FriaInputSerializer, FriaRevisionSerializer
from governance.obligations.fria.services import fria_save


class SystemFriaView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=FriaRevisionSerializer(many=True))
    def get(self, request, pk: int):
        system = visible_system(request.user, pk)
        rows = fria_revision_list(actor=request.user).filter(system=system).order_by("-number")
        return Response(FriaRevisionSerializer(rows, many=True).data)

    @extend_schema(request=FriaInputSerializer, responses={201: FriaRevisionSerializer})
    def post(self, request, pk: int):
        system = visible_system(request.user, pk, CHANGE)
        data = validated(FriaInputSerializer, request.data)
        revision = fria_save(
            actor=request.user,
            system=system,
            elements={f: data[f] for f in FRIA_FIELDS},
            rights_at_stake=data["rights_at_stake"],
            note=data["note"],
        )
        return Response(FriaRevisionSerializer(revision).data, status=status.HTTP_201_CREATED)
