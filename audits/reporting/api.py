"""REST endpoints for reports: request (202), status, download, evidence pack, verify."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiTypes, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.programme.models import AuditRun
from audits.reporting import services
from audits.reporting.models import Report, ReportKind
from governance.kernel.accounts.models import Role
from governance.kernel.api.base import SelectorRowsMixin
from governance.kernel.api.errors import ApiError
from governance.kernel.languages import DEFAULT_LANGUAGE
from governance.kernel.permissions import role_permission
from registry import selectors as registry_selectors

ReportRoles = role_permission(Role.AUDITOR, Role.COMPLIANCE_OFFICER, Role.ADMIN)


class ApproverSerializer(serializers.Serializer):
    name = serializers.CharField()
    capacity = serializers.CharField()
    decided_at = serializers.CharField()
    round = serializers.IntegerField()


class DocumentControlSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    status = serializers.CharField(help_text="DRAFT or FINAL")
    version_status = serializers.CharField()
    approvers = ApproverSerializer(many=True)


class ReportSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    download_url = serializers.SerializerMethodField()
    document_control = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "language",
            "model_version",
            "audit_run",
            "status",
            "progress",
            "progress_message",
            "error_code",
            "error_message",
            "sha256",
            "size",
            "pages",
            "template_version",
            "snapshot_sha256",
            "generated_at",
            "render_seconds",
            "requested_by",
            "queued_at",
            "finished_at",
            "retention_until",
            "document_control",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(DocumentControlSerializer(allow_null=True))
    def get_document_control(self, obj) -> dict | None:
        return obj.document_control

    def get_download_url(self, obj) -> str | None:
        return f"/api/v1/reports/{obj.pk}/download/" if obj.sha256 else None


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    audit_run = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        default=DEFAULT_LANGUAGE,
        help_text="The language the report is written in: en, fr or de (default en).",
    )


class VerifySerializer(serializers.Serializer):
    report = serializers.IntegerField()
    sha256 = serializers.CharField()
    stored_file_intact = serializers.BooleanField()
    regenerated_sha256 = serializers.CharField()
    identical = serializers.BooleanField()


def report_queryset(user):
    """Reports the user may see: those about objects visible to them, and inventories."""

    visible_versions = registry_selectors.model_version_list(actor=user).values("pk")
    return Report.objects.filter(
        Q(model_version__in=visible_versions) | Q(model_version__isnull=True)
    ).select_related("requested_by")


def _report(request, pk):
    report = report_queryset(request.user).filter(pk=pk).first()
    if report is None:
        raise ApiError(404, "not_found", f"No report {pk}, or you may not see it.")
    return report


class ModelVersionReportsView(SelectorRowsMixin, generics.ListAPIView):
    """GET the reports of a model version; POST {kind} queues one (202)."""

    serializer_class = ReportSerializer
    permission_classes = [ReportRoles]
    filter_backends: list = []

    model = Report

    def rows(self):
        mv = self._version()
        return report_queryset(self.request.user).filter(model_version=mv)

    def _version(self):
        mv = (
            registry_selectors.model_version_list(actor=self.request.user)
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if mv is None:
            raise ApiError(404, "not_found", "No such model version, or you may not see it.")
        return mv

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportSerializer})
    def post(self, request, pk: int):
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind = data.validated_data["kind"]
        if kind not in services.VERSION_KINDS:
            raise ApiError(
                400,
                "invalid_kind",
                "A model version has annex_iv, model_card, annex_xi and annex_xii "
                "reports; audit reports come from audit runs, the inventory from "
                "POST reports/.",
            )
        report = services.report_request(
            actor=request.user,
            kind=kind,
            model_version=self._version(),
            language=data.validated_data["language"],
        )
        report.refresh_from_db()
        return Response(ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)


class ReportListView(SelectorRowsMixin, generics.ListAPIView):
    """Every report you may see; POST {kind: inventory} or {kind: audit, audit_run} queues one."""

    serializer_class = ReportSerializer
    permission_classes = [ReportRoles]
    filterset_fields = {"kind": ["exact"], "status": ["exact"], "model_version": ["exact"]}
    ordering_fields = ["queued_at"]

    model = Report

    def rows(self):
        return report_queryset(self.request.user)

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportSerializer})
    def post(self, request):
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind = data.validated_data["kind"]
        audit_run = None
        if kind == ReportKind.AUDIT:
            audit_run = AuditRun.objects.filter(pk=data.validated_data.get("audit_run")).first()
            if audit_run is None:
                raise ApiError(400, "audit_run_required", "Give the id of an existing audit run.")
        elif kind != ReportKind.INVENTORY:
            raise ApiError(
                400,
                "invalid_kind",
                "Model-version reports are requested at model-versions/{id}/reports/.",
            )
        report = services.report_request(
            actor=request.user,
            kind=kind,
            audit_run=audit_run,
            language=data.validated_data["language"],
        )
        report.refresh_from_db()
        return Response(ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)


class ReportDetailView(APIView):
    permission_classes = [ReportRoles]

    @extend_schema(responses=ReportSerializer)
    def get(self, request, pk: int):
        return Response(ReportSerializer(_report(request, pk)).data)


def _file_response(body: bytes, name: str, ctype: str, sha256: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-SHA256"] = sha256
    return response


class ReportDownloadView(APIView):
    """The PDF. Every download is an audit event."""

    permission_classes = [ReportRoles]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        report = _report(request, pk)
        body, name, ctype = services.report_download(actor=request.user, report=report)
        return _file_response(body, name, ctype, report.sha256)


class EvidencePackView(APIView):
    """A zip: the PDF, the snapshot JSON and a manifest of every hash the report used."""

    permission_classes = [ReportRoles]

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        report = _report(request, pk)
        body, name, ctype = services.report_download(
            actor=request.user, report=report, what="evidence_pack"
        )

        return _file_response(body, name, ctype, hashlib.sha256(body).hexdigest())


class ReportVerifyView(APIView):
    """Re-render from the stored snapshot and say whether the bytes are identical."""

    permission_classes = [ReportRoles]

    @extend_schema(request=None, responses=VerifySerializer)
    def post(self, request, pk: int):
        return Response(services.report_verify(report=_report(request, pk)))
