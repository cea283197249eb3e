"""Classification, review, gate and deployment endpoints: thin views over services.

Each view first finds the object among those the actor may see (404 otherwise, so another
team's objects are never confirmed to exist), then lets the service apply the role rules.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import selectors
from governance.api import domain_serializers as s
from governance.api.errors import ApiError
from governance.models import Deployment, QuestionnaireQuestion, RiskClassification
from governance.requirements import gate
from governance.services.classification import risk_classification_record
from governance.services.deployments import deployment_record
from governance.services.reviews import model_version_submit, review_decide


def get_or_404(queryset, pk: int, what: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ApiError(404, "not_found", f"No {what} {pk}, or you may not see it.")
    return obj


def validated(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _system(request, pk: int):
    from registry.selectors import system_list

    return get_or_404(system_list(actor=request.user), pk, "system")


def _version(request, pk: int):
    from registry.selectors import model_version_list

    return get_or_404(model_version_list(actor=request.user), pk, "model version")


class ClassificationView(APIView):
    """The system's current AI Act classification; POST answers to classify it again."""

    @extend_schema(responses=s.ClassificationSerializer)
    def get(self, request, pk: int):
        system = _system(request, pk)
        current = selectors.classification_list(actor=request.user, system_id=system.pk).first()
        if current is None:
            raise ApiError(404, "not_classified", f"System {system.pk} is not classified yet.")
        return Response(s.ClassificationSerializer(current).data)

    @extend_schema(
        request=s.ClassificationCreateSerializer, responses={201: s.ClassificationSerializer}
    )
    def post(self, request, pk: int):
        system = _system(request, pk)
        data = validated(s.ClassificationCreateSerializer, request.data)
        record = risk_classification_record(actor=request.user, system=system, **data)
        return Response(s.ClassificationSerializer(record).data, status=status.HTTP_201_CREATED)


class ClassificationHistoryView(generics.ListAPIView):
    """Every classification of the system, newest (current) first."""

    serializer_class = s.ClassificationSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RiskClassification.objects.none()
        system = _system(self.request, self.kwargs["pk"])
        return selectors.classification_list(actor=self.request.user, system_id=system.pk)


class QuestionnaireView(generics.ListAPIView):
    """The questions to answer, in order, with their options and articles."""

    serializer_class = s.QuestionnaireQuestionSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return QuestionnaireQuestion.objects.none()
        return selectors.questionnaire_list(actor=self.request.user)


class SubmitView(APIView):
    """Ask for review (data scientists of the team). Refused with every blocking reason."""

    @extend_schema(request=None, responses={201: s.ReviewSerializer})
    def post(self, request, pk: int):
        mv = _version(request, pk)
        review = model_version_submit(actor=request.user, model_version=mv)
        return Response(s.ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class DecisionListView(generics.ListAPIView):
    """Signed decisions on the version (GET), or decide (POST): approve needs your password."""

    serializer_class = s.DecisionSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            from governance.models import Decision

            return Decision.objects.none()
        mv = _version(self.request, self.kwargs["pk"])
        return selectors.decision_list(actor=self.request.user, model_version_id=mv.pk)

    @extend_schema(request=s.DecisionCreateSerializer, responses={201: s.DecisionSerializer})
    def post(self, request, pk: int):
        mv = _version(request, pk)
        data = validated(s.DecisionCreateSerializer, request.data)
        row = review_decide(actor=request.user, model_version=mv, **data)
        return Response(s.DecisionSerializer(row).data, status=status.HTTP_201_CREATED)


class GateView(APIView):
    """May this version run in the environment? For CI/CD: any token that can see it."""

    @extend_schema(
        parameters=[
            OpenApiParameter("environment", str, enum=["dev", "test", "prod"], default="prod")
        ],
        responses=s.GateSerializer,
    )
    def get(self, request, pk: int):
        mv = _version(request, pk)
        query = validated(s.GateQuerySerializer, request.query_params)
        verdict = gate(mv, environment=query["environment"])
        return Response(s.GateSerializer(verdict).data)


class VersionDeploymentsView(generics.ListAPIView):
    """Deployments of the version (GET); record a deployment or rollback (POST)."""

    serializer_class = s.DeploymentSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Deployment.objects.none()
        mv = _version(self.request, self.kwargs["pk"])
        return selectors.deployment_list(actor=self.request.user, model_version_id=mv.pk)

    @extend_schema(request=s.DeploymentCreateSerializer, responses={201: s.DeploymentSerializer})
    def post(self, request, pk: int):
        mv = _version(request, pk)
        data = validated(s.DeploymentCreateSerializer, request.data)
        row = deployment_record(actor=request.user, model_version=mv, **data)
        return Response(s.DeploymentSerializer(row).data, status=status.HTTP_201_CREATED)


class DeploymentListView(generics.ListAPIView):
    """Deployments you may see. ``?model=M&environment=prod&at=<ISO time>`` answers which
    version of M was in production at that time (one row, or none)."""

    serializer_class = s.DeploymentSerializer
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

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Deployment.objects.none()
        query = validated(s.DeploymentQuerySerializer, self.request.query_params)
        return selectors.deployment_list(
            actor=self.request.user,
            model_id=query.get("model"),
            model_version_id=query.get("model_version"),
            environment=query.get("environment"),
            at=query.get("at"),
        )
