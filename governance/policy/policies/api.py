"""Policies, responsibilities and notifications endpoints: thin views over services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.api.base import get_or_404, validated
from governance.kernel.permissions import AdminWritesAllRead
from governance.policy.policies.selectors import policy_list
from governance.policy.policies.serializers import PolicySerializer, PolicyUpdateSerializer
from governance.policy.policies.services import policy_update


class PolicyListView(generics.ListAPIView):
    """The policy of every tier (everyone reads the rules they work under)."""

    serializer_class = PolicySerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return policy_list(actor=self.request.user)


class PolicyDetailView(APIView):
    permission_classes = [AdminWritesAllRead]

    @extend_schema(responses=PolicySerializer)
    def get(self, request, pk: int):
        return Response(PolicySerializer(self._get(request, pk)).data)

    @extend_schema(request=PolicyUpdateSerializer, responses=PolicySerializer)
    def patch(self, request, pk: int):
        policy = self._get(request, pk)
        data = validated(PolicyUpdateSerializer, request.data, partial=True)
        policy = policy_update(actor=request.user, policy=policy, **data)
        return Response(PolicySerializer(policy).data)

    def _get(self, request, pk: int):
        return get_or_404(policy_list(actor=request.user), pk, "policy")
