"""Documentation endpoints: the sections of a system and its revisions."""

from __future__ import annotations

from rest_framework import serializers

from governance.obligations.documentation.models import DocumentationRevision
from governance.obligations.documentation.services import TEXT_SECTIONS
from registry.api.serializers import OversightMeasureSerializer


class DocumentationUpdateSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    human_oversight_measures = OversightMeasureSerializer(many=True, required=False)

    def get_fields(self):
        fields = super().get_fields()
        for name in TEXT_SECTIONS:
            fields[name] = serializers.CharField(required=False, allow_blank=True, max_length=20000)
        return fields


class RevisionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = DocumentationRevision
        fields = ["number", "changed_fields", "note", "author", "created_at", "sections"]
        read_only_fields = fields
