"""The documentation of a system over the API: read and edit the sections (each edit is a
revision), list revisions, diff two of them."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.api.base import validated
from governance.kernel.api.errors import ApiError
from governance.obligations.access import visible_system
from governance.obligations.documentation.selectors import revision_diff, revision_list
from governance.obligations.documentation.serializers import (
    DocumentationUpdateSerializer,
    RevisionSerializer,
)
from governance.obligations.documentation.services import current_sections, documentation_revise


def _payload(actor, system) -> dict:
    current = revision_list(actor=actor, system_id=system.pk).first()
    return {
        "system": system.pk,
        "revision": current.number if current else 0,
        "revised_by": current.author.username if current else None,
        "revised_at": current.created_at if current else None,
        "sections": current_sections(system),
    }


class DocumentationView(APIView):
    """The system's documentation; PATCH any sections (compliance officers, admins and the
    system's team) to make a new revision."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        return Response(_payload(request.user, visible_system(request.user, pk)))

    @extend_schema(request=DocumentationUpdateSerializer, responses=OpenApiTypes.OBJECT)
    def patch(self, request, pk: int):
        system = visible_system(request.user, pk)
        data = dict(validated(DocumentationUpdateSerializer, request.data))
        note = data.pop("note", "")
        if "human_oversight_measures" in data:
            data["human_oversight_measures"] = [dict(m) for m in data["human_oversight_measures"]]
        documentation_revise(actor=request.user, system=system, changes=data, note=note)
        system.refresh_from_db()
        return Response(_payload(request.user, system))


class RevisionListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=RevisionSerializer(many=True))
    def get(self, request, pk: int):
        system = visible_system(request.user, pk)
        rows = revision_list(actor=request.user, system_id=system.pk)
        return Response(RevisionSerializer(rows, many=True).data)


class RevisionDiffView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("from", int), OpenApiParameter("to", int)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, pk: int):
        system = visible_system(request.user, pk)
        rows = revision_list(actor=request.user, system_id=system.pk)
        raw_to, raw_from = request.query_params.get("to", ""), request.query_params.get("from")
        if not raw_to.isdigit() or (raw_from is not None and not raw_from.isdigit()):
            raise ApiError(400, "invalid", "from and to must be revision numbers.")
        new = rows.filter(number=int(raw_to)).first()
        if new is None:
            raise ApiError(404, "not_found", f"No revision {raw_to}.")
        old = rows.filter(number=int(raw_from if raw_from is not None else int(raw_to) - 1)).first()
        return Response(
            {
                "from": old.number if old else 0,
                "to": new.number,
                "sections": revision_diff(old, new),
            }
        )
