"""Declarations of conformity, Art. 6(3) assessments and the EU database registration data
over the API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.api.base import get_or_404, validated
from governance.kernel.permissions import CHANGE
from governance.obligations.access import require_writer, visible_system
from governance.obligations.conformity.registration import registration_data
from governance.obligations.conformity.selectors import declaration_list, derogation_list
from governance.obligations.conformity.serializers import (
    DeclarationCreateSerializer,
    DeclarationFieldsSerializer,
    DeclarationSerializer,
    DerogationInputSerializer,
    DerogationSerializer,
    RegistrationSerializer,
    SignSerializer,
)
from governance.obligations.conformity.services import (
    declaration_draft,
    declaration_sign,
    declaration_update,
    derogation_record,
)


class SystemDeclarationListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=DeclarationSerializer(many=True))
    def get(self, request, pk: int):
        system = visible_system(request.user, pk)
        rows = declaration_list(actor=request.user).filter(system=system)
        return Response(DeclarationSerializer(rows, many=True).data)

    @extend_schema(request=DeclarationCreateSerializer, responses={201: DeclarationSerializer})
    def post(self, request, pk: int):
        system = visible_system(request.user, pk, CHANGE)
        data = dict(validated(DeclarationCreateSerializer, request.data))
        model_version = data.pop("model_version", None)
        declaration = declaration_draft(
            actor=request.user, system=system, fields=data, model_version=model_version
        )
        return Response(DeclarationSerializer(declaration).data, status=status.HTTP_201_CREATED)


class DeclarationDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=DeclarationSerializer)
    def get(self, request, pk: int):
        row = get_or_404(declaration_list(actor=request.user), pk, "declaration")
        return Response(DeclarationSerializer(row).data)

    @extend_schema(request=DeclarationFieldsSerializer, responses=DeclarationSerializer)
    def patch(self, request, pk: int):
        row = get_or_404(declaration_list(actor=request.user), pk, "declaration")
        require_writer(
            request.user, _("Only compliance officers and admins edit declarations of conformity.")
        )
        data = validated(DeclarationFieldsSerializer, request.data)
        row = declaration_update(actor=request.user, declaration=row, fields=dict(data))
        return Response(DeclarationSerializer(row).data)


class DeclarationSignView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=SignSerializer, responses=DeclarationSerializer)
    def post(self, request, pk: int):
        row = get_or_404(declaration_list(actor=request.user), pk, "declaration")
        require_writer(
            request.user, _("Only compliance officers and admins sign declarations of conformity.")
        )
        data = validated(SignSerializer, request.data)
        row = declaration_sign(actor=request.user, declaration=row, **data)
        return Response(DeclarationSerializer(row).data)


class SystemDerogationListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=DerogationSerializer(many=True))
    def get(self, request, pk: int):
        system = visible_system(request.user, pk)
        rows = derogation_list(actor=request.user).filter(system=system)
        return Response(DerogationSerializer(rows, many=True).data)

    @extend_schema(request=DerogationInputSerializer, responses={201: DerogationSerializer})
    def post(self, request, pk: int):
        system = visible_system(request.user, pk, CHANGE)
        data = validated(DerogationInputSerializer, request.data)
        row = derogation_record(actor=request.user, system=system, **data)
        return Response(DerogationSerializer(row).data, status=status.HTTP_201_CREATED)


class SystemRegistrationView(APIView):
    """The Annex VIII data of the system, section by section, with what is missing."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=RegistrationSerializer)
    def get(self, request, pk: int):
        system = visible_system(request.user, pk)
        return Response(registration_data(actor=request.user, system=system))
