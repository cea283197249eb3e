"""REST endpoints of the registry: thin views over services and selectors."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.accounts.models import Role
from governance.kernel.api.base import SelectorRowsMixin, get_or_404, validated
from governance.kernel.api.conditional import conditional_body_response
from governance.kernel.api.errors import ApiError
from governance.kernel.api.pagination import CappedCountPagination
from governance.kernel.permissions import CHANGE, role_permission
from governance.kernel.readcache import list_scope, read_through
from registry import selectors
from registry.api import serializers as s
from registry.api.filters import (
    ModelVersionFilter,
    ModelVersionOfModelFilter,
    ModelVersionSearchFilter,
    QuickFilterBackend,
    TieBreakOrderingFilter,
)
from registry.detail import model_version_detail, model_version_detail_scope
from registry.models import AISystem, Dataset, DatasetVersion, Model, ModelVersion, PIIFlag
from registry.services import datasets as dataset_services
from registry.services import systems as system_services
from registry.services import versions as version_services
from registry.services.lineage import lineage_edge_add
from registry.storage import HashingUploadHandler

ALL_ROLES = (Role.ADMIN, Role.COMPLIANCE_OFFICER, Role.DATA_SCIENTIST, Role.AUDITOR)


ScientistWrites = role_permission(Role.DATA_SCIENTIST, Role.ADMIN, safe_roles=ALL_ROLES)


ColumnWrites = role_permission(
    Role.DATA_SCIENTIST, Role.COMPLIANCE_OFFICER, Role.ADMIN, safe_roles=ALL_ROLES
)


AdminOnly = role_permission(Role.ADMIN)


class StreamedUploadMixin:
    """Hash uploads while they stream to disk and refuse oversize bodies with 413."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def upload_data(self, request):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        limit = settings.MAX_UPLOAD_BYTES
        if length > limit + 1024 * 1024:
            raise ApiError(
                413,
                "file_too_large",
                f"The upload is {length} bytes; the limit is {limit} bytes.",
                limit_bytes=limit,
            )
        handler = HashingUploadHandler(request._request)
        request._request.upload_handlers = [handler]
        try:
            data = request.data
        finally:
            # A body cut off or malformed mid-file leaves nothing behind on disk or in the
            # object store.
            handler.discard_unfinished()
        if getattr(request._request, "upload_too_large", False):
            raise ApiError(
                413,
                "file_too_large",
                f"The file exceeds the limit of {limit} bytes.",
                limit_bytes=limit,
            )
        return data


# --- systems --------------------------------------------------------------------------------
class SystemListView(SelectorRowsMixin, generics.ListAPIView):
    """AI systems your teams own (compliance officers, auditors and admins: all)."""

    serializer_class = s.SystemSerializer
    permission_classes = [ScientistWrites]
    filterset_fields = {"team__slug": ["exact"], "created_at": ["gte", "lte"]}
    search_fields = ["name", "description", "intended_purpose"]
    ordering_fields = ["name", "created_at", "updated_at"]

    model = AISystem

    def rows(self):
        return selectors.system_list(actor=self.request.user)

    @extend_schema(request=s.SystemCreateSerializer, responses={201: s.SystemSerializer})
    def post(self, request):
        data = dict(validated(s.SystemCreateSerializer, request.data))
        system = system_services.system_create(actor=request.user, **data)
        return Response(s.SystemSerializer(system).data, status=status.HTTP_201_CREATED)


