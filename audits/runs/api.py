"""REST endpoints of the audits app: thin views over services and selectors."""

from __future__ import annotations

import re

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.runs.models import OperationalMetric
from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from audits.runs.selectors import (
    check_run_detail,
    check_run_list,
    finding_list,
    operational_metric_list,
)
from audits.runs.serializers import (
    CheckRunAcceptedSerializer,
    CheckRunDetailSerializer,
    CheckRunRequestSerializer,
    CheckRunSerializer,
    FindingAcceptRiskSerializer,
    FindingAssignSerializer,
    FindingFalsePositiveSerializer,
    FindingResolveSerializer,
    FindingSerializer,
    OperationalMetricReportSerializer,
    OperationalMetricSerializer,
)
from audits.runs.services.checks import check_run_request
from audits.runs.services.findings import (
    finding_accept_risk,
    finding_assign,
    finding_mark_false_positive,
    finding_resolve,
    finding_start,
)
from audits.runs.services.monitoring import operational_metrics_report
from audits.runs.services.reproduction import check_run_reproduce
from governance.kernel.accounts.models import Role, User
from governance.kernel.api.base import SelectorRowsMixin, get_or_404, validated
from governance.kernel.api.errors import ApiError
from governance.kernel.errors import NotFound
from governance.kernel.objectstore import blob_open
from governance.kernel.permissions import role_permission
from registry import selectors as registry_selectors

ALL_ROLES = (Role.ADMIN, Role.COMPLIANCE_OFFICER, Role.DATA_SCIENTIST, Role.AUDITOR)


CheckRunners = role_permission(
    Role.DATA_SCIENTIST, Role.COMPLIANCE_OFFICER, Role.ADMIN, safe_roles=ALL_ROLES
)


Reproducers = role_permission(Role.AUDITOR, Role.COMPLIANCE_OFFICER, Role.ADMIN)


MetricReporters = role_permission(Role.DATA_SCIENTIST, safe_roles=ALL_ROLES)


# Visibility decides first (404 hides another team's findings), then the service's role rule.
Readers = role_permission(*ALL_ROLES)


CHART_NAME = re.compile(r"^[a-z0-9_]{1,100}\Z")


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
class CheckRunsOfVersionView(SelectorRowsMixin, generics.ListAPIView):
    """GET the check runs of a model version; POST asks for one (202, the worker computes it)."""

    serializer_class = CheckRunSerializer
    permission_classes = [CheckRunners]
    filterset_fields = {"kind": ["exact"], "status": ["exact"], "passed": ["exact"]}
    ordering_fields = ["queued_at", "finished_at"]

    model = CheckRun

    def rows(self):
        mv = get_or_404(
            registry_selectors.model_version_list(actor=self.request.user),
            self.kwargs["pk"],
            "model version",
        )
        return check_run_list(actor=self.request.user).filter(model_version=mv)

    @extend_schema(request=CheckRunRequestSerializer, responses={202: CheckRunAcceptedSerializer})
    def post(self, request, pk: int):
        mv = get_or_404(
            registry_selectors.model_version_list(actor=request.user), pk, "model version"
        )
        data = validated(CheckRunRequestSerializer, request.data)
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
            exploratory=data["exploratory"],
        )
        run.refresh_from_db(fields=["status"])
        return Response(_accepted(run), status=status.HTTP_202_ACCEPTED)


def _accepted(run: CheckRun) -> dict:
    return {
        "id": run.pk,
        "kind": run.kind,
        "status": run.status,
        "url": reverse("api-check-detail", kwargs={"pk": run.pk}),
        "counts_as_evidence": run.counts_as_evidence,
        "evidence_note": run.evidence_note,
    }


class CheckRunReproduceView(APIView):
    """POST: re-run a finished check from what it stored and compare the result hash (202;
    the outcome lands on the new run and on the original's ``reproductions``)."""

    permission_classes = [Reproducers]

    @extend_schema(request=None, responses={202: CheckRunAcceptedSerializer})
    def post(self, request, pk: int):
        run = get_or_404(check_run_list(actor=request.user), pk, "check run")
        copy = check_run_reproduce(actor=request.user, run=run)
        copy.refresh_from_db(fields=["status"])
        return Response(_accepted(copy), status=status.HTTP_202_ACCEPTED)


class CheckRunDetailView(APIView):
    @extend_schema(responses=CheckRunDetailSerializer)
    def get(self, request, pk: int):
        run = get_or_404(check_run_detail(actor=request.user), pk, "check run")
        return Response(CheckRunDetailSerializer(run).data)


