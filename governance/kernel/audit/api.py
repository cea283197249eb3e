"""API views of the governance app: thin, they validate and call services or selectors."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.accounts.models import Role
from governance.kernel.api.base import validated
from governance.kernel.api.pagination import CappedCountPagination
from governance.kernel.audit.bundle import audit_bundle_tempfile
from governance.kernel.audit.selectors import audit_event_list
from governance.kernel.audit.serializers import (
    AuditEventSerializer,
    AuditQuerySerializer,
    ChainVerificationSerializer,
)
from governance.kernel.audit.services import (
    audit_chain_verification_start,
    audit_chain_verify,
    canonical_json,
)
from governance.kernel.jobs.serializers import BackgroundJobSerializer
from governance.kernel.permissions import IsAuditReader, role_permission

AUDIT_FILTERS = [
    OpenApiParameter("target_type", str, description="e.g. registry.modelversion"),
    OpenApiParameter("target_id", str),
    OpenApiParameter("actor", int, description="user id"),
    OpenApiParameter("action", str, description="prefix, e.g. review."),
    OpenApiParameter("since", OpenApiTypes.DATETIME, description="ISO 8601, inclusive"),
    OpenApiParameter("until", OpenApiTypes.DATETIME, description="ISO 8601, exclusive"),
]


def _audit_filters(request) -> dict:
    query = validated(AuditQuerySerializer, request.query_params)
    out = {key: value for key, value in query.items() if value not in ("", None)}
    if "actor" in out:
        out["actor_id"] = out.pop("actor")
    return out


class AuditEventListView(generics.ListAPIView):
    """The audit trail, newest first. Auditors and admins only. The trail grows without end,
    so pages count at most 1,000 matching events (``count_exact`` says when there are more)."""

    serializer_class = AuditEventSerializer
    permission_classes = [IsAuditReader]
    pagination_class = CappedCountPagination
    filter_backends: list = []

    @extend_schema(parameters=AUDIT_FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return audit_event_list(actor=self.request.user, **_audit_filters(self.request))


class _Echo:
    def write(self, value):
        return value


class AuditEventExportView(APIView):
    """The filtered audit trail as CSV, streamed (no size limit, flat memory)."""

    permission_classes = [IsAuditReader]

    @extend_schema(parameters=AUDIT_FILTERS, responses={(200, "text/csv"): str})
    def get(self, request):
        events = audit_event_list(actor=request.user, **_audit_filters(request))
        columns = [
            "sequence",
            "created_at",
            "actor_username",
            "actor_role",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "payload",
            "request_id",
            "prev_hash",
            "hash",
        ]

        def rows() -> Iterator[str]:
            writer = csv.writer(_Echo())
            yield writer.writerow(columns)
            for event in events.values(*columns).iterator(chunk_size=2000):
                yield writer.writerow([_csv_safe(event[c]) for c in columns])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        return response


def _csv_safe(value) -> str:

    text = canonical_json(value) if isinstance(value, (dict, list)) else str(value)
    # Spreadsheet formula injection: a cell starting with = + - @ runs as a formula.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class AuditEventVerifyView(APIView):
    """GET verifies the chain now; POST queues the verification in a worker (202)."""

    permission_classes = [IsAuditReader]

    @extend_schema(responses=ChainVerificationSerializer)
    def get(self, request):
        return Response(audit_chain_verify().as_dict())

    @extend_schema(request=None, responses={202: BackgroundJobSerializer})
    def post(self, request):
        job = audit_chain_verification_start(actor=request.user)
        job.refresh_from_db()
        return Response(BackgroundJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    def get_permissions(self):
        # Verifying is a read, but POST starts work: the same two roles may do both.
        return [role_permission(Role.ADMIN, Role.AUDITOR)()]


class AuditTrailBundleView(APIView):
    """The whole trail with its signed checkpoints and the server's public keys, as a zip an
    auditor verifies offline with ``scripts/verify_trail_bundle.py``. Taking it is audited."""

    permission_classes = [IsAuditReader]

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request):
        handle = audit_bundle_tempfile(actor=request.user)
        name = f"audit-trail-bundle-{timezone.now():%Y%m%d-%H%M%S}.zip"
        response = FileResponse(
            handle, as_attachment=True, filename=name, content_type="application/zip"
        )
        response["Cache-Control"] = "no-store"
        return response
