"""Classification, review, gate and deployment endpoints: thin views over services.

Each view first finds the object among those the actor may see (404 otherwise, so another
team's objects are never confirmed to exist), then lets the service apply the role rules."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.api.base import SelectorRowsMixin, validated
from governance.policy.deployments.models import Deployment
from governance.policy.deployments.selectors import deployment_list
from governance.review.approvals.api import _version
from governance.review.evaluation import gate
from governance.review.gate.serializers import (
    DeploymentCreateSerializer,
    DeploymentQuerySerializer,
    DeploymentSerializer,
    GateQuerySerializer,
    GateSerializer,
)
from governance.review.gate.services import deployment_record


class GateView(APIView):
    """May this version run in the environment? For CI/CD: any token that can see it."""

    @extend_schema(
        parameters=[
            OpenApiParameter("environment", str, enum=["dev", "test", "prod"], default="prod")
        ],
        responses=GateSerializer,
    )
    def get(self, request, pk: int):
        mv = _version(request, pk)
        query = validated(GateQuerySerializer, request.query_params)
        verdict = gate(mv, environment=query["environment"])
        return Response(GateSerializer(verdict).data)


class VersionDeploymentsView(SelectorRowsMixin, generics.ListAPIView):
    """Deployments of the version (GET); record a deployment or rollback (POST)."""

    serializer_class = DeploymentSerializer
    filter_backends: list = []

    model = Deployment

    def rows(self):
        mv = _version(self.request, self.kwargs["pk"])
        return deployment_list(actor=self.request.user, model_version_id=mv.pk)

    @extend_schema(request=DeploymentCreateSerializer, responses={201: DeploymentSerializer})
    def post(self, request, pk: int):
        mv = _version(request, pk)
        data = validated(DeploymentCreateSerializer, request.data)
        row = deployment_record(actor=request.user, model_version=mv, **data)
        return Response(DeploymentSerializer(row).data, status=status.HTTP_201_CREATED)


class DeploymentListView(SelectorRowsMixin, generics.ListAPIView):
    """Deployments you may see. ``?model=M&environment=prod&at=<ISO time>`` answers which
    version of M was in production at that time (one row, or none)."""

    serializer_class = DeploymentSerializer
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("model", int),
            OpenApiParameter("model_version", int),
            OpenApiParameter("environment", str, enum=["dev", "test", "prod"]),
            OpenApiParameter("at", str, description="ISO 8601 date-time"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    model = Deployment

    def rows(self):
        query = validated(DeploymentQuerySerializer, self.request.query_params)
        return deployment_list(
            actor=self.request.user,
            model_id=query.get("model"),
            model_version_id=query.get("model_version"),
            environment=query.get("environment"),
            at=query.get("at"),
        )
