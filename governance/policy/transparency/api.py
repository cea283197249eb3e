"""Art. 50 duties of a system and the measures meeting them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.accounts.models import Role
from governance.kernel.api.base import get_or_404, validated
from governance.kernel.permissions import role_permission
from governance.policy.transparency.selectors import duties_status
from governance.policy.transparency.serializers import (
    TransparencyDutySerializer,
    TransparencyMeasureCreateSerializer,
    TransparencyMeasureSerializer,
)
from governance.policy.transparency.services import transparency_measure_record
from registry.models import AISystem

MeasureWrites = role_permission(
    Role.DATA_SCIENTIST, Role.COMPLIANCE_OFFICER, Role.ADMIN, safe_roles=tuple(Role.values)
)


class SystemTransparencyView(APIView):
    """The Art. 50 duties the classification gives the system, each with its latest measure;
    POST records a measure (duty, what is done, where it can be seen)."""

    permission_classes = [MeasureWrites]

    @extend_schema(responses=TransparencyDutySerializer(many=True))
    def get(self, request, pk: int):
        system = get_or_404(AISystem.objects.visible_to(request.user), pk, "system")
        return Response(TransparencyDutySerializer(duties_status(system), many=True).data)

    @extend_schema(
        request=TransparencyMeasureCreateSerializer,
        responses={201: TransparencyMeasureSerializer},
    )
    def post(self, request, pk: int):
        system = get_or_404(AISystem.objects.visible_to(request.user), pk, "system")
        data = validated(TransparencyMeasureCreateSerializer, request.data)
        row = transparency_measure_record(actor=request.user, system=system, **data)
        return Response(TransparencyMeasureSerializer(row).data, status=status.HTTP_201_CREATED)
