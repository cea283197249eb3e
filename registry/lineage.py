"""Lineage traversal at any depth in a fixed number of queries (one recursive CTE each way).

Nodes are ``("d", dataset_version_id)`` or ``("m", model_version_id)``. The CTE uses UNION, not
UNION ALL, so it terminates even if a cycle slipped into the table by hand.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from registry.models import LineageEdge

Node = tuple[str, int]

_COLUMNS = (
    "id, upstream_dataset_version_id, upstream_model_version_id, "
    "downstream_dataset_version_id, downstream_model_version_id"
)
_E_COLUMNS = ", ".join(f"e.{c.strip()}" for c in _COLUMNS.split(","))
_OUT = """
SELECT id,
       CASE WHEN up_d IS NOT NULL THEN 'd' ELSE 'm' END, COALESCE(up_d, up_m),
       CASE WHEN down_d IS NOT NULL THEN 'd' ELSE 'm' END, COALESCE(down_d, down_m)
FROM reach
"""


def _walk(start_column: str, join: str) -> str:
    # The recursion follows the edge table's own indexed foreign-key columns, so each step
    # reads only the edges it reaches (an index probe per node), however large the graph.
    return (
        f"WITH RECURSIVE reach(id, up_d, up_m, down_d, down_m) AS ("
        f" SELECT {_COLUMNS} FROM registry_lineageedge WHERE {start_column} = %s"
        f" UNION SELECT {_E_COLUMNS} FROM reach r JOIN registry_lineageedge e ON {join}"
        f"){_OUT}"
    )


_UP_JOIN = "e.downstream_dataset_version_id = r.up_d OR e.downstream_model_version_id = r.up_m"
_DOWN_JOIN = "e.upstream_dataset_version_id = r.down_d OR e.upstream_model_version_id = r.down_m"
_UPSTREAM = {
    "d": _walk("downstream_dataset_version_id", _UP_JOIN),
    "m": _walk("downstream_model_version_id", _UP_JOIN),
}
_DOWNSTREAM = {
    "d": _walk("upstream_dataset_version_id", _DOWN_JOIN),
    "m": _walk("upstream_model_version_id", _DOWN_JOIN),
}


EdgeRow = tuple[int, str, int, str, int]  # id, upstream kind, id, downstream kind, id


def _rows(sql: dict[str, str], node: Node) -> list[EdgeRow]:
    with connection.cursor() as cursor:
        cursor.execute(sql[node[0]], [node[1]])
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
