"""Users, teams and API tokens over the API: one input and one output serializer per endpoint."""

from __future__ import annotations

from rest_framework import serializers

from governance.kernel.accounts.models import ApiToken, Role, Team, User


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, default="API token")
    # Bounded by API_TOKEN_MAX_LIFETIME_DAYS in the service (a 400 names the maximum).
    expires_in_days = serializers.IntegerField(min_value=1, required=False)


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=256, style={"input_type": "password"})
    new_password = serializers.CharField(max_length=256, style={"input_type": "password"})


class TokenIssuedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once; store it now.")
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    expires_at = serializers.DateTimeField()
    username = serializers.CharField()
    role = serializers.CharField()


class ApiTokenSerializer(serializers.ModelSerializer):
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "is_active",
        ]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_in_days = serializers.IntegerField(min_value=1, required=False)


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "slug", "description", "created_at"]
        read_only_fields = ["id", "slug", "created_at"]


class UserSerializer(serializers.ModelSerializer):
    teams = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "teams",
            "is_active",
            "date_joined",
            "last_login",
        ]
        read_only_fields = fields


class UserCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)
    teams = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Team.objects.all(), required=False
    )
    # AUTH_PASSWORD_VALIDATORS run in the service: one rule for every path.
    password = serializers.CharField(required=False, write_only=True, max_length=256)
    email = serializers.EmailField(required=False, default="")
    first_name = serializers.CharField(required=False, default="", max_length=150)
    last_name = serializers.CharField(required=False, default="", max_length=150)

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("A user with that username exists.", code="taken")
        return value


class UserUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    teams = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Team.objects.all(), required=False
    )
    is_active = serializers.BooleanField(required=False)
    email = serializers.EmailField(required=False)
