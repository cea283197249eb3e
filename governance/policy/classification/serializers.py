"""Serializers of the governance domain endpoints: one input and one output per endpoint.

Outputs are read-only; signatures, evidence, statuses and who-did-what are never input."""

from __future__ import annotations

from rest_framework import serializers

from governance.policy.classification.models import (
    QuestionnaireOption,
    QuestionnaireQuestion,
    RiskClassification,
)


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
