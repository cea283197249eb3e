"""Lineage traversal at any depth in a fixed number of queries (one recursive CTE each way).

Nodes are ``("d", dataset_version_id)`` or ``("m", model_version_id)``. The CTE uses UNION, not
UNION ALL, so it terminates even if a cycle slipped into the table by hand.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from registry.models import LineageEdge

Node = tuple[str, int]

_EDGES = """
    SELECT id,
           CASE WHEN upstream_dataset_version_id IS NOT NULL THEN 'd' ELSE 'm' END AS up_k,
           COALESCE(upstream_dataset_version_id, upstream_model_version_id) AS up_id,
           CASE WHEN downstream_dataset_version_id IS NOT NULL THEN 'd' ELSE 'm' END AS down_k,
           COALESCE(downstream_dataset_version_id, downstream_model_version_id) AS down_id
    FROM registry_lineageedge
"""

_UPSTREAM = f"""
WITH RECURSIVE edges AS ({_EDGES}),
reach(id, up_k, up_id, down_k, down_id) AS (
    SELECT id, up_k, up_id, down_k, down_id FROM edges WHERE down_k = %s AND down_id = %s
    UNION
    SELECT e.id, e.up_k, e.up_id, e.down_k, e.down_id
    FROM edges e JOIN reach r ON e.down_k = r.up_k AND e.down_id = r.up_id
)
SELECT id, up_k, up_id, down_k, down_id FROM reach
"""

_DOWNSTREAM = f"""
WITH RECURSIVE edges AS ({_EDGES}),
reach(id, up_k, up_id, down_k, down_id) AS (
    SELECT id, up_k, up_id, down_k, down_id FROM edges WHERE up_k = %s AND up_id = %s
    UNION
    SELECT e.id, e.up_k, e.up_id, e.down_k, e.down_id
    FROM edges e JOIN reach r ON e.up_k = r.down_k AND e.up_id = r.down_id
)
SELECT id, up_k, up_id, down_k, down_id FROM reach
"""


EdgeRow = tuple[int, str, int, str, int]  # id, upstream kind, id, downstream kind, id


def _rows(sql: str, node: Node) -> list[EdgeRow]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [node[0], node[1]])
        return [tuple(row) for row in cursor.fetchall()]


def upstream_rows(node: Node) -> list[EdgeRow]:
    """Every edge above ``node``, at any depth: one query."""
    return _rows(_UPSTREAM, node)


def downstream_rows(node: Node) -> list[EdgeRow]:
    """Every edge below ``node``, at any depth: one query."""
    return _rows(_DOWNSTREAM, node)


def upstream_dataset_version_ids(node: Node) -> set[int]:
    return {up_id for _, up_k, up_id, _, _ in upstream_rows(node) if up_k == "d"}


def downstream_model_version_ids(node: Node) -> set[int]:
    return {down_id for _, _, _, down_k, down_id in downstream_rows(node) if down_k == "m"}


def edges_with_nodes(edge_ids: Iterable[int]):
    """The edges with both endpoints and their parents loaded: one query."""
    return (
        LineageEdge.objects.filter(pk__in=list(edge_ids))
        .select_related(
            "upstream_dataset_version__dataset",
            "upstream_model_version__model__system",
            "downstream_dataset_version__dataset",
            "downstream_model_version__model__system",
        )
        .order_by("id")
    )


def would_create_cycle(upstream: Node, downstream: Node) -> bool:
    """Adding upstream -> downstream closes a cycle iff upstream is already below downstream."""
    if upstream == downstream:
        return True
    return any(
        (down_k, down_id) == upstream for _, _, _, down_k, down_id in downstream_rows(downstream)
    )
