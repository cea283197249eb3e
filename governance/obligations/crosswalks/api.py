"""Crosswalk coverage of a system over the API, and recording a control's applicability."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.api.base import validated
from governance.kernel.permissions import CHANGE
from governance.obligations.access import visible_system
from governance.obligations.crosswalks.coverage import system_coverage
from governance.obligations.crosswalks.serializers import ApplicabilityInputSerializer
from governance.obligations.crosswalks.services import (
    applicability_set,
    control_find,
    framework_checked,
)


class SystemCrosswalkView(APIView):
    """Every control of the framework with its applicability, state (covered, partly
    covered, not covered, excluded), evidence links and what is missing."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int, framework: str):
        system = visible_system(request.user, pk)
        return Response(system_coverage(system=system, framework=framework_checked(framework)))


class ApplicabilityView(APIView):
    """Record whether one control applies to the system, with the justification
    (compliance officers and admins)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ApplicabilityInputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int, framework: str):
        system = visible_system(request.user, pk, CHANGE)
        data = validated(ApplicabilityInputSerializer, request.data)
        control = control_find(framework=framework, ref=data["control"])
        applicability_set(
            actor=request.user,
            system=system,
            control=control,
            applicable=data["applicable"],
            justification=data["justification"],
        )
        coverage = system_coverage(system=system, framework=framework)
        row = next(c for c in coverage["controls"] if c["id"] == control.pk)
        return Response(row)
