"""The post-market monitoring plan over the API: read it with its mismatches, replace it."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.api.base import validated
from governance.kernel.permissions import CHANGE
from governance.kernel.sentences import shown
from governance.obligations.access import visible_system
from governance.obligations.monitoring.selectors import plan_for, plan_mismatches
from governance.obligations.monitoring.serializers import MonitoringPlanInputSerializer
from governance.obligations.monitoring.services import monitoring_plan_save


def _payload(plan, system) -> dict:
    mismatches = [shown(m, localized=False) for m in plan_mismatches(plan, system)]
    body = {"system": system.pk, "plan": None, "mismatches": mismatches}
    if plan is not None:
        body["plan"] = {
            "version": plan.version,
            "objectives": plan.objectives,
            "data_sources": plan.data_sources,
            "audit_interval_days": plan.audit_interval_days,
            "metrics": plan.metrics,
            "escalation": plan.escalation,
            "updated_by": plan.updated_by.username,
            "updated_at": plan.updated_at,
        }
    return body


class MonitoringPlanView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        system = visible_system(request.user, pk)
        return Response(_payload(plan_for(actor=request.user, system=system), system))

    @extend_schema(request=MonitoringPlanInputSerializer, responses=OpenApiTypes.OBJECT)
    def put(self, request, pk: int):
        system = visible_system(request.user, pk, CHANGE)
        data = dict(validated(MonitoringPlanInputSerializer, request.data))
        data["metrics"] = [dict(m) for m in data["metrics"]]
        plan = monitoring_plan_save(actor=request.user, system=system, **data)
        return Response(_payload(plan, system))
