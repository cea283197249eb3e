"""REST endpoints of the audits app: thin views over services and selectors."""

from __future__ import annotations

import re

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from audits import selectors
from audits.api import serializers as s
from audits.models import AuditRun, AuditSchedule, CheckRun, Finding
from audits.services.checks import check_run_request
from audits.services.findings import finding_resolve
from audits.services.monitoring import operational_metrics_report
from audits.services.schedules import (
    audit_run_request,
    schedule_create,
    schedule_delete,
    schedule_update,
)
from governance.api.errors import ApiError
from governance.models import Role
from governance.permissions import CHANGE, role_permission
from registry import selectors as registry_selectors

ALL_ROLES = (Role.ADMIN, Role.COMPLIANCE_OFFICER, Role.DATA_SCIENTIST, Role.AUDITOR)
CheckRunners = role_permission(
    Role.DATA_SCIENTIST, Role.COMPLIANCE_OFFICER, Role.ADMIN, safe_roles=ALL_ROLES
)
MetricReporters = role_permission(Role.DATA_SCIENTIST, safe_roles=ALL_ROLES)
ScheduleEditors = role_permission(Role.COMPLIANCE_OFFICER, Role.ADMIN, safe_roles=ALL_ROLES)
# Visibility decides first (404 hides another team's findings), then the service's role rule.
Readers = role_permission(*ALL_ROLES)
CHART_NAME = re.compile(r"^[a-z0-9_]{1,100}\Z")


