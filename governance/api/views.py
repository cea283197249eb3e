"""API views of the governance app: thin, they validate and call services or selectors."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib.auth import authenticate
from django.http import StreamingHttpResponse
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from governance import selectors
from governance.api import serializers as s
from governance.api.errors import ApiError
from governance.api.pagination import CappedCountPagination
from governance.models import Role, Team
from governance.permissions import IsAdminRole, IsAuditReader, role_permission
from governance.services.audit import audit_chain_verification_start, audit_chain_verify
from governance.services.tokens import api_token_issue, api_token_revoke
from governance.services.users import team_get_or_create, user_create, user_update


class ApiRootView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(exclude=True)
    def get(self, request):
        names = {
            "me": "api-me",
            "tokens": "api-tokens",
            "users": "api-users",
            "teams": "api-teams",
            "audit-events": "api-audit-events",
            "audit-events-verify": "api-audit-events-verify",
            "schema": "api-schema",
            "docs": "api-docs",
        }
        links = {key: reverse(name, request=request) for key, name in names.items()}
        from governance.api.urls import extra_root_links

        for key, name in extra_root_links():
            links[key] = reverse(name, request=request)
        return Response(
            {
                "version": "1",
                "user": request.user.username,
                "role": request.user.role,
                "links": links,
            }
        )


class TokenObtainView(APIView):
    """Exchange a username and password for a new API token (shown once)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=s.TokenRequestSerializer, responses={201: s.TokenIssuedSerializer})
    def post(self, request):
        data = s.TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise ApiError(401, "invalid_credentials", "Wrong username or password.")
        issued = api_token_issue(user=user, name=data.validated_data["name"])
        body = {
            "token": issued.raw,
            "id": issued.token.pk,
            "name": issued.token.name,
            "prefix": issued.token.prefix,
            "username": user.username,
            "role": user.role,
        }
        return Response(s.TokenIssuedSerializer(body).data, status=status.HTTP_201_CREATED)


class MeView(APIView):
    @extend_schema(responses=s.UserSerializer)
    def get(self, request):
        return Response(s.UserSerializer(request.user).data)


class TokenListView(APIView):
    """Your own API tokens: list, or create one more (its value is shown once)."""

    @extend_schema(responses=s.ApiTokenSerializer(many=True))
    def get(self, request):
        tokens = selectors.api_token_list(actor=request.user)
        return Response(s.ApiTokenSerializer(tokens, many=True).data)

    @extend_schema(request=s.ApiTokenCreateSerializer, responses={201: s.TokenIssuedSerializer})
    def post(self, request):
        data = s.ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = api_token_issue(user=request.user, actor=request.user, **data.validated_data)
        body = {
            "token": issued.raw,
            "id": issued.token.pk,
            "name": issued.token.name,
            "prefix": issued.token.prefix,
            "username": request.user.username,
            "role": request.user.role,
        }
        return Response(s.TokenIssuedSerializer(body).data, status=status.HTTP_201_CREATED)


