"""FRIA endpoints: a revision out, the elements in."""

from __future__ import annotations

from rest_framework import serializers

from governance.obligations.fria.models import FRIA_FIELDS, FriaRevision
from governance.obligations.fria.services import MAX_TEXT


class FriaRevisionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    missing = serializers.SerializerMethodField()

    class Meta:
        model = FriaRevision
        fields = [
            "id",
            "system",
            "number",
            *FRIA_FIELDS,
            "rights_at_stake",
            "missing",
            "note",
            "author",
            "created_at",
        ]
        read_only_fields = fields

    def get_missing(self, obj: FriaRevision) -> list[str]:
        return obj.missing()


class FriaInputSerializer(serializers.Serializer):
    deployer_processes = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")
    period_and_frequency = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")
    affected_persons = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")
    specific_risks = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")
    human_oversight = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")
    mitigation_measures = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")
    governance_complaints = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")
    rights_at_stake = serializers.ListField(
        child=serializers.CharField(max_length=40), default=list, max_length=50
    )
    note = serializers.CharField(max_length=300, allow_blank=True, default="")
