"""REST endpoints of the MLflow import: import one version, follow a registered model."""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.core.cache import cache
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.api.base import get_or_404, validated
from governance.kernel.api.errors import ApiError
from governance.kernel.permissions import CHANGE
from registry import selectors
from registry.api import serializers as s
from registry.api.views import ScientistWrites
from registry.mlflow import services
from registry.models import MlflowLink


class MlflowImportSerializer(serializers.Serializer):
    registered_model = serializers.CharField(max_length=256)
    version = serializers.RegexField(r"^[0-9]{1,20}\Z", help_text="The MLflow version number")
    label = serializers.RegexField(
        s.LABEL, required=False, allow_blank=True, default="", help_text="Default: the number"
    )


class MlflowLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = MlflowLink
        fields = ["id", "model", "registered_model", "created_at", "last_synced_at", "last_error"]
        read_only_fields = ["id", "model", "created_at", "last_synced_at", "last_error"]


class MlflowImportView(APIView):
    """POST: import an MLflow model version into this model (idempotent: 200 with the version
    imported before, 201 when it is new; its artefact is then fetched and verified)."""

    permission_classes = [ScientistWrites]

    @extend_schema(
        request=MlflowImportSerializer,
        responses={200: s.ModelVersionDetailSerializer, 201: s.ModelVersionDetailSerializer},
    )
    def post(self, request, pk: int):
        model = get_or_404(selectors.model_list(actor=request.user, action=CHANGE), pk, "model")
        data = validated(MlflowImportSerializer, request.data)
        mv, created = services.mlflow_version_import(
            actor=request.user,
            model=model,
            registered_model=data["registered_model"],
            version=data["version"],
            label=data["label"],
        )
        mv = selectors.model_version_list(actor=request.user).get(pk=mv.pk)
        return Response(
            s.ModelVersionDetailSerializer(mv).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MlflowLinksView(APIView):
    """GET the MLflow registered models this model follows; POST follows one more (the
    periodic sync imports its new versions)."""

    permission_classes = [ScientistWrites]

    @extend_schema(responses=MlflowLinkSerializer(many=True))
    def get(self, request, pk: int):
        model = get_or_404(selectors.model_list(actor=request.user), pk, "model")
        return Response(MlflowLinkSerializer(model.mlflow_links.all(), many=True).data)

    @extend_schema(request=MlflowLinkSerializer, responses={201: MlflowLinkSerializer})
    def post(self, request, pk: int):
        model = get_or_404(selectors.model_list(actor=request.user, action=CHANGE), pk, "model")
        data = validated(MlflowLinkSerializer, request.data)
        link = services.mlflow_link_create(
            actor=request.user, model=model, registered_model=data["registered_model"]
        )
        return Response(MlflowLinkSerializer(link).data, status=status.HTTP_201_CREATED)


class MlflowWebhookView(APIView):
    """Deliveries of an MLflow webhook (HMAC-signed with ``MLFLOW_WEBHOOK_SECRET``): a new
    version of a followed registered model is synced at once."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(request=None, responses={202: None, 401: None})
    def post(self, request):
        secret = settings.MLFLOW_WEBHOOK_SECRET
        if not secret:
            raise ApiError(404, "not_configured", "No MLflow webhook is configured here.")
        delivery = request.headers.get("X-MLflow-Delivery-Id", "")
        timestamp = request.headers.get("X-MLflow-Timestamp", "")
        signature = request.headers.get("X-MLflow-Signature", "")
        body = request.body
        if not (delivery and timestamp.isdigit() and signature):
            raise ApiError(401, "unsigned", "The delivery lacks MLflow's signature headers.")
        if abs(time.time() - int(timestamp)) > settings.MLFLOW_WEBHOOK_MAX_AGE_SECONDS:
            raise ApiError(401, "stale", "The delivery's timestamp is too far from now.")
        if not services.mlflow_webhook_signature_valid(
            secret=secret, delivery_id=delivery, timestamp=timestamp, body=body, signature=signature
        ):
            raise ApiError(401, "bad_signature", "The signature does not match the secret.")
        try:
            event = json.loads(body)
        except ValueError:
            raise ApiError(400, "invalid_json", "The delivery is not JSON.") from None
        if not isinstance(event, dict):
            raise ApiError(400, "invalid_json", "The delivery is not a JSON object.")
        if not cache.add(f"mlflow-delivery:{delivery}", 1, timeout=3600):
            return Response({"queued": [], "duplicate": True}, status=status.HTTP_202_ACCEPTED)
        jobs = services.mlflow_webhook_received(delivery_id=delivery, event=event)
        return Response({"queued": jobs}, status=status.HTTP_202_ACCEPTED)
