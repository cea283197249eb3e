"""The risk register over the API: list and add risks of a system, read and change one,
add mitigations."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.api.base import get_or_404, validated
from governance.kernel.permissions import CHANGE
from governance.obligations.access import require_writer, visible_system
from governance.obligations.risks.selectors import risk_list
from governance.obligations.risks.serializers import (
    MitigationInputSerializer,
    MitigationSerializer,
    RiskInputSerializer,
    RiskSerializer,
)
from governance.obligations.risks.services import mitigation_add, risk_create, risk_update


class SystemRiskListView(APIView):
    """The risks of one system; compliance officers and admins add one (POST)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=RiskSerializer(many=True))
    def get(self, request, pk: int):
        system = visible_system(request.user, pk)
        rows = risk_list(actor=request.user).filter(system=system)
        return Response(RiskSerializer(rows, many=True).data)

    @extend_schema(request=RiskInputSerializer, responses={201: RiskSerializer})
    def post(self, request, pk: int):
        system = visible_system(request.user, pk, CHANGE)
        data = dict(validated(RiskInputSerializer, request.data))
        risk = risk_create(actor=request.user, system=system, **data)
        return Response(RiskSerializer(risk).data, status=status.HTTP_201_CREATED)


class RiskDetailView(APIView):
    permission_classes = [IsAuthenticated]

    def _get(self, request, pk: int):
        return get_or_404(risk_list(actor=request.user), pk, "risk")

    @extend_schema(responses=RiskSerializer)
    def get(self, request, pk: int):
        return Response(RiskSerializer(self._get(request, pk)).data)

    @extend_schema(request=RiskInputSerializer, responses=RiskSerializer)
    def patch(self, request, pk: int):
        risk = self._get(request, pk)
        require_writer(
            request.user, _("Only compliance officers and admins write the risk register.")
        )
        risk = get_or_404(risk_list(actor=request.user, action=CHANGE), pk, "risk")
        data = dict(validated(RiskInputSerializer, request.data, partial=True))
        risk = risk_update(actor=request.user, risk=risk, **data)
        return Response(RiskSerializer(risk_list(actor=request.user).get(pk=risk.pk)).data)


class MitigationListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=MitigationInputSerializer, responses={201: MitigationSerializer})
    def post(self, request, pk: int):
        risk = get_or_404(risk_list(actor=request.user), pk, "risk")
        require_writer(
            request.user, _("Only compliance officers and admins write the risk register.")
        )
        data = dict(validated(MitigationInputSerializer, request.data))
        row = mitigation_add(actor=request.user, risk=risk, **data)
        return Response(MitigationSerializer(row).data, status=status.HTTP_201_CREATED)
