"""Serializers of the sign-in endpoints: one input and one output per endpoint."""

from __future__ import annotations

from rest_framework import serializers

from governance.kernel.accounts.models import Role, Team
from governance.kernel.accounts.sso.models import GroupMapping


class GroupMappingSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default="")

    class Meta:
        model = GroupMapping
        fields = ["id", "group", "role", "team", "created_by", "created_at"]
        read_only_fields = fields


class GroupMappingCreateSerializer(serializers.Serializer):
    group = serializers.CharField(max_length=200)
    role = serializers.ChoiceField(
        choices=Role.choices, required=False, allow_blank=True, default=""
    )
    team = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Team.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )


class SignInPolicySerializer(serializers.Serializer):
    mfa_required_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), allow_empty=True
    )
