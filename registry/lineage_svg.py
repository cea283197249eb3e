"""Lay out a lineage graph as SVG: columns by depth (upstream left, downstream right).

Pure Python, no Django: takes the nodes and edges of ``registry.selectors.lineage_graph`` and
returns positioned boxes and paths that a template draws. Depth comes from a breadth-first
walk from the root, so the drawing reads left to right as data flows.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 190, 46, 110, 18, 12


@dataclass(frozen=True)
class Box:
    key: str
    x: int
    y: int
    title: str
    subtitle: str
    kind: str  # dataset_version | model_version | hidden
    url: str | None
    is_root: bool


@dataclass(frozen=True)
class Path:
    d: str
    label: str
    lx: int
    ly: int


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    boxes: list[Box]
    paths: list[Path]


def _key(ref: dict) -> str:
    return f"{ref['type']}:{ref['id']}"


def _depths(root: str, edges: list[dict]) -> dict[str, int]:
    up_of: dict[str, list[str]] = defaultdict(list)
    down_of: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        up, down = _key(e["upstream"]), _key(e["downstream"])
        up_of[down].append(up)
        down_of[up].append(down)
    depth = {root: 0}
    for neighbours, step in ((up_of, -1), (down_of, 1)):
        queue = deque([root])
        while queue:
            node = queue.popleft()
            for nxt in neighbours[node]:
                if nxt not in depth:
                    depth[nxt] = depth[node] + step
                    queue.append(nxt)
    return depth


def layout(graph: dict, url_for) -> Layout:
    """``url_for(node) -> str | None`` links a box to its page."""
    root = _key(graph["root"])
    nodes = {_key(n): n for n in graph["nodes"]}
    depth = _depths(root, graph["edges"])
    for key in nodes:
        depth.setdefault(key, 0)
    columns: dict[int, list[str]] = defaultdict(list)
    for key in sorted(nodes, key=lambda k: (depth[k], nodes[k].get("name", ""), k)):
        columns[depth[key]].append(key)
    min_d = min(columns) if columns else 0
    tallest = max((len(v) for v in columns.values()), default=1)
    height = PAD * 2 + tallest * BOX_H + (tallest - 1) * GAP_Y
    positions: dict[str, tuple[int, int]] = {}
    boxes = []
    for d, keys in sorted(columns.items()):
        x = PAD + (d - min_d) * (BOX_W + GAP_X)
        offset = (height - (len(keys) * BOX_H + (len(keys) - 1) * GAP_Y)) // 2
        for i, key in enumerate(keys):
            y = offset + i * (BOX_H + GAP_Y)
            positions[key] = (x, y)
            node = nodes[key]
            hidden = node.get("hidden", False)
            kind = "hidden" if hidden else node["type"]
            title = "another team's data" if hidden else node.get("name", "")
            # The version only: the page names the kind ("dataset", "model") in its language.
            subtitle = "" if hidden else str(node.get("version", ""))
            boxes.append(
                Box(
                    key,
                    x,
                    y,
                    title[:26],
                    subtitle[:20],
                    kind,
                    None if hidden else url_for(node),
                    key == root,
                )
            )
    paths = []
    for e in graph["edges"]:
        up, down = _key(e["upstream"]), _key(e["downstream"])
        if up not in positions or down not in positions:
            continue
        (x1, y1), (x2, y2) = positions[up], positions[down]
        sx, sy, ex, ey = x1 + BOX_W, y1 + BOX_H // 2, x2, y2 + BOX_H // 2
        mid = (sx + ex) // 2
        d = f"M{sx},{sy} C{mid},{sy} {mid},{ey} {ex},{ey}"
        paths.append(Path(d, e["kind"].replace("_", " "), mid, (sy + ey) // 2 - 4))
    width = PAD * 2 + (len(columns) or 1) * BOX_W + max(len(columns) - 1, 0) * GAP_X
    return Layout(width, height, boxes, paths)
