"""The PDFs of single AI Act records over the API."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from audits.reporting.records.services import record_pdf, require_download_role
from audits.reporting.records.views import find_record, pdf_response, requested_language
from governance.kernel.api.errors import ApiError


class RecordPdfView(APIView):
    """GET the PDF; 404 when the record is not visible, 403 for roles without reports."""

    permission_classes = [IsAuthenticated]
    kind = ""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "language",
                str,
                enum=["en", "fr", "de"],
                description="The PDF's language (default: the request's, else en).",
            )
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request, pk: int):
        record = find_record(request.user, self.kind, pk)
        if record is None:
            raise ApiError(404, "not_found", f"No {self.kind} {pk}, or you may not see it.")
        require_download_role(request.user)
        pdf = record_pdf(
            actor=request.user,
            kind=self.kind,
            record=record,
            language=requested_language(request),
        )
        return pdf_response(pdf)
