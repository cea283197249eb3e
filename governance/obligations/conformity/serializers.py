"""Declaration, derogation and registration endpoints: outputs and the input of each action."""

from __future__ import annotations

from rest_framework import serializers

from governance.obligations.conformity.models import Declaration, Derogation, DerogationCondition
from registry.models import ModelVersion


class DeclarationSerializer(serializers.ModelSerializer):
    signed_by = serializers.CharField(source="signed_by.username", default=None)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    missing = serializers.SerializerMethodField()

    class Meta:
        model = Declaration
        fields = [
            "id",
            "system",
            "model_version",
            "number",
            "provider_name",
            "provider_address",
            "system_reference",
            "other_union_law",
            "processes_personal_data",
            "standards",
            "notified_body",
            "status",
            "missing",
            "signatory_name",
            "signatory_function",
            "on_behalf_of",
            "place_of_issue",
            "signed_at",
            "signed_by",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_missing(self, obj: Declaration) -> list[str]:
        return obj.missing()


class DeclarationFieldsSerializer(serializers.Serializer):
    provider_name = serializers.CharField(max_length=300, allow_blank=True, required=False)
    provider_address = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    system_reference = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    other_union_law = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    processes_personal_data = serializers.BooleanField(required=False)
    standards = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    notified_body = serializers.CharField(max_length=2000, allow_blank=True, required=False)


class DeclarationCreateSerializer(DeclarationFieldsSerializer):
    model_version = serializers.PrimaryKeyRelatedField(
        queryset=ModelVersion.objects.all(), required=False, allow_null=True
    )


class SignSerializer(serializers.Serializer):
    signatory_name = serializers.CharField(max_length=200)
    signatory_function = serializers.CharField(max_length=200)
    on_behalf_of = serializers.CharField(max_length=300)
    place_of_issue = serializers.CharField(max_length=200)


class DerogationSerializer(serializers.ModelSerializer):
    assessed_by = serializers.CharField(source="assessed_by.username", read_only=True)

    class Meta:
        model = Derogation
        fields = [
            "id",
            "system",
            "annex_iii_area",
            "conditions",
            "profiling",
            "significant_risk",
            "reasoning",
            "applies",
            "assessed_by",
            "created_at",
        ]
        read_only_fields = fields


class DerogationInputSerializer(serializers.Serializer):
    annex_iii_area = serializers.CharField(max_length=200)
    conditions = serializers.ListField(
        child=serializers.ChoiceField(choices=DerogationCondition.values), max_length=4
    )
    profiling = serializers.BooleanField()
    significant_risk = serializers.BooleanField()
    reasoning = serializers.CharField(max_length=20000)


class RegistrationItemSerializer(serializers.Serializer):
    section = serializers.CharField()
    point = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField()
    source = serializers.CharField()
    gap = serializers.CharField()
    where_applicable = serializers.BooleanField()


class RegistrationSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    items = RegistrationItemSerializer(many=True)


class RegistrationSerializer(serializers.Serializer):
    system = serializers.DictField()
    tier = serializers.CharField()
    role = serializers.CharField()
    classification = serializers.IntegerField(allow_null=True)
    sections = RegistrationSectionSerializer(many=True)
    missing = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())
    assembled_at = serializers.CharField()