def get_or_404(queryset, pk, what: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ApiError(404, "not_found", f"No {what} {pk}, or you may not see it.")
    return obj


def validated(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _dataset_input(request, pk: int | None, field: str):
    """A dataset version named in the body: an unknown or invisible one is bad input (400)."""
    if pk is None:
        return None
    dv = (
        registry_selectors.dataset_version_list(actor=request.user)
        .select_related("dataset")
        .filter(pk=pk)
        .first()
    )
    if dv is None:
        raise ApiError(
            400, "unknown_dataset_version", f"{field}: no dataset version {pk} that you may see."
        )
    return dv


# --- check runs -----------------------------------------------------------------------------
class CheckRunsOfVersionView(generics.ListAPIView):
    """GET the check runs of a model version; POST asks for one (202, the worker computes it)."""

    serializer_class = s.CheckRunSerializer
    permission_classes = [CheckRunners]
    filterset_fields = {"kind": ["exact"], "status": ["exact"], "passed": ["exact"]}
    ordering_fields = ["queued_at", "finished_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CheckRun.objects.none()
        mv = get_or_404(
            registry_selectors.model_version_list(actor=self.request.user),
            self.kwargs["pk"],
            "model version",
        )
        return selectors.check_run_list(actor=self.request.user).filter(model_version=mv)

    @extend_schema(
        request=s.CheckRunRequestSerializer, responses={202: s.CheckRunAcceptedSerializer}
    )
    def post(self, request, pk: int):
        mv = get_or_404(
            registry_selectors.model_version_list(actor=request.user), pk, "model version"
        )
        data = validated(s.CheckRunRequestSerializer, request.data)
        run = check_run_request(
            actor=request.user,
            model_version=mv,
            kind=data["kind"],
            dataset_version=_dataset_input(request, data["dataset_version"], "dataset_version"),
            reference_dataset_version=_dataset_input(
                request, data.get("reference_dataset_version"), "reference_dataset_version"
            ),
            sensitive_columns=data.get("sensitive_columns"),
            parameters=data["parameters"],
            thresholds=data["thresholds"],
        )
        run.refresh_from_db(fields=["status"])
        body = {
            "id": run.pk,
            "kind": run.kind,
            "status": run.status,
            "url": reverse("api-check-detail", kwargs={"pk": run.pk}),
        }
        return Response(body, status=status.HTTP_202_ACCEPTED)


class CheckRunDetailView(APIView):
    @extend_schema(responses=s.CheckRunDetailSerializer)
    def get(self, request, pk: int):
        run = get_or_404(selectors.check_run_detail(actor=request.user), pk, "check run")
        return Response(s.CheckRunDetailSerializer(run).data)


class CheckChartView(APIView):
    """A chart of a check run as PNG, for users who may see the run."""

    @extend_schema(
        responses={(200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="PNG")}
    )
    def get(self, request, pk: int, name: str):
        run = get_or_404(selectors.check_run_list(actor=request.user), pk, "check run")
        sha = (run.charts or {}).get(name) if CHART_NAME.match(name) else None
        if sha is None:
            raise ApiError(404, "not_found", f"Check run {pk} has no chart {name!r}.")
        from registry.models import blob_path

        path = blob_path(sha)
        if not path.is_file():
            raise ApiError(410, "chart_missing", f"The stored chart {name!r} is missing.")
        response = FileResponse(path.open("rb"), content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-SHA256"] = sha
        return response


# --- findings -------------------------------------------------------------------------------
class FindingListView(generics.ListAPIView):
    """Findings you can see; ``?status=open`` for the work list."""

    serializer_class = s.FindingSerializer
    filterset_fields = {
        "status": ["exact"],
        "severity": ["exact", "in"],
        "source": ["exact"],
        "model_version": ["exact"],
        "check_run": ["exact"],
        "audit_run": ["exact"],
    }
    ordering_fields = ["created_at", "severity"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Finding.objects.none()
        return selectors.finding_list(actor=self.request.user)


class FindingDetailView(APIView):
    @extend_schema(responses=s.FindingSerializer)
    def get(self, request, pk: int):
        finding = get_or_404(selectors.finding_list(actor=request.user), pk, "finding")
        return Response(s.FindingSerializer(finding).data)


class FindingResolveView(APIView):
    permission_classes = [Readers]

    @extend_schema(request=s.FindingResolveSerializer, responses=s.FindingSerializer)
    def post(self, request, pk: int):
        finding = get_or_404(selectors.finding_list(actor=request.user), pk, "finding")
        data = validated(s.FindingResolveSerializer, request.data)
        finding = finding_resolve(actor=request.user, finding=finding, comment=data["comment"])
        return Response(s.FindingSerializer(finding).data)


# --- operational metrics --------------------------------------------------------------------
class OperationalMetricsView(generics.ListAPIView):
    """GET the reported windows of a version; POST reports one (judged at once)."""

    serializer_class = s.OperationalMetricSerializer
    permission_classes = [MetricReporters]
    filterset_fields = {"environment": ["exact"], "window_end": ["gte", "lte"]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.OperationalMetric.objects.none()
        mv = get_or_404(
            registry_selectors.model_version_list(actor=self.request.user),
            self.kwargs["pk"],
            "model version",
        )
        return (
            selectors.operational_metric_list(actor=self.request.user)
            .filter(model_version=mv)
            .prefetch_related("findings__resolved_by")
        )

    @extend_schema(
        request=s.OperationalMetricReportSerializer,
        responses={201: s.OperationalMetricSerializer},
    )
    def post(self, request, pk: int):
        mv = get_or_404(
            registry_selectors.model_version_list(actor=request.user), pk, "model version"
        )
        data = dict(validated(s.OperationalMetricReportSerializer, request.data))
        metric = operational_metrics_report(actor=request.user, model_version=mv, **data)
        return Response(s.OperationalMetricSerializer(metric).data, status=status.HTTP_201_CREATED)


# --- schedules and audit runs ---------------------------------------------------------------
class ScheduleListView(generics.ListAPIView):
    """Scheduled audits, one per system; compliance officers and admins create them."""

    serializer_class = s.AuditScheduleSerializer
    permission_classes = [ScheduleEditors]
    filterset_fields = {"active": ["exact"], "system": ["exact"], "next_due": ["lte", "gte"]}
    ordering_fields = ["next_due", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditSchedule.objects.none()
        return selectors.schedule_list(actor=self.request.user)

    @extend_schema(
        request=s.AuditScheduleCreateSerializer, responses={201: s.AuditScheduleSerializer}
    )
    def post(self, request):
        data = dict(validated(s.AuditScheduleCreateSerializer, request.data))
        system = registry_selectors.system_list(actor=request.user).filter(pk=data["system"])
        if not system.exists():
            raise ApiError(400, "unknown_system", f"No system {data['system']} that you may see.")
        data["system"] = system.get()
        schedule = schedule_create(actor=request.user, **data)
        return Response(s.AuditScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)


class ScheduleDetailView(APIView):
    permission_classes = [ScheduleEditors]

    @extend_schema(responses=s.AuditScheduleSerializer)
    def get(self, request, pk: int):
        schedule = get_or_404(selectors.schedule_list(actor=request.user), pk, "schedule")
        return Response(s.AuditScheduleSerializer(schedule).data)

    @extend_schema(request=s.AuditScheduleUpdateSerializer, responses=s.AuditScheduleSerializer)
    def patch(self, request, pk: int):
        schedule = get_or_404(
            selectors.schedule_list(actor=request.user, action=CHANGE), pk, "schedule"
        )
        unknown = set(request.data) - set(s.AuditScheduleUpdateSerializer().fields)
        if unknown:
            raise ApiError(
                400, "read_only_fields", f"These fields cannot be changed: {sorted(unknown)}"
            )
        data = validated(s.AuditScheduleUpdateSerializer, request.data, partial=True)
        schedule = schedule_update(actor=request.user, schedule=schedule, **data)
        return Response(s.AuditScheduleSerializer(schedule).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        schedule = get_or_404(
            selectors.schedule_list(actor=request.user, action=CHANGE), pk, "schedule"
        )
        schedule_delete(actor=request.user, schedule=schedule)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuditRunListView(generics.ListAPIView):
    """Audit runs, scheduled and manual; compliance officers and admins start one now."""

    serializer_class = s.AuditRunSerializer
    permission_classes = [ScheduleEditors]
    filterset_fields = {"system": ["exact"], "status": ["exact"], "schedule": ["exact"]}
    ordering_fields = ["queued_at", "finished_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditRun.objects.none()
        return selectors.audit_run_list(actor=self.request.user)

    @extend_schema(request=s.AuditRunCreateSerializer, responses={202: s.AuditRunSerializer})
    def post(self, request):
        data = validated(s.AuditRunCreateSerializer, request.data)
        system = registry_selectors.system_list(actor=request.user).filter(pk=data["system"])
        if not system.exists():
            raise ApiError(400, "unknown_system", f"No system {data['system']} that you may see.")
        run = audit_run_request(actor=request.user, system=system.get())
        return Response(s.AuditRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class AuditRunDetailView(APIView):
    @extend_schema(responses=s.AuditRunSerializer)
    def get(self, request, pk: int):
        run = get_or_404(selectors.audit_run_list(actor=request.user), pk, "audit run")
        return Response(s.AuditRunSerializer(run).data)
