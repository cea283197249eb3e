"""API views of the governance app: thin, they validate and call services or selectors."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.accounts.lockout import login_failed, login_locked
from governance.kernel.accounts.models import Team
from governance.kernel.accounts.selectors import api_token_list, team_list, user_list
from governance.kernel.accounts.serializers import (
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    PasswordChangeSerializer,
    TeamSerializer,
    TokenIssuedSerializer,
    TokenRequestSerializer,
    UserCreateSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from governance.kernel.accounts.services import (
    api_token_issue,
    api_token_revoke,
    team_get_or_create,
    user_create,
    user_password_change,
    user_update,
)
from governance.kernel.api.base import SelectorRowsMixin
from governance.kernel.api.errors import ApiError
from governance.kernel.api.pagination import DefaultPagination
from governance.kernel.api.throttling import ScopedRateThrottle
from governance.kernel.permissions import IsAdminRole


def _issued_response(issued, user) -> Response:
    body = {
        "token": issued.raw,
        "id": issued.token.pk,
        "name": issued.token.name,
        "prefix": issued.token.prefix,
        "expires_at": issued.token.expires_at,
        "username": user.username,
        "role": user.role,
    }
    response = Response(TokenIssuedSerializer(body).data, status=status.HTTP_201_CREATED)
    # The raw token is in this body only: no browser, proxy or client cache may keep it.
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


class TokenObtainView(APIView):
    """Exchange a username and password for a new API token (shown once)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenRequestSerializer, responses={201: TokenIssuedSerializer})
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        if login_locked(request, username):
            raise ApiError(
                429,
                "locked_out",
                "Too many failed attempts; try again later.",
                retry_after_seconds=settings.LOGIN_WINDOW_SECONDS,
            )
        user = authenticate(request, username=username, password=data.validated_data["password"])
        if user is None or not user.is_active:
            login_failed(request, username)
            raise ApiError(401, "invalid_credentials", "Wrong username or password.")
        issued = api_token_issue(
            user=user,
            name=data.validated_data["name"],
            expires_in_days=data.validated_data.get("expires_in_days"),
        )
        return _issued_response(issued, user)


class MeView(APIView):
    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)


class PasswordChangeView(APIView):
    """Change your own password (the current one is asked). Every API token you hold is
    revoked, including the one making this request."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=PasswordChangeSerializer, responses={204: None})
    def post(self, request):
        data = PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user_password_change(
            actor=request.user,
            old_password=data.validated_data["old_password"],
            new_password=data.validated_data["new_password"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(APIView):
    """Your own API tokens: list, or create one more (its value is shown once)."""

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request):
        tokens = api_token_list(actor=request.user)
        return Response(ApiTokenSerializer(tokens, many=True).data)

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: TokenIssuedSerializer})
    def post(self, request):
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = api_token_issue(user=request.user, actor=request.user, **data.validated_data)
        return _issued_response(issued, request.user)


class TokenDetailView(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        token = api_token_list(actor=request.user).filter(pk=pk).first()
        if token is None:
            raise ApiError(404, "not_found", "No such token.")
        api_token_revoke(token=token, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserListView(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(responses=UserSerializer(many=True))
    def get(self, request):
        users = user_list(actor=request.user)
        paginator = self.paginator
        page = paginator.paginate_queryset(users, request, view=self)
        return paginator.get_paginated_response(UserSerializer(page, many=True).data)

    @property
    def paginator(self):

        if not hasattr(self, "_paginator"):
            self._paginator = DefaultPagination()
        return self._paginator

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def post(self, request):
        data = UserCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_create(actor=request.user, **data.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class UserDetailView(APIView):
    permission_classes = [IsAdminRole]

    def _get(self, request, pk):
        user = user_list(actor=request.user).filter(pk=pk).first()
        if user is None:
            raise ApiError(404, "not_found", "No such user.")
        return user

    @extend_schema(responses=UserSerializer)
    def get(self, request, pk: int):
        return Response(UserSerializer(self._get(request, pk)).data)

    @extend_schema(request=UserUpdateSerializer, responses=UserSerializer)
    def patch(self, request, pk: int):
        user = self._get(request, pk)
        data = UserUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if user.pk == request.user.pk and data.validated_data.get("role", user.role) != user.role:
            raise ApiError(400, "self_demotion", "Admins cannot change their own role.")
        user = user_update(user=user, actor=request.user, **data.validated_data)
        return Response(UserSerializer(user).data)


class TeamListView(SelectorRowsMixin, generics.ListAPIView):
    serializer_class = TeamSerializer
    permission_classes = [IsAdminRole]
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "created_at"]

    model = Team

    def rows(self):
        return team_list(actor=self.request.user)

    @extend_schema(request=TeamSerializer, responses={201: TeamSerializer})
    def post(self, request):
        data = TeamSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = team_get_or_create(name=data.validated_data["name"], actor=request.user)
        return Response(TeamSerializer(team).data, status=status.HTTP_201_CREATED)
