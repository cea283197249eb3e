"""Serializers of the governance domain endpoints: one input and one output per endpoint.

Outputs are read-only; signatures, evidence, statuses and who-did-what are never input.
"""

from __future__ import annotations

from rest_framework import serializers

from governance.models import (
    CHECK_KINDS,
    Decision,
    DecisionKind,
    Deployment,
    DeploymentAction,
    Environment,
    Notification,
    Policy,
    QuestionnaireOption,
    QuestionnaireQuestion,
    Raci,
    Responsibility,
    Review,
    RiskClassification,
    User,
)
from registry.models import AISystem, Dataset, Model


# --- classification ---------------------------------------------------------------------------
class ClassificationCreateSerializer(serializers.Serializer):
    answers = serializers.DictField(
        help_text="Question key → option value, or a list of values for multiple-choice "
        "questions (see classification-questionnaire/)."
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ClassificationSerializer(serializers.ModelSerializer):
    classified_by = serializers.CharField(source="classified_by.username", read_only=True)

    class Meta:
        model = RiskClassification
        fields = [
            "id",
            "system",
            "tier",
            "role",
            "annex_i",
            "annex_iii_area",
            "transparency_flags",
            "gpai",
            "gpai_systemic",
            "rationale",
            "answers",
            "notes",
            "classified_by",
            "created_at",
            "supersedes",
        ]
        read_only_fields = fields


class QuestionnaireOptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuestionnaireOption
        fields = ["value", "label", "article", "effect", "effect_value"]
        read_only_fields = fields


class QuestionnaireQuestionSerializer(serializers.ModelSerializer):
    options = QuestionnaireOptionSerializer(many=True, read_only=True)

    class Meta:
        model = QuestionnaireQuestion
        fields = ["key", "step", "position", "text", "help_text", "article", "multiple", "options"]
        read_only_fields = fields


# --- policies ---------------------------------------------------------------------------------
class PolicySerializer(serializers.ModelSerializer):
    updated_by = serializers.CharField(
        source="updated_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Policy
        fields = [
            "id",
            "tier",
            "submittable",
            "required_checks",
            "thresholds",
            "approvals_required",
            "approver_roles",
            "requires_accountable_owner",
            "pii_must_be_resolved",
            "required_documentation",
            "recertify_days",
            "audit_interval_days",
            "version",
            "updated_at",
            "updated_by",
        ]
        read_only_fields = fields


MAX_POLICY_DAYS = 3650


class PolicyUpdateSerializer(serializers.Serializer):
    submittable = serializers.BooleanField(required=False)
    required_checks = serializers.ListField(
        child=serializers.ChoiceField(choices=CHECK_KINDS), required=False
    )
    thresholds = serializers.DictField(child=serializers.DictField(), required=False)
    approvals_required = serializers.IntegerField(min_value=0, max_value=10, required=False)
    approver_roles = serializers.ListField(child=serializers.CharField(), required=False)
    requires_accountable_owner = serializers.BooleanField(required=False)
    pii_must_be_resolved = serializers.BooleanField(required=False)
    required_documentation = serializers.ListField(child=serializers.CharField(), required=False)
    # Ten years, as on the admin page's form: the value is added to dates (approval expiry,
    # next scheduled audit), which overflow long before the column's 32-bit limit does.
    recertify_days = serializers.IntegerField(
        min_value=1, max_value=MAX_POLICY_DAYS, allow_null=True, required=False
    )
    audit_interval_days = serializers.IntegerField(
        min_value=1, max_value=MAX_POLICY_DAYS, allow_null=True, required=False
    )


# --- responsibilities -------------------------------------------------------------------------
class ResponsibilitySerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    assigned_by = serializers.CharField(source="assigned_by.username", read_only=True)
    target_type = serializers.CharField(source="target_kind", read_only=True)
    target_name = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField()

    class Meta:
        model = Responsibility
        fields = [
            "id",
            "user",
            "username",
            "role",
            "target_type",
            "system",
            "model",
            "dataset",
            "target_name",
            "starts_at",
            "ends_at",
            "active",
            "note",
            "assigned_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_target_name(self, obj: Responsibility) -> str:
        return str(obj.target)

    def get_active(self, obj: Responsibility) -> bool:
        return obj.is_active()


class ResponsibilityCreateSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=Raci.choices)
    system = serializers.PrimaryKeyRelatedField(queryset=AISystem.objects.all(), required=False)
    model = serializers.PrimaryKeyRelatedField(queryset=Model.objects.all(), required=False)
    dataset = serializers.PrimaryKeyRelatedField(queryset=Dataset.objects.all(), required=False)
    ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    def validate(self, attrs):
        targets = [k for k in ("system", "model", "dataset") if attrs.get(k) is not None]
        if len(targets) != 1:
            raise serializers.ValidationError(
                "Give exactly one of system, model or dataset.", code="one_target"
            )
        attrs["target"] = attrs.pop(targets[0])
        return attrs


class ResponsibilityUpdateSerializer(serializers.Serializer):
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


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
        help_text="Required to approve: your password, re-checked as your signature.",
    )

    def validate(self, attrs):
        if attrs["decision"] == DecisionKind.APPROVE and not attrs.get("password"):
            raise serializers.ValidationError(
                {"password": ["Approving needs your password as signature."]}, code="required"
            )
        return attrs


class DecisionSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    round = serializers.IntegerField(source="review.round", read_only=True)
    review_status = serializers.CharField(source="review.status", read_only=True)

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
            "decided_at",
        ]
        read_only_fields = fields


class GateReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class GateSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    environment = serializers.CharField()
    model_version = serializers.IntegerField()
    tier = serializers.CharField()
    reasons = GateReasonSerializer(many=True)
    evaluated_at = serializers.DateTimeField()


class GateQuerySerializer(serializers.Serializer):
    environment = serializers.ChoiceField(choices=Environment.choices, default=Environment.PROD)


# --- deployments ------------------------------------------------------------------------------
class DeploymentCreateSerializer(serializers.Serializer):
    environment = serializers.ChoiceField(choices=Environment.choices)
    action = serializers.ChoiceField(
        choices=DeploymentAction.choices, default=DeploymentAction.DEPLOY
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class DeploymentSerializer(serializers.ModelSerializer):
    deployed_by = serializers.CharField(source="deployed_by.username", read_only=True)
    version = serializers.CharField(source="model_version.version", read_only=True)

    class Meta:
        model = Deployment
        fields = [
            "id",
            "model",
            "model_version",
            "version",
            "environment",
            "action",
            "deployed_by",
            "deployed_at",
            "approval",
            "replaces",
            "notes",
        ]
        read_only_fields = fields


class DeploymentQuerySerializer(serializers.Serializer):
    model = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    model_version = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    environment = serializers.ChoiceField(choices=Environment.choices, required=False)
    at = serializers.DateTimeField(required=False)

    def validate(self, attrs):
        if "at" in attrs and not ("model" in attrs and "environment" in attrs):
            raise serializers.ValidationError(
                {"at": ["'at' needs both 'model' and 'environment'."]}, code="at_needs_scope"
            )
        return attrs


# --- notifications ----------------------------------------------------------------------------
class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "message",
            "target_type",
            "target_id",
            "target_repr",
            "payload",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields


class NotificationQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None)


class NotificationsReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        help_text="Notifications to mark read; omit to mark all of yours read.",
    )


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