class SystemDetailView(APIView):
    permission_classes = [ScientistWrites]

    @extend_schema(responses=s.SystemSerializer)
    def get(self, request, pk: int):
        system = get_or_404(selectors.system_list(actor=request.user), pk, "system")
        return Response(s.SystemSerializer(system).data)

    @extend_schema(request=s.SystemUpdateSerializer, responses=s.SystemSerializer)
    def patch(self, request, pk: int):
        system = get_or_404(selectors.system_list(actor=request.user, action=CHANGE), pk, "system")
        data = validated(s.SystemUpdateSerializer, request.data, partial=True)
        system = system_services.system_update(actor=request.user, system=system, **data)
        return Response(s.SystemSerializer(system).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        system = get_or_404(selectors.system_list(actor=request.user, action=CHANGE), pk, "system")
        system_services.system_delete(actor=request.user, system=system)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- models ---------------------------------------------------------------------------------
class ModelListView(SelectorRowsMixin, generics.ListAPIView):
    serializer_class = s.ModelSerializer
    permission_classes = [ScientistWrites]
    filterset_fields = {"system": ["exact"], "task": ["exact"], "system__team__slug": ["exact"]}
    search_fields = ["name", "description", "system__name"]
    ordering_fields = ["name", "created_at"]

    model = Model

    def rows(self):
        return selectors.model_list(actor=self.request.user)

    @extend_schema(request=s.ModelCreateSerializer, responses={201: s.ModelSerializer})
    def post(self, request):
        data = dict(validated(s.ModelCreateSerializer, request.data))
        system = get_or_404(
            selectors.system_list(actor=request.user, action=CHANGE), data.pop("system"), "system"
        )
        model = system_services.model_create(actor=request.user, system=system, **data)
        return Response(s.ModelSerializer(model).data, status=status.HTTP_201_CREATED)


class ModelDetailView(APIView):
    permission_classes = [ScientistWrites]

    @extend_schema(responses=s.ModelSerializer)
    def get(self, request, pk: int):
        return Response(
            s.ModelSerializer(
                get_or_404(selectors.model_list(actor=request.user), pk, "model")
            ).data
        )

    @extend_schema(request=s.ModelUpdateSerializer, responses=s.ModelSerializer)
    def patch(self, request, pk: int):
        model = get_or_404(selectors.model_list(actor=request.user, action=CHANGE), pk, "model")
        data = validated(s.ModelUpdateSerializer, request.data, partial=True)
        model = system_services.model_update(actor=request.user, model=model, **data)
        return Response(s.ModelSerializer(model).data)


REGISTER_EXAMPLE = OpenApiExample(
    "Register a version trained on a dataset version",
    value={
        "version": "1.0.0",
        "artefact": "<file>",
        "hyperparameters": '{"max_depth": 4}',
        "declared_metrics": '{"roc_auc": 0.79}',
        "code_commit": "3f2c1ab",
        "lineage": '[{"kind": "trained_on", "dataset_version": 1}]',
    },
    request_only=True,
)


class ModelVersionRowsMixin:
    """The model-version lists: a page's rows are read with ``values()``
    (``selectors.model_version_row_values``) and rendered by ``model_version_row``, the same
    JSON as ``ModelVersionSerializer`` (the declared ``serializer_class``, for the schema)
    without building seven model instances per row."""

    def page_rows(self, queryset):
        return selectors.model_version_row_values(queryset)

    def list(self, request, *args, **kwargs):
        # A page is kept like a version's detail (governance/kernel/readcache.py): per user,
        # for this exact URL, until the audit trail moves; visibility, filters and the
        # paginator run again only when it is not kept. Errors (a bad cursor, a model one may
        # not see) are raised by the computation and never kept.
        body, etag = read_through(
            scope=list_scope(request),
            user_id=request.user.pk,
            compute=lambda: self.page_payload(request),
        )
        return conditional_body_response(request, body, etag)

    def page_payload(self, request) -> dict:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([s.model_version_row(v) for v in page]).data


class ModelVersionsOfModelView(
    SelectorRowsMixin, ModelVersionRowsMixin, StreamedUploadMixin, generics.ListAPIView
):
    """GET the versions of a model; POST registers one: multipart with the artefact file, or
    (multipart or JSON) with an ``artefact_uri`` to fetch, or an ``external_service``."""

    serializer_class = s.ModelVersionSerializer
    permission_classes = [ScientistWrites]
    pagination_class = CappedCountPagination
    filter_backends = [QuickFilterBackend, TieBreakOrderingFilter]
    filterset_class = ModelVersionOfModelFilter
    ordering_fields = ["created_at", "version"]

    model = ModelVersion

    def rows(self):
        # Only whether the model exists and is visible matters here: its id, without the
        # joins the model's own detail needs.
        model_id = get_or_404(
            selectors.model_ids(actor=self.request.user), self.kwargs["pk"], "model"
        )
        return selectors.model_version_rows(actor=self.request.user).filter(model_id=model_id)

    @extend_schema(
        request={
            "multipart/form-data": s.ModelVersionRegisterSerializer,
            "application/json": s.ModelVersionRegisterSerializer,
        },
        responses={201: s.ModelVersionDetailSerializer},
        examples=[REGISTER_EXAMPLE],
    )
    def post(self, request, pk: int):
        model = selectors.model_to_register_into(actor=request.user, pk=pk)
        if model is None:
            raise ApiError(404, "not_found", f"No model {pk}, or you may not see it.")
        data = dict(validated(s.ModelVersionRegisterSerializer, self.upload_data(request)))
        links = []
        for link in data.pop("lineage"):
            if link.get("dataset_version"):
                target = get_or_404(
                    selectors.dataset_version_list(actor=request.user),
                    link["dataset_version"],
                    "dataset version",
                )
                links.append(version_services.LineageLink(link["kind"], dataset_version=target))
            else:
                target = get_or_404(
                    selectors.model_version_list(actor=request.user),
                    link["model_version"],
                    "model version",
                )
                links.append(version_services.LineageLink(link["kind"], model_version=target))
        uri, declared = data.pop("artefact_uri", ""), data.pop("artefact_sha256", "")
        service = data.pop("external_service", None)
        if uri:
            data.pop("artefact", None)
            mv = version_services.model_version_register_reference(
                actor=request.user,
                model=model,
                lineage=links,
                artefact_uri=uri,
                declared_sha256=declared,
                **data,
            )
        elif service:
            for unused in ("artefact", "code_commit", "environment_lock"):
                data.pop(unused, None)
            mv = version_services.model_version_register_external(
                actor=request.user,
                model=model,
                lineage=links,
                provider=service["provider"],
                model_id=service["model_id"],
                service_version=service["version"],
                terms_url=service["terms_url"],
                **data,
            )
        else:
            mv = version_services.model_version_register(
                actor=request.user, model=model, lineage=links, **data
            )
        # The row just created holds its model (with system and team), artefact and creator:
        # no need to read it back.
        return Response(s.ModelVersionDetailSerializer(mv).data, status=status.HTTP_201_CREATED)


class ModelVersionListView(SelectorRowsMixin, ModelVersionRowsMixin, generics.ListAPIView):
    """All model versions you can see, filterable by status, model, system and team."""

    serializer_class = s.ModelVersionSerializer
    pagination_class = CappedCountPagination
    # search= covers version, description, model name and system name (see the filter).
    filter_backends = [QuickFilterBackend, ModelVersionSearchFilter, TieBreakOrderingFilter]
    filterset_class = ModelVersionFilter
    ordering_fields = ["created_at", "version", "status"]

    model = ModelVersion

    def rows(self):
        return selectors.model_version_rows(actor=self.request.user)


class ModelVersionDetailView(APIView):
    permission_classes = [ScientistWrites]

    @extend_schema(responses=s.ModelVersionFullSerializer)
    def get(self, request, pk: int):
        # Visibility is checked on every request; only the body is kept (per user, until the
        # audit trail moves). A client holding the current ETag gets 304 without it.
        # The check is one fixed statement; the row itself is read only when the body is not
        # kept.
        missing = ApiError(404, "not_found", f"No model version {pk}, or you may not see it.")
        if not ModelVersion.objects.visible_pk(request.user, pk):
            raise missing
        try:
            body, etag = read_through(
                scope=model_version_detail_scope(pk),
                user_id=request.user.pk,
                compute=lambda: model_version_detail(
                    actor=request.user, model_version=selectors.model_version_seen(pk)
                ),
            )
        except ModelVersion.DoesNotExist:  # deleted since the check
            raise missing from None
        return conditional_body_response(request, body, etag)

    @extend_schema(request=s.ModelVersionUpdateSerializer, responses=s.ModelVersionDetailSerializer)
    def patch(self, request, pk: int):
        mv = get_or_404(
            selectors.model_version_list(actor=request.user, action=CHANGE), pk, "model version"
        )
        unknown = set(request.data) - set(s.ModelVersionUpdateSerializer().fields)
        if unknown:
            raise ApiError(
                400,
                "read_only_fields",
                f"These fields cannot be changed: {sorted(unknown)}",
                fields=sorted(unknown),
            )
        data = validated(s.ModelVersionUpdateSerializer, request.data, partial=True)
        mv = version_services.model_version_update(actor=request.user, model_version=mv, **data)
        return Response(s.ModelVersionDetailSerializer(mv).data)


class ModelVersionLineageView(APIView):
    @extend_schema(responses=s.LineageGraphSerializer)
    def get(self, request, pk: int):
        mv = get_or_404(selectors.model_version_list(actor=request.user), pk, "model version")
        graph = selectors.lineage_graph(actor=request.user, root=mv)
        return Response({"root": graph.root, "nodes": graph.nodes, "edges": graph.edges})


class ModelVersionTrustView(APIView):
    """Admins only: allow workers to load this one pickle-family artefact."""

    permission_classes = [AdminOnly]

    @extend_schema(request=s.TrustSerializer, responses=s.ModelVersionDetailSerializer)
    def post(self, request, pk: int):
        mv = get_or_404(selectors.model_version_list(actor=request.user), pk, "model version")
        data = validated(s.TrustSerializer, request.data)
        mv = version_services.model_version_trust_artefact(
            actor=request.user, model_version=mv, reason=data["reason"]
        )
        return Response(s.ModelVersionDetailSerializer(mv).data)


# --- datasets -------------------------------------------------------------------------------
class DatasetListView(SelectorRowsMixin, generics.ListAPIView):
    serializer_class = s.DatasetSerializer
    permission_classes = [ScientistWrites]
    filterset_fields = {"team__slug": ["exact"]}
    search_fields = ["name", "description", "origin"]
    ordering_fields = ["name", "created_at"]

    model = Dataset

    def rows(self):
        return selectors.dataset_list(actor=self.request.user)

    @extend_schema(request=s.DatasetCreateSerializer, responses={201: s.DatasetSerializer})
    def post(self, request):
        data = dict(validated(s.DatasetCreateSerializer, request.data))
        dataset = dataset_services.dataset_create(actor=request.user, **data)
        return Response(s.DatasetSerializer(dataset).data, status=status.HTTP_201_CREATED)


class DatasetDetailView(APIView):
    permission_classes = [ScientistWrites]

    @extend_schema(responses=s.DatasetSerializer)
    def get(self, request, pk: int):
        return Response(
            s.DatasetSerializer(
                get_or_404(selectors.dataset_list(actor=request.user), pk, "dataset")
            ).data
        )

    @extend_schema(request=s.DatasetUpdateSerializer, responses=s.DatasetSerializer)
    def patch(self, request, pk: int):
        dataset = get_or_404(
            selectors.dataset_list(actor=request.user, action=CHANGE), pk, "dataset"
        )
        data = validated(s.DatasetUpdateSerializer, request.data, partial=True)
        dataset = dataset_services.dataset_update(actor=request.user, dataset=dataset, **data)
        return Response(s.DatasetSerializer(dataset).data)


class DatasetVersionsOfDatasetView(SelectorRowsMixin, StreamedUploadMixin, generics.ListAPIView):
    """GET the versions of a dataset; POST multipart (CSV or Parquet file) registers one."""

    serializer_class = s.DatasetVersionSerializer
    permission_classes = [ScientistWrites]
    ordering_fields = ["created_at", "version"]

    model = DatasetVersion

    def rows(self):
        dataset = get_or_404(
            selectors.dataset_list(actor=self.request.user), self.kwargs["pk"], "dataset"
        )
        return selectors.dataset_version_list(actor=self.request.user).filter(dataset=dataset)

    @extend_schema(
        request={"multipart/form-data": s.DatasetVersionRegisterSerializer},
        responses={201: s.DatasetVersionDetailSerializer},
    )
    def post(self, request, pk: int):
        dataset = get_or_404(
            selectors.dataset_list(actor=request.user, action=CHANGE), pk, "dataset"
        )
        data = dict(validated(s.DatasetVersionRegisterSerializer, self.upload_data(request)))
        column_settings = dataset_services.ColumnSettings(
            roles=data.pop("column_roles"), sensitive=data.pop("sensitive_columns")
        )
        dv = dataset_services.dataset_version_register(
            actor=request.user,
            dataset=dataset,
            version=data["version"],
            data_file=data["file"],
            description=data["description"],
            column_settings=column_settings,
            sheet=data["sheet"],
        )
        dv = selectors.dataset_version_detail(actor=request.user).get(pk=dv.pk)
        return Response(s.DatasetVersionDetailSerializer(dv).data, status=status.HTTP_201_CREATED)


class DatasetVersionListView(SelectorRowsMixin, generics.ListAPIView):
    serializer_class = s.DatasetVersionSerializer
    filterset_fields = {
        "dataset": ["exact"],
        "profile_status": ["exact"],
        "dataset__team__slug": ["exact"],
        "blob__sha256": ["exact"],
    }
    search_fields = ["version", "dataset__name", "description"]
    ordering_fields = ["created_at", "version"]

    model = DatasetVersion

    def rows(self):
        return selectors.dataset_version_list(actor=self.request.user)


class DatasetVersionDetailView(APIView):
    @extend_schema(responses=s.DatasetVersionDetailSerializer)
    def get(self, request, pk: int):
        dv = get_or_404(selectors.dataset_version_detail(actor=request.user), pk, "dataset version")
        return Response(s.DatasetVersionDetailSerializer(dv).data)


class DatasetVersionReprofileView(APIView):
    """POST: profile a version again after its profiling failed or never finished."""

    permission_classes = [ScientistWrites]

    @extend_schema(request=None, responses={200: s.DatasetVersionDetailSerializer})
    def post(self, request, pk: int):
        dv = get_or_404(
            selectors.dataset_version_list(actor=request.user, action=CHANGE),
            pk,
            "dataset version",
        )
        dv = dataset_services.dataset_version_reprofile(actor=request.user, dataset_version=dv)
        dv = selectors.dataset_version_detail(actor=request.user).get(pk=dv.pk)
        return Response(s.DatasetVersionDetailSerializer(dv).data)


class DatasetVersionImpactView(APIView):
    """Every model version downstream of this dataset version, at any depth."""

    @extend_schema(responses=s.ModelVersionSerializer(many=True))
    def get(self, request, pk: int):
        dv = get_or_404(selectors.dataset_version_list(actor=request.user), pk, "dataset version")
        versions = selectors.impact_model_versions(actor=request.user, dataset_version=dv)
        return Response(s.ModelVersionSerializer(versions, many=True).data)


class DatasetVersionLineageView(APIView):
    @extend_schema(responses=s.LineageGraphSerializer)
    def get(self, request, pk: int):
        dv = get_or_404(selectors.dataset_version_list(actor=request.user), pk, "dataset version")
        graph = selectors.lineage_graph(actor=request.user, root=dv)
        return Response({"root": graph.root, "nodes": graph.nodes, "edges": graph.edges})


class ColumnDetailView(APIView):
    """PATCH a column's role, sensitive flag, or the status of its PII flags."""

    permission_classes = [ColumnWrites]

    def _column(self, request, pk, name, action):
        try:
            return selectors.column_get(
                actor=request.user, dataset_version_id=pk, name=name, action=action
            )
        except selectors.Column.DoesNotExist as exc:
            raise ApiError(
                404,
                "not_found",
                f"No column {name!r} in dataset version {pk}, or you may not change it.",
            ) from exc

    @extend_schema(responses=s.ColumnSerializer)
    def get(self, request, pk: int, name: str):
        return Response(s.ColumnSerializer(self._column(request, pk, name, "view")).data)

    @extend_schema(request=s.ColumnUpdateSerializer, responses=s.ColumnSerializer)
    def patch(self, request, pk: int, name: str):
        column = self._column(request, pk, name, CHANGE)
        data = validated(s.ColumnUpdateSerializer, request.data)
        if "role" in data or "is_sensitive" in data:
            column = dataset_services.column_update(
                actor=request.user,
                column=column,
                role=data.get("role"),
                is_sensitive=data.get("is_sensitive"),
            )
        flags = {f.pk: f for f in PIIFlag.objects.filter(column=column)}
        decisions = list(data.get("pii_flags", []))
        if "pii_status" in data:
            decisions += [
                {"id": pk_, "status": data["pii_status"], "comment": data["comment"]}
                for pk_ in flags
            ]
        for decision in decisions:
            flag = flags.get(decision["id"])
            if flag is None:
                raise ApiError(
                    400,
                    "unknown_flag",
                    f"PII flag {decision['id']} does not belong to column {name!r}.",
                )
            dataset_services.pii_flag_decide(
                actor=request.user,
                flag=flag,
                status=decision["status"],
                comment=decision.get("comment", ""),
            )
        column = self._column(request, pk, name, "view")
        return Response(s.ColumnSerializer(column).data)


# --- lineage --------------------------------------------------------------------------------
class LineageEdgeCreateView(APIView):
    permission_classes = [ScientistWrites]

    def _node(self, request, ref):
        if ref["type"] == "dataset_version":
            return get_or_404(
                selectors.dataset_version_list(actor=request.user), ref["id"], "dataset version"
            )
        return get_or_404(
            selectors.model_version_list(actor=request.user), ref["id"], "model version"
        )

    @extend_schema(request=s.LineageEdgeCreateSerializer, responses={201: s.LineageEdgeSerializer})
    def post(self, request):
        data = validated(s.LineageEdgeCreateSerializer, request.data)
        edge = lineage_edge_add(
            actor=request.user,
            kind=data["kind"],
            upstream=self._node(request, data["upstream"]),
            downstream=self._node(request, data["downstream"]),
        )
        kinds = {"d": "dataset_version", "m": "model_version"}
        body = {
            "id": edge.pk,
            "kind": edge.kind,
            "upstream": {"type": kinds[edge.upstream_node[0]], "id": edge.upstream_node[1]},
            "downstream": {"type": kinds[edge.downstream_node[0]], "id": edge.downstream_node[1]},
        }
        return Response(body, status=status.HTTP_201_CREATED)
