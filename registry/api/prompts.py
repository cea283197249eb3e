"""REST endpoints for the prompts of LLM applications: templates, versions, diffs, and the
prompt versions a model version runs with."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.accounts.models import Role
from governance.kernel.api.base import MAX_ID, get_or_404, parse_id, validated
from governance.kernel.api.errors import ApiError
from governance.kernel.permissions import role_permission
from registry import selectors
from registry.models import PromptBinding, PromptRole, PromptTemplate, PromptVersion
from registry.services import prompts as prompt_services

ALL_ROLES = tuple(Role.values)
# Prompts are part of what a team builds: scientists and admins write, everyone reads.
PromptWrites = role_permission(Role.DATA_SCIENTIST, Role.ADMIN, safe_roles=ALL_ROLES)


class PromptVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = PromptVersion
        fields = ["id", "number", "text", "sha256", "note", "created_by", "created_at"]


class PromptTemplateSerializer(serializers.ModelSerializer):
    versions = PromptVersionSerializer(many=True, read_only=True)

    class Meta:
        model = PromptTemplate
        fields = ["id", "model", "name", "role", "created_at", "versions"]


class PromptTemplateCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    role = serializers.ChoiceField(choices=PromptRole.choices)
    text = serializers.CharField(trim_whitespace=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PromptVersionCreateSerializer(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PromptBindingSerializer(serializers.ModelSerializer):
    prompt = serializers.CharField(source="template.name", read_only=True)
    role = serializers.CharField(source="template.role", read_only=True)
    number = serializers.IntegerField(source="prompt_version.number", read_only=True)
    sha256 = serializers.CharField(source="prompt_version.sha256", read_only=True)

    class Meta:
        model = PromptBinding
        fields = ["template", "prompt", "role", "prompt_version", "number", "sha256", "bound_at"]


class PromptBindSerializer(serializers.Serializer):
    prompt_version = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class PromptDiffSerializer(serializers.Serializer):
    template = serializers.IntegerField()
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    diff = serializers.CharField()


def _template(request, pk: int) -> PromptTemplate:
    return get_or_404(selectors.prompt_template_list(actor=request.user), pk, "prompt")


class ModelPromptsView(APIView):
    permission_classes = [PromptWrites]

    @extend_schema(responses=PromptTemplateSerializer(many=True))
    def get(self, request, pk: int):
        model = get_or_404(selectors.model_list(actor=request.user), pk, "model")
        rows = selectors.prompt_template_list(actor=request.user).filter(model=model)
        return Response(PromptTemplateSerializer(rows.prefetch_related("versions"), many=True).data)

    @extend_schema(
        request=PromptTemplateCreateSerializer, responses={201: PromptTemplateSerializer}
    )
    def post(self, request, pk: int):
        model = get_or_404(selectors.model_list(actor=request.user), pk, "model")
        data = validated(PromptTemplateCreateSerializer, request.data)
        version = prompt_services.prompt_template_create(actor=request.user, model=model, **data)
        return Response(
            PromptTemplateSerializer(version.template).data, status=status.HTTP_201_CREATED
        )


class PromptDetailView(APIView):
    permission_classes = [PromptWrites]

    @extend_schema(responses=PromptTemplateSerializer)
    def get(self, request, pk: int):
        return Response(PromptTemplateSerializer(_template(request, pk)).data)


class PromptVersionsView(APIView):
    permission_classes = [PromptWrites]

    @extend_schema(request=PromptVersionCreateSerializer, responses={201: PromptVersionSerializer})
    def post(self, request, pk: int):
        template = _template(request, pk)
        data = validated(PromptVersionCreateSerializer, request.data)
        version = prompt_services.prompt_version_add(actor=request.user, template=template, **data)
        return Response(PromptVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class PromptDiffView(APIView):
    permission_classes = [PromptWrites]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, description="version number to compare from"),
            OpenApiParameter("to", int, description="version number to compare to"),
        ],
        responses=PromptDiffSerializer,
    )
    def get(self, request, pk: int):
        template = _template(request, pk)
        numbers = [parse_id(request.query_params.get(key)) for key in ("from", "to")]
        if None in numbers:
            raise ApiError(400, "invalid_query", "Give the version numbers as ?from=<n>&to=<m>.")
        versions = {v.number: v for v in template.versions.filter(number__in=numbers)}
        missing = [n for n in numbers if n not in versions]
        if missing:
            raise ApiError(
                404, "not_found", f"Prompt {template.name!r} has no version {missing[0]}."
            )
        old, new = versions[numbers[0]], versions[numbers[1]]
        return Response(
            {
                "template": template.pk,
                "from_version": old.number,
                "to_version": new.number,
                "diff": selectors.prompt_diff(old, new),
            }
        )


class ModelVersionPromptsView(APIView):
    permission_classes = [PromptWrites]

    @extend_schema(responses=PromptBindingSerializer(many=True))
    def get(self, request, pk: int):
        mv = get_or_404(selectors.model_version_list(actor=request.user), pk, "model version")
        return Response(
            PromptBindingSerializer(selectors.prompt_bindings(model_version=mv), many=True).data
        )

    @extend_schema(request=PromptBindSerializer, responses=PromptBindingSerializer)
    def put(self, request, pk: int):
        mv = get_or_404(selectors.model_version_list(actor=request.user), pk, "model version")
        data = validated(PromptBindSerializer, request.data)
        version = get_or_404(
            PromptVersion.objects.filter(
                template__in=selectors.prompt_template_list(actor=request.user)
            ).select_related("template"),
            data["prompt_version"],
            "prompt version",
        )
        binding = prompt_services.model_version_prompt_set(
            actor=request.user, model_version=mv, prompt_version=version
        )
        return Response(PromptBindingSerializer(binding).data)
