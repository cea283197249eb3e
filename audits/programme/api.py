"""REST endpoints of the audits app: thin views over services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.programme.models import AuditRun, AuditSchedule
from audits.programme.selectors import audit_run_list, schedule_list
from audits.programme.serializers import (
    AuditRunCreateSerializer,
    AuditRunSerializer,
    AuditScheduleCreateSerializer,
    AuditScheduleSerializer,
    AuditScheduleUpdateSerializer,
)
from audits.programme.services.schedules import (
    audit_run_request,
    schedule_create,
    schedule_delete,
    schedule_update,
)
from audits.runs.api import ALL_ROLES
from governance.kernel.accounts.models import Role
from governance.kernel.api.base import SelectorRowsMixin, get_or_404, validated
from governance.kernel.api.errors import ApiError
from governance.kernel.permissions import CHANGE, role_permission
from registry import selectors as registry_selectors

ScheduleEditors = role_permission(Role.COMPLIANCE_OFFICER, Role.ADMIN, safe_roles=ALL_ROLES)


# --- schedules and audit runs ---------------------------------------------------------------
class ScheduleListView(SelectorRowsMixin, generics.ListAPIView):
    """Scheduled audits, one per system; compliance officers and admins create them."""

    serializer_class = AuditScheduleSerializer
    permission_classes = [ScheduleEditors]
    filterset_fields = {"active": ["exact"], "system": ["exact"], "next_due": ["lte", "gte"]}
    ordering_fields = ["next_due", "created_at"]

    model = AuditSchedule

    def rows(self):
        return schedule_list(actor=self.request.user)

    @extend_schema(request=AuditScheduleCreateSerializer, responses={201: AuditScheduleSerializer})
    def post(self, request):
        data = dict(validated(AuditScheduleCreateSerializer, request.data))
        system = registry_selectors.system_list(actor=request.user).filter(pk=data["system"])
        if not system.exists():
            raise ApiError(400, "unknown_system", f"No system {data['system']} that you may see.")
        data["system"] = system.get()
        schedule = schedule_create(actor=request.user, **data)
        return Response(AuditScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)


class ScheduleDetailView(APIView):
    permission_classes = [ScheduleEditors]

    @extend_schema(responses=AuditScheduleSerializer)
    def get(self, request, pk: int):
        schedule = get_or_404(schedule_list(actor=request.user), pk, "schedule")
        return Response(AuditScheduleSerializer(schedule).data)

    @extend_schema(request=AuditScheduleUpdateSerializer, responses=AuditScheduleSerializer)
    def patch(self, request, pk: int):
        schedule = get_or_404(schedule_list(actor=request.user, action=CHANGE), pk, "schedule")
        unknown = set(request.data) - set(AuditScheduleUpdateSerializer().fields)
        if unknown:
            raise ApiError(
                400, "read_only_fields", f"These fields cannot be changed: {sorted(unknown)}"
            )
        data = validated(AuditScheduleUpdateSerializer, request.data, partial=True)
        schedule = schedule_update(actor=request.user, schedule=schedule, **data)
        return Response(AuditScheduleSerializer(schedule).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        schedule = get_or_404(schedule_list(actor=request.user, action=CHANGE), pk, "schedule")
        schedule_delete(actor=request.user, schedule=schedule)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuditRunListView(SelectorRowsMixin, generics.ListAPIView):
    """Audit runs, scheduled and manual; compliance officers and admins start one now."""

    serializer_class = AuditRunSerializer
    permission_classes = [ScheduleEditors]
    filterset_fields = {"system": ["exact"], "status": ["exact"], "schedule": ["exact"]}
    ordering_fields = ["queued_at", "finished_at"]

    model = AuditRun

    def rows(self):
        return audit_run_list(actor=self.request.user)

    @extend_schema(request=AuditRunCreateSerializer, responses={202: AuditRunSerializer})
    def post(self, request):
        data = validated(AuditRunCreateSerializer, request.data)
        system = registry_selectors.system_list(actor=request.user).filter(pk=data["system"])
        if not system.exists():
            raise ApiError(400, "unknown_system", f"No system {data['system']} that you may see.")
        run = audit_run_request(actor=request.user, system=system.get())
        return Response(AuditRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class AuditRunDetailView(APIView):
    @extend_schema(responses=AuditRunSerializer)
    def get(self, request, pk: int):
        run = get_or_404(audit_run_list(actor=request.user), pk, "audit run")
        return Response(AuditRunSerializer(run).data)
