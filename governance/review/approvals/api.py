"""Classification, review, gate and deployment endpoints: thin views over services.

Each view first finds the object among those the actor may see (404 otherwise, so another
team's objects are never confirmed to exist), then lets the service apply the role rules."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.api.base import SelectorRowsMixin, get_or_404, validated
from governance.review.approvals.models import Decision
from governance.review.approvals.selectors import decision_list
from governance.review.approvals.serializers import (
    DecisionCreateSerializer,
    DecisionSerializer,
    ReviewSerializer,
)
from governance.review.approvals.services import model_version_submit, review_decide
from registry.selectors import model_version_list


def _version(request, pk: int):

    return get_or_404(model_version_list(actor=request.user), pk, "model version")


class SubmitView(APIView):
    """Ask for review (data scientists of the team). Refused with every blocking reason."""

    @extend_schema(request=None, responses={201: ReviewSerializer})
    def post(self, request, pk: int):
        mv = _version(request, pk)
        review = model_version_submit(actor=request.user, model_version=mv)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class DecisionListView(SelectorRowsMixin, generics.ListAPIView):
    """Signed decisions on the version (GET), or decide (POST): approve needs your password."""

    serializer_class = DecisionSerializer
    filter_backends: list = []

    model = Decision

    def rows(self):
        mv = _version(self.request, self.kwargs["pk"])
        return decision_list(actor=self.request.user, model_version_id=mv.pk)

    @extend_schema(request=DecisionCreateSerializer, responses={201: DecisionSerializer})
    def post(self, request, pk: int):
        mv = _version(request, pk)
        data = validated(DecisionCreateSerializer, request.data)
        row = review_decide(actor=request.user, model_version=mv, **data)
        return Response(DecisionSerializer(row).data, status=status.HTTP_201_CREATED)
