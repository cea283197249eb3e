"""Sign-in endpoints for admins: the group-to-role rules and the second-factor policy."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.accounts.mfa.services import mfa_required_roles, sign_in_policy_update
from governance.kernel.accounts.sso.selectors import group_mapping_list
from governance.kernel.accounts.sso.serializers import (
    GroupMappingCreateSerializer,
    GroupMappingSerializer,
    SignInPolicySerializer,
)
from governance.kernel.accounts.sso.services import group_mapping_create, group_mapping_delete
from governance.kernel.api.base import get_or_404, validated
from governance.kernel.permissions import IsAdminRole


class GroupMappingListView(generics.ListAPIView):
    """Rules giving members of an identity provider group a role and/or a team (admins)."""

    serializer_class = GroupMappingSerializer
    permission_classes = [IsAdminRole]
    filter_backends: list = []

    def get_queryset(self):
        return group_mapping_list(actor=self.request.user)

    @extend_schema(request=GroupMappingCreateSerializer, responses={201: GroupMappingSerializer})
    def post(self, request):
        data = validated(GroupMappingCreateSerializer, request.data)
        mapping = group_mapping_create(actor=request.user, **data)
        return Response(GroupMappingSerializer(mapping).data, status=status.HTTP_201_CREATED)


class GroupMappingDetailView(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(responses=GroupMappingSerializer)
    def get(self, request, pk: int):
        mapping = get_or_404(group_mapping_list(actor=request.user), pk, "group mapping")
        return Response(GroupMappingSerializer(mapping).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        mapping = get_or_404(group_mapping_list(actor=request.user), pk, "group mapping")
        group_mapping_delete(actor=request.user, mapping=mapping)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignInPolicyView(APIView):
    """Which roles must use a second factor (admins)."""

    permission_classes = [IsAdminRole]

    @extend_schema(responses=SignInPolicySerializer)
    def get(self, request):
        return Response({"mfa_required_roles": mfa_required_roles()})

    @extend_schema(request=SignInPolicySerializer, responses=SignInPolicySerializer)
    def put(self, request):
        data = validated(SignInPolicySerializer, request.data)
        policy = sign_in_policy_update(actor=request.user, **data)
        return Response({"mfa_required_roles": policy.mfa_required_roles})
