"""Classification, review, gate and deployment endpoints: thin views over services.

Each view first finds the object among those the actor may see (404 otherwise, so another
team's objects are never confirmed to exist), then lets the service apply the role rules."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.api.base import SelectorRowsMixin, get_or_404, validated
from governance.kernel.api.errors import ApiError
from governance.policy.classification.models import QuestionnaireQuestion, RiskClassification
from governance.policy.classification.selectors import classification_list, questionnaire_list
from governance.policy.classification.serializers import (
    ClassificationCreateSerializer,
    ClassificationSerializer,
    QuestionnaireQuestionSerializer,
)
from governance.policy.classification.services import risk_classification_record
from registry.selectors import system_list


def _system(request, pk: int):

    return get_or_404(system_list(actor=request.user), pk, "system")


class ClassificationView(APIView):
    """The system's current AI Act classification; POST answers to classify it again."""

    @extend_schema(responses=ClassificationSerializer)
    def get(self, request, pk: int):
        system = _system(request, pk)
        current = classification_list(actor=request.user, system_id=system.pk).first()
        if current is None:
            raise ApiError(404, "not_classified", f"System {system.pk} is not classified yet.")
        return Response(ClassificationSerializer(current).data)

    @extend_schema(
        request=ClassificationCreateSerializer, responses={201: ClassificationSerializer}
    )
    def post(self, request, pk: int):
        system = _system(request, pk)
        data = validated(ClassificationCreateSerializer, request.data)
        record = risk_classification_record(actor=request.user, system=system, **data)
        return Response(ClassificationSerializer(record).data, status=status.HTTP_201_CREATED)


class ClassificationHistoryView(SelectorRowsMixin, generics.ListAPIView):
    """Every classification of the system, newest (current) first."""

    serializer_class = ClassificationSerializer
    filter_backends: list = []

    model = RiskClassification

    def rows(self):
        system = _system(self.request, self.kwargs["pk"])
        return classification_list(actor=self.request.user, system_id=system.pk)


class QuestionnaireView(SelectorRowsMixin, generics.ListAPIView):
    """The questions to answer, in order, with their options and articles."""

    serializer_class = QuestionnaireQuestionSerializer
    pagination_class = None
    filter_backends: list = []

    model = QuestionnaireQuestion

    def rows(self):
        return questionnaire_list(actor=self.request.user)