class CheckChartView(APIView):
    """A chart of a check run as PNG, for users who may see the run."""

    @extend_schema(
        responses={(200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="PNG")}
    )
    def get(self, request, pk: int, name: str):
        run = get_or_404(check_run_list(actor=request.user), pk, "check run")
        sha = (run.charts or {}).get(name) if CHART_NAME.match(name) else None
        if sha is None:
            raise ApiError(404, "not_found", f"Check run {pk} has no chart {name!r}.")

        try:
            stream = blob_open(sha)
        except FileNotFoundError:
            raise ApiError(410, "chart_missing", f"The stored chart {name!r} is missing.") from None
        response = FileResponse(stream, content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-SHA256"] = sha
        return response


# --- findings -------------------------------------------------------------------------------
class FindingListView(SelectorRowsMixin, generics.ListAPIView):
    """Findings you can see; ``?status=open`` for the work list."""

    serializer_class = FindingSerializer
    filterset_fields = {
        "status": ["exact"],
        "severity": ["exact", "in"],
        "source": ["exact"],
        "model_version": ["exact"],
        "check_run": ["exact"],
        "audit_run": ["exact"],
        "assignee": ["exact"],
        "due_date": ["lt", "lte", "gte"],
    }
    ordering_fields = ["created_at", "severity", "due_date", "last_seen_at"]

    model = Finding

    def rows(self):
        return finding_list(actor=self.request.user)


class FindingDetailView(APIView):
    @extend_schema(responses=FindingSerializer)
    def get(self, request, pk: int):
        finding = get_or_404(finding_list(actor=request.user), pk, "finding")
        return Response(FindingSerializer(finding).data)


class FindingResolveView(APIView):
    """Resolve with a comment saying how (an empty one is refused: 400 ``comment_required``)."""

    permission_classes = [Readers]

    @extend_schema(request=FindingResolveSerializer, responses=FindingSerializer)
    def post(self, request, pk: int):
        finding = get_or_404(finding_list(actor=request.user), pk, "finding")
        data = validated(FindingResolveSerializer, request.data)
        finding = finding_resolve(actor=request.user, finding=finding, comment=data["comment"])
        return Response(FindingSerializer(finding).data)


class FindingStartView(APIView):
    """Open -> in progress."""

    permission_classes = [Readers]

    @extend_schema(request=None, responses=FindingSerializer)
    def post(self, request, pk: int):
        finding = get_or_404(finding_list(actor=request.user), pk, "finding")
        finding = finding_start(actor=request.user, finding=finding)
        return Response(FindingSerializer(finding).data)


class FindingAcceptRiskView(APIView):
    """Accept the risk until a date (compliance officers, admins); it reopens after it."""

    permission_classes = [Readers]

    @extend_schema(request=FindingAcceptRiskSerializer, responses=FindingSerializer)
    def post(self, request, pk: int):
        finding = get_or_404(finding_list(actor=request.user), pk, "finding")
        data = validated(FindingAcceptRiskSerializer, request.data)
        finding = finding_accept_risk(
            actor=request.user, finding=finding, comment=data["comment"], until=data["until"]
        )
        return Response(FindingSerializer(finding).data)


class FindingFalsePositiveView(APIView):
    permission_classes = [Readers]

    @extend_schema(request=FindingFalsePositiveSerializer, responses=FindingSerializer)
    def post(self, request, pk: int):
        finding = get_or_404(finding_list(actor=request.user), pk, "finding")
        data = validated(FindingFalsePositiveSerializer, request.data)
        finding = finding_mark_false_positive(
            actor=request.user, finding=finding, reason=data["reason"]
        )
        return Response(FindingSerializer(finding).data)


class FindingAssignView(APIView):
    permission_classes = [Readers]

    @extend_schema(request=FindingAssignSerializer, responses=FindingSerializer)
    def post(self, request, pk: int):
        finding = get_or_404(finding_list(actor=request.user), pk, "finding")
        data = validated(FindingAssignSerializer, request.data)
        assignee = None
        if data["assignee"]:
            assignee = User.objects.filter(username=data["assignee"]).first()
            if assignee is None:
                raise NotFound(
                    "user_not_found", _("No user %(user)s.") % {"user": repr(data["assignee"])}
                )
        finding = finding_assign(actor=request.user, finding=finding, assignee=assignee)
        return Response(FindingSerializer(finding).data)


# --- operational metrics --------------------------------------------------------------------
class OperationalMetricsView(SelectorRowsMixin, generics.ListAPIView):
    """GET the reported windows of a version; POST reports one (judged at once)."""

    serializer_class = OperationalMetricSerializer
    permission_classes = [MetricReporters]
    filterset_fields = {"environment": ["exact"], "window_end": ["gte", "lte"]}

    model = OperationalMetric

    def rows(self):
        mv = get_or_404(
            registry_selectors.model_version_list(actor=self.request.user),
            self.kwargs["pk"],
            "model version",
        )
        return (
            operational_metric_list(actor=self.request.user)
            .filter(model_version=mv)
            .prefetch_related("findings__resolved_by")
        )

    @extend_schema(
        request=OperationalMetricReportSerializer,
        responses={201: OperationalMetricSerializer},
    )
    def post(self, request, pk: int):
        mv = get_or_404(
            registry_selectors.model_version_list(actor=request.user), pk, "model version"
        )
        data = dict(validated(OperationalMetricReportSerializer, request.data))
        metric = operational_metrics_report(actor=request.user, model_version=mv, **data)
        return Response(OperationalMetricSerializer(metric).data, status=status.HTTP_201_CREATED)