class TokenDetailView(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        token = selectors.api_token_list(actor=request.user).filter(pk=pk).first()
        if token is None:
            raise ApiError(404, "not_found", "No such token.")
        api_token_revoke(token=token, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserListView(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(responses=s.UserSerializer(many=True))
    def get(self, request):
        users = selectors.user_list(actor=request.user)
        paginator = self.paginator
        page = paginator.paginate_queryset(users, request, view=self)
        return paginator.get_paginated_response(s.UserSerializer(page, many=True).data)

    @property
    def paginator(self):
        from governance.api.pagination import DefaultPagination

        if not hasattr(self, "_paginator"):
            self._paginator = DefaultPagination()
        return self._paginator

    @extend_schema(request=s.UserCreateSerializer, responses={201: s.UserSerializer})
    def post(self, request):
        data = s.UserCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_create(actor=request.user, **data.validated_data)
        return Response(s.UserSerializer(user).data, status=status.HTTP_201_CREATED)


class UserDetailView(APIView):
    permission_classes = [IsAdminRole]

    def _get(self, request, pk):
        user = selectors.user_list(actor=request.user).filter(pk=pk).first()
        if user is None:
            raise ApiError(404, "not_found", "No such user.")
        return user

    @extend_schema(responses=s.UserSerializer)
    def get(self, request, pk: int):
        return Response(s.UserSerializer(self._get(request, pk)).data)

    @extend_schema(request=s.UserUpdateSerializer, responses=s.UserSerializer)
    def patch(self, request, pk: int):
        user = self._get(request, pk)
        data = s.UserUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if user.pk == request.user.pk and data.validated_data.get("role", user.role) != user.role:
            raise ApiError(400, "self_demotion", "Admins cannot change their own role.")
        user = user_update(user=user, actor=request.user, **data.validated_data)
        return Response(s.UserSerializer(user).data)


class TeamListView(generics.ListAPIView):
    serializer_class = s.TeamSerializer
    permission_classes = [IsAdminRole]
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Team.objects.none()
        return selectors.team_list(actor=self.request.user)

    @extend_schema(request=s.TeamSerializer, responses={201: s.TeamSerializer})
    def post(self, request):
        data = s.TeamSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = team_get_or_create(name=data.validated_data["name"], actor=request.user)
        return Response(s.TeamSerializer(team).data, status=status.HTTP_201_CREATED)


AUDIT_FILTERS = [
    OpenApiParameter("target_type", str, description="e.g. registry.modelversion"),
    OpenApiParameter("target_id", str),
    OpenApiParameter("actor", int, description="user id"),
    OpenApiParameter("action", str, description="prefix, e.g. review."),
    OpenApiParameter("since", str, description="ISO 8601 date-time, inclusive"),
    OpenApiParameter("until", str, description="ISO 8601 date-time, exclusive"),
]


def _audit_filters(request) -> dict:
    params = request.query_params
    out: dict = {}
    for key in ("target_type", "target_id", "action"):
        if params.get(key):
            out[key] = params[key]
    if params.get("actor"):
        if not params["actor"].isdigit():
            raise ApiError(400, "invalid", "actor must be a user id.")
        out["actor_id"] = int(params["actor"])
    for key in ("since", "until"):
        if params.get(key):
            value = parse_datetime(params[key])
            if value is None:
                raise ApiError(400, "invalid", f"{key} must be an ISO 8601 date-time.")
            out[key] = value
    return out


class AuditEventListView(generics.ListAPIView):
    """The audit trail, newest first. Auditors and admins only. The trail grows without end,
    so pages count at most 1,000 matching events (``count_exact`` says when there are more)."""

    serializer_class = s.AuditEventSerializer
    permission_classes = [IsAuditReader]
    pagination_class = CappedCountPagination
    filter_backends: list = []

    @extend_schema(parameters=AUDIT_FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.audit_event_list(actor=self.request.user, **_audit_filters(self.request))


class _Echo:
    def write(self, value):
        return value


class AuditEventExportView(APIView):
    """The filtered audit trail as CSV, streamed (no size limit, flat memory)."""

    permission_classes = [IsAuditReader]

    @extend_schema(parameters=AUDIT_FILTERS, responses={(200, "text/csv"): str})
    def get(self, request):
        events = selectors.audit_event_list(actor=request.user, **_audit_filters(request))
        columns = [
            "sequence",
            "created_at",
            "actor_username",
            "actor_role",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "payload",
            "request_id",
            "prev_hash",
            "hash",
        ]

        def rows() -> Iterator[str]:
            writer = csv.writer(_Echo())
            yield writer.writerow(columns)
            for event in events.values(*columns).iterator(chunk_size=2000):
                yield writer.writerow([_csv_safe(event[c]) for c in columns])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        return response


def _csv_safe(value) -> str:
    from governance.services.audit import canonical_json

    text = canonical_json(value) if isinstance(value, (dict, list)) else str(value)
    # Spreadsheet formula injection: a cell starting with = + - @ runs as a formula.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class AuditEventVerifyView(APIView):
    """GET verifies the chain now; POST queues the verification in a worker (202)."""

    permission_classes = [IsAuditReader]

    @extend_schema(responses=s.ChainVerificationSerializer)
    def get(self, request):
        return Response(audit_chain_verify().as_dict())

    @extend_schema(request=None, responses={202: s.BackgroundJobSerializer})
    def post(self, request):
        job = audit_chain_verification_start(actor=request.user)
        job.refresh_from_db()
        return Response(s.BackgroundJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    def get_permissions(self):
        # Verifying is a read, but POST starts work: the same two roles may do both.
        return [role_permission(Role.ADMIN, Role.AUDITOR)()]


class BackgroundJobView(APIView):
    @extend_schema(responses=s.BackgroundJobSerializer)
    def get(self, request, pk: int):
        from governance.models import BackgroundJob

        try:
            job = selectors.background_job_get(actor=request.user, job_id=pk)
        except BackgroundJob.DoesNotExist as exc:
            raise ApiError(404, "not_found", "No such job.") from exc
        return Response(s.BackgroundJobSerializer(job).data)
