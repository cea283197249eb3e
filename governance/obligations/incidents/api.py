"""Serious incidents over the API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.runs.selectors import finding_list
from governance.kernel.api.base import get_or_404, validated
from governance.kernel.permissions import CHANGE
from governance.obligations.access import require_writer, visible_system
from governance.obligations.incidents.selectors import incident_list
from governance.obligations.incidents.serializers import (
    FollowUpInputSerializer,
    FollowUpSerializer,
    IncidentCreateSerializer,
    IncidentSerializer,
    ProposeSerializer,
    ReportedSerializer,
)
from governance.obligations.incidents.services import (
    incident_follow_up,
    incident_mark_reported,
    incident_open,
    incident_propose_from_finding,
)


class SystemIncidentListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=IncidentSerializer(many=True))
    def get(self, request, pk: int):
        system = visible_system(request.user, pk)
        rows = incident_list(actor=request.user).filter(system=system)
        return Response(IncidentSerializer(rows, many=True).data)

    @extend_schema(request=IncidentCreateSerializer, responses={201: IncidentSerializer})
    def post(self, request, pk: int):
        system = visible_system(request.user, pk, CHANGE)
        data = dict(validated(IncidentCreateSerializer, request.data))
        incident = incident_open(actor=request.user, system=system, **data)
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


class IncidentDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=IncidentSerializer)
    def get(self, request, pk: int):
        return Response(
            IncidentSerializer(get_or_404(incident_list(actor=request.user), pk, "incident")).data
        )


class IncidentReportedView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReportedSerializer, responses=IncidentSerializer)
    def post(self, request, pk: int):
        incident = get_or_404(incident_list(actor=request.user), pk, "incident")
        require_writer(
            request.user, _("Only compliance officers and admins report serious incidents.")
        )
        data = validated(ReportedSerializer, request.data)
        incident = incident_mark_reported(
            actor=request.user, incident=incident, authority=data["authority"]
        )
        return Response(IncidentSerializer(incident).data)


class IncidentFollowUpView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=FollowUpInputSerializer, responses={201: FollowUpSerializer})
    def post(self, request, pk: int):
        incident = get_or_404(incident_list(actor=request.user), pk, "incident")
        require_writer(
            request.user, _("Only compliance officers and admins follow up serious incidents.")
        )
        data = validated(FollowUpInputSerializer, request.data)
        row = incident_follow_up(actor=request.user, incident=incident, text=data["text"])
        return Response(FollowUpSerializer(row).data, status=status.HTTP_201_CREATED)


class FindingProposeIncidentView(APIView):
    """Open an incident from a high-severity finding (409 with the existing one's id)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ProposeSerializer, responses={201: IncidentSerializer})
    def post(self, request, pk: int):
        finding = get_or_404(finding_list(actor=request.user), pk, "finding")
        require_writer(
            request.user, _("Only compliance officers and admins open serious incidents.")
        )
        data = validated(ProposeSerializer, request.data)
        incident = incident_propose_from_finding(
            actor=request.user, finding=finding, category=data["category"]
        )
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)
