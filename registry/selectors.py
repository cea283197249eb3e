"""Reads of the registry. Every one takes the acting user and narrows with visible_to."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext_noop

from governance.kernel.accounts.models import CROSS_TEAM_READERS, Team, User
from governance.kernel.objectstore import blob_read_bytes
from governance.kernel.permissions import CHANGE, VIEW
from governance.kernel.queries import FixedGet
from registry import lineage
from registry.inspection.formats import LLMApplicationError, parse_llm_application
from registry.models import (
    SPECIAL_CATEGORIES,
    AISystem,
    Blob,
    Column,
    Dataset,
    DatasetVersion,
    MlflowLink,
    Model,
    ModelVersion,
    PIIFlag,
    PIIStatus,
    PromptBinding,
    PromptTemplate,
    PromptVersion,
)


def system_list(*, actor: User, action: str = VIEW) -> QuerySet[AISystem]:
    return AISystem.objects.visible_to(actor, action).select_related("team", "created_by")


def model_list(*, actor: User, action: str = VIEW) -> QuerySet[Model]:
    return Model.objects.visible_to(actor, action).select_related("system__team", "created_by")


def model_to_register_into(*, actor: User, pk: int) -> Model | None:
    """The model ``actor`` may register a version into, with what the version's body shows
    (its system and team), or None. Visibility by the fixed statement of ``visible_pk``: the
    same answer as ``model_list(action=CHANGE)``, for a third less CPU on every registration."""
    if not Model.objects.visible_pk(actor, pk, CHANGE):
        return None
    try:
        return _MODEL_WITH_TEAM.get(pk)
    except Model.DoesNotExist:  # deleted since the check
        return None


_MODEL_WITH_TEAM = FixedGet(lambda: Model.objects.select_related("system__team"))
_MODEL_VERSION_WITH_RELATIONS = FixedGet(
    lambda: ModelVersion.objects.select_related(*MODEL_VERSION_RELATIONS)
)


def model_version_seen(pk: int) -> ModelVersion:
    """The version with what ``model_version_list`` joins, for a caller that has already checked
    that the reader may see it (``ModelVersion.objects.visible_pk``): no visibility filter, and
    a statement compiled once (governance/kernel/queries.py). Raises ``DoesNotExist``."""
    return _MODEL_VERSION_WITH_RELATIONS.get(pk)


def model_ids(*, actor: User, action: str = VIEW) -> QuerySet:
    """The ids of the models ``actor`` may see (or change): for checking one exists."""
    return Model.objects.visible_to(actor, action).order_by().values_list("pk", flat=True)


def mlflow_link_list(*, actor: User, action: str = VIEW) -> QuerySet[MlflowLink]:
    return MlflowLink.objects.visible_to(actor, action).select_related(
        "model__system__team", "created_by"
    )


MODEL_VERSION_RELATIONS = ("model__system__team", "artefact", "created_by", "submitted_by")


def model_version_list(*, actor: User, action: str = VIEW) -> QuerySet[ModelVersion]:
    return ModelVersion.objects.visible_to(actor, action).select_related(*MODEL_VERSION_RELATIONS)


# The columns a row of the model-version list shows, as ``QuerySet.values()`` names. The list
# views read exactly these (no model instances); ``registry.api.serializers.model_version_row``
# renders them. The team's slug, the artefact's hash and size and the two usernames are scalar
# subqueries rather than joins: PostgreSQL then plans a three-table join instead of a
# seven-table one, which took it longer to plan (2.2 ms) than to run (0.3 ms), and evaluates
# them for the page's rows only, after sorting.
MODEL_VERSION_ROW_VALUES = (
    "id",
    "model_id",
    "model__name",
    "model__system_id",
    "team_slug",
    "version",
    "status",
    "artefact_sha256",
    "artefact_size",
    "artefact_format",
    "framework",
    "artefact_safe",
    "artefact_trusted",
    "artefact_filename",
    "artefact_source",
    "artefact_uri",
    "artefact_declared_sha256",
    "artefact_verification",
    "artefact_verification_error",
    "service_provider",
    "service_model_id",
    "service_version",
    "service_terms_url",
    "created_by_name",
    "created_at",
    "submitted_by_name",
    "submitted_at",
)


def model_version_rows(*, actor: User) -> QuerySet[ModelVersion]:
    """The model-version list before its columns are chosen: filter, search, order and count
    this; read a page of it with ``model_version_row_values``."""
    return ModelVersion.objects.visible_to(actor, VIEW)


def model_version_row_values(queryset: QuerySet[ModelVersion]) -> QuerySet:
    """``queryset`` as ``values()`` of ``MODEL_VERSION_ROW_VALUES``: the columns a row shows,
    read without model instances (not the joined tables' other columns: system
    documentation, password hashes, environment locks)."""

    def one(model, column: str, key: str):
        row = model.objects.filter(pk=OuterRef(key)).order_by().values(column)[:1]
        return Subquery(row)

    return queryset.annotate(
        team_slug=one(Team, "slug", "model__system__team_id"),
        artefact_sha256=one(Blob, "sha256", "artefact_id"),
        artefact_size=one(Blob, "size", "artefact_id"),
        created_by_name=one(User, "username", "created_by_id"),
        submitted_by_name=one(User, "username", "submitted_by_id"),
    ).values(*MODEL_VERSION_ROW_VALUES)


def dataset_list(*, actor: User, action: str = VIEW) -> QuerySet[Dataset]:
    return Dataset.objects.visible_to(actor, action).select_related("team", "created_by")


def dataset_version_list(*, actor: User, action: str = VIEW) -> QuerySet[DatasetVersion]:
    return DatasetVersion.objects.visible_to(actor, action).select_related(
        "dataset__team", "blob", "created_by"
    )


def dataset_version_detail(*, actor: User) -> QuerySet[DatasetVersion]:
    flags = PIIFlag.objects.select_related("decided_by").order_by("category")
    columns = Column.objects.order_by("position").prefetch_related(
        Prefetch("pii_flags", queryset=flags)
    )
    return dataset_version_list(actor=actor).prefetch_related(Prefetch("columns", queryset=columns))


def column_get(*, actor: User, dataset_version_id: int, name: str, action: str = VIEW) -> Column:
    return (
        Column.objects.visible_to(actor, action)
        .select_related("dataset_version__dataset")
        .prefetch_related("pii_flags")
        .get(dataset_version_id=dataset_version_id, name=name)
    )


# English where recorded (API, report snapshots); the pages translate it when shown.
HIDDEN_PERSONAL_DATA = gettext_noop("Upstream data you cannot see holds personal data.")


def team_ids_visible_to(actor: User | None) -> set[int] | None:
    """The teams whose lineage nodes ``actor`` may see named; None means every team."""
    if actor is None or actor.role in CROSS_TEAM_READERS:
        return None
    return set(actor.team_ids())


def _node_team_id(obj: ModelVersion | DatasetVersion) -> int:
    if isinstance(obj, DatasetVersion):
        return obj.dataset.team_id
    return obj.model.system.team_id


def node_visible(obj: ModelVersion | DatasetVersion, teams: set[int] | None) -> bool:
    return teams is None or _node_team_id(obj) in teams


def _node_dict(obj) -> dict[str, Any]:
    if isinstance(obj, DatasetVersion):
        return {
            "type": "dataset_version",
            "id": obj.pk,
            "name": obj.dataset.name,
            "version": obj.version,
            "parent_id": obj.dataset_id,
            "team_id": obj.dataset.team_id,
        }
    return {
        "type": "model_version",
        "id": obj.pk,
        "name": obj.model.name,
        "version": obj.version,
        "parent_id": obj.model_id,
        "status": obj.status,
    }


@dataclass
class LineageGraph:
    root: dict[str, Any]
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)


def lineage_graph(*, actor: User, root: ModelVersion | DatasetVersion) -> LineageGraph:
    """Upstream and downstream of ``root`` at any depth: two CTE queries and one fetch.

    Nodes the actor may not see (another team's dataset or model versions) are shown as
    ``hidden`` stubs, so the graph's shape is honest without leaking names.
    """
    node = ("m", root.pk) if isinstance(root, ModelVersion) else ("d", root.pk)
    up_ids = [row[0] for row in lineage.upstream_rows(node)]
    down_ids = [row[0] for row in lineage.downstream_rows(node)]
    edges = list(lineage.edges_with_nodes(set(up_ids) | set(down_ids)))
    teams = team_ids_visible_to(actor)
    graph = LineageGraph(root=_node_dict(root))
    seen: dict[tuple[str, int], dict[str, Any]] = {node: {**graph.root, "direction": "root"}}
    up_set = set(up_ids)
    for edge in edges:
        direction = "upstream" if edge.pk in up_set else "downstream"
        for obj, key in (
            (edge.upstream, edge.upstream_node),
            (edge.downstream, edge.downstream_node),
        ):
            if key in seen:
                continue
            info = _node_dict(obj)
            if not node_visible(obj, teams):
                info = {"type": info["type"], "id": obj.pk, "hidden": True}
            info["direction"] = direction
            seen[key] = info
        graph.edges.append(
            {
                "id": edge.pk,
                "kind": edge.kind,
                "upstream": {
                    "type": "dataset_version" if edge.upstream_node[0] == "d" else "model_version",
                    "id": edge.upstream_node[1],
                },
                "downstream": {
                    "type": "dataset_version"
                    if edge.downstream_node[0] == "d"
                    else "model_version",
                    "id": edge.downstream_node[1],
                },
            }
        )
    graph.nodes = list(seen.values())
    return graph


def upstream_pii(
    *, model_version: ModelVersion, upstream: list[lineage.EdgeRow] | None = None
) -> list[PIIFlag]:
    """Personal data flows downstream: every open PII flag of every dataset version upstream.

    ``upstream``: the version's ``lineage.upstream_rows``, when the caller already has them.
    """
    if upstream is None:
        upstream = lineage.upstream_rows(("m", model_version.pk))
    dv_ids = {up_id for _, up_k, up_id, _, _ in upstream if up_k == "d"}
    if not dv_ids:
        return []
    return list(
        PIIFlag.objects.filter(column__dataset_version_id__in=dv_ids)
        .exclude(status=PIIStatus.DISMISSED)
        .select_related("column__dataset_version__dataset")
        .order_by("column__dataset_version_id", "column__position", "category")
    )


def pii_summary(flags: list[PIIFlag], *, actor: User | None = None) -> dict[str, Any]:
    """The inherited personal-data summary shown with a model version.

    Flags on another team's data (when ``actor`` may not see it) are neither listed nor
    counted by name: only that such data exists and its categories (``hidden``), which is what
    a reviewer needs to know and nothing the other team's dataset or columns would reveal.
    """
    teams = team_ids_visible_to(actor)
    shown = [f for f in flags if node_visible(f.column.dataset_version, teams)]
    unseen = [f for f in flags if not node_visible(f.column.dataset_version, teams)]
    return {
        "has_personal_data": bool(flags),
        "confirmed": sum(1 for f in shown if f.status == PIIStatus.CONFIRMED),
        "suspected": sum(1 for f in shown if f.status == PIIStatus.SUSPECTED),
        "special_categories": sorted(
            {f.category for f in flags if f.category in SPECIAL_CATEGORIES}
        ),
        "categories": sorted({f.category for f in flags}),
        "flags": [
            {
                "id": f.pk,
                "dataset_version": f.column.dataset_version_id,
                "dataset": f.column.dataset_version.dataset.name,
                "dataset_version_label": f.column.dataset_version.version,
                "column": f.column.name,
                "category": f.category,
                "status": f.status,
                "confidence": f.confidence,
                "detector": f.detector,
            }
            for f in shown
        ],
        "hidden": (
            {"message": HIDDEN_PERSONAL_DATA, "categories": sorted({f.category for f in unseen})}
            if unseen
            else None
        ),
    }


def lineage_upstream_summary(
    *, actor: User | None, model_version: ModelVersion, edges
) -> list[dict[str, Any]]:
    """The direct and indirect upstream of a version, another team's nodes as stubs."""
    teams = team_ids_visible_to(actor)
    rows = []
    for e in edges:
        entry = {
            "kind": e.kind,
            "type": "dataset_version" if e.upstream_node[0] == "d" else "model_version",
            "id": e.upstream_node[1],
            "depth_1": e.downstream_node == ("m", model_version.pk),
        }
        if node_visible(e.upstream, teams):
            entry["name"] = str(e.upstream)
        else:
            entry["hidden"] = True
        rows.append(entry)
    return rows


def impact_model_versions(
    *, actor: User, dataset_version: DatasetVersion
) -> QuerySet[ModelVersion]:
    """Every model version downstream of a dataset version, at any depth."""
    ids = lineage.downstream_model_version_ids(("d", dataset_version.pk))
    return model_version_list(actor=actor).filter(pk__in=ids)


def dataset_version_pii_counts(qs: QuerySet[DatasetVersion]) -> QuerySet[DatasetVersion]:
    return qs.annotate(
        open_pii_flags=Count(
            "columns__pii_flags",
            filter=~Q(columns__pii_flags__status=PIIStatus.DISMISSED),
            distinct=True,
        )
    )


def visible_teams(*, actor: User):

    if actor.role in CROSS_TEAM_READERS:
        return Team.objects.order_by("name")
    return Team.objects.filter(pk__in=actor.team_ids()).order_by("name")


# --- prompts of LLM applications -------------------------------------------------------------


def prompt_template_list(*, actor: User, action: str = VIEW) -> QuerySet[PromptTemplate]:
    return PromptTemplate.objects.visible_to(actor, action).select_related("model__system")


def prompt_bindings(*, model_version: ModelVersion) -> QuerySet[PromptBinding]:
    """The prompt versions a model version runs with (the caller selected the version)."""
    return (
        PromptBinding.objects.filter(model_version=model_version)
        .select_related("template", "prompt_version")
        .order_by("template__name")
    )


def prompt_diff(old: PromptVersion, new: PromptVersion) -> str:
    """A unified diff between two versions of one template ("" when the texts are equal)."""
    name = old.template.name
    return "".join(
        difflib.unified_diff(
            old.text.splitlines(keepends=True),
            new.text.splitlines(keepends=True),
            fromfile=f"{name} v{old.number}",
            tofile=f"{name} v{new.number}",
        )
    )


def foundation_model(model_version: ModelVersion) -> dict[str, Any] | None:
    """The foundation model an LLM application version runs on: the external service version
    it is ``built_on`` in lineage (provider, model id, version, terms as registered there)
    over what its descriptor says (which also tells whether it is a general-purpose model
    and one with systemic risk). None when neither names one."""
    found: dict[str, Any] = {}
    if model_version.artefact_format == "llm_application" and model_version.artefact_id:
        try:
            # A descriptor is at most a few hundred kilobytes: read from the store, no local
            # copy in the web process.
            app = parse_llm_application(blob_read_bytes(model_version.artefact.sha256))
            found.update(app.get("foundation_model") or {})
        except (OSError, LLMApplicationError):
            pass
    service = (
        ModelVersion.objects.filter(
            downstream_edges__kind="built_on",
            downstream_edges__downstream_model_version=model_version,
        )
        .select_related("model")
        .first()
    )
    if service is not None and service.is_external_service:
        found.update(
            {
                "provider": service.service_provider,
                "model_id": service.service_model_id,
                "model_version": service.service_version,
                "terms_url": service.service_terms_url or found.get("terms_url", ""),
                "registered_version": service.pk,
                "registered_as": str(service),
            }
        )
    return found or None


def prompt_panel(*, model_version: ModelVersion) -> list[dict[str, Any]]:
    """Each prompt the version runs with, its text, and the diff from the version before it."""
    rows = []
    for binding in prompt_bindings(model_version=model_version):
        current = binding.prompt_version
        previous = (
            PromptVersion.objects.filter(template=binding.template, number__lt=current.number)
            .order_by("-number")
            .first()
        )
        latest = binding.template.versions.order_by("-number").values_list("number", flat=True)
        rows.append(
            {
                "template": binding.template,
                "version": current,
                "latest_number": latest.first(),
                "diff": prompt_diff(previous, current) if previous else "",
                "previous_number": previous.number if previous else None,
            }
        )
    return rows
