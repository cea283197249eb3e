"""Serializers of the governance domain endpoints: one input and one output per endpoint.

Outputs are read-only; signatures, evidence, statuses and who-did-what are never input."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.review.approvals.models import Decision, DecisionKind, Review
from governance.review.approvals.services import decision_signature_valid


# --- reviews ----------------------------------------------------------------------------------
class ReviewSerializer(serializers.ModelSerializer):
    model_version_status = serializers.CharField(source="model_version.status", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "model_version",
            "model_version_status",
            "round",
            "status",
            "tier",
            "classification",
            "policy_version",
            "opened_at",
            "opened_reason",
            "approved_at",
            "expires_at",
            "invalidated_at",
            "invalidation_code",
            "invalidation_reason",
        ]
        read_only_fields = fields


class DecisionCreateSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=DecisionKind.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    password = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        style={"input_type": "password"},
        help_text="To approve: your password, re-checked as your signature (accounts without "
        "an authenticator app, while local passwords are allowed).",
    )
    totp_code = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        max_length=12,
        help_text="To approve: the current code of your authenticator app.",
    )

    def validate(self, attrs):
        if (
            attrs["decision"] == DecisionKind.APPROVE
            and not attrs.get("password")
            and not attrs.get("totp_code")
        ):
            raise serializers.ValidationError(
                {
                    "password": [
                        "Approving needs your signature: a password or an authenticator code "
                        "(totp_code). Re-authenticating at the identity provider is done on "
                        "the decision page."
                    ]
                },
                code="required",
            )
        return attrs


class DecisionSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    round = serializers.IntegerField(source="review.round", read_only=True)
    review_status = serializers.CharField(source="review.status", read_only=True)
    server_signature_valid = serializers.SerializerMethodField(
        help_text="The server's Ed25519 signature over this decision record still verifies."
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "model_version",
            "round",
            "review_status",
            "decision",
            "reviewer",
            "reviewer_role",
            "capacities",
            "comment",
            "evidence",
            "signature",
            "server_signature",
            "signing_key_id",
            "server_signature_valid",
            "decided_at",
            "signed_with",
            "authenticated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_server_signature_valid(self, row: Decision) -> bool:
        return decision_signature_valid(row)
