"""Layered left-to-right layout of a compound's signed pathway.

:func:`layout_layers` gives abstract positions (x = layer, y = rank within the layer); the
interactive Cytoscape.js view scales them. :func:`layout_columns` turns them into positions in
inches for the static drawing, splitting a tall layer into staggered sub-columns so the figure
stays close to landscape.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import networkx as nx

#: static drawing: inches between layers, between sub-columns of a split layer, between rows
COLUMN_PITCH = 1.3
SUBCOLUMN_PITCH = 1.1
ROW_PITCH = 0.72
#: a layer with more nodes than this is split into staggered sub-columns
MAX_ROWS = 8


def layout_layers(graph: nx.DiGraph, source: str) -> dict[str, tuple[float, float]]:
    """Left-to-right layered positions: x = longest-path depth from ``source``, y spread per layer.

    Context nodes (inputs not reached from the source) sit one layer before their first target.
    Within a layer nodes are ordered by barycentre sweeps (mean position of their neighbours).
    """
    reached = [n for n in graph if not graph.nodes[n].get("context")]
    core = graph.subgraph(reached)
    depth: dict[str, int] = {source: 0}
    if nx.is_directed_acyclic_graph(core):
        for n in nx.topological_sort(core):
            for s in core.successors(n):
                if n in depth:
                    depth[s] = max(depth.get(s, 0), depth[n] + 1)
    else:
        depth.update(nx.single_source_shortest_path_length(core, source))
    for n in reached:
        depth.setdefault(n, 0)
    for n in graph:
        if graph.nodes[n].get("context"):
            targets = [depth[t] for t in graph.successors(n) if t in depth]
            depth[n] = max(min(targets, default=1) - 1, 0)
    layers: dict[int, list[str]] = {}
    for n, d in depth.items():
        layers.setdefault(d, []).append(n)
    order = {d: sorted(members) for d, members in layers.items()}
    rank: dict[str, float] = {}

    def place(d: int) -> None:
        k = len(order[d])
        for i, n in enumerate(order[d]):
            rank[n] = (k - 1) / 2.0 - i

    for d in order:
        place(d)
    # barycentre sweeps (Sugiyama-style): forward by predecessors, backward by successors
    for _ in range(3):
        for d in sorted(order)[1:]:
            order[d].sort(key=lambda n: _bary(graph.predecessors(n), rank, n))
            place(d)
        for d in sorted(order, reverse=True)[1:]:
            order[d].sort(key=lambda n: _bary(graph.successors(n), rank, n))
            place(d)
    pos = {n: (float(d), rank[n]) for d, members in order.items() for n in members}
    return pos


def _bary(neighbours: Any, rank: dict[str, float], node: str) -> tuple[float, str]:
    ys = [rank[p] for p in neighbours if p in rank]
    return (-sum(ys) / len(ys) if ys else -rank.get(node, 0.0), node)


def layout_columns(
    graph: nx.DiGraph,
    source: str,
    *,
    max_rows: int = MAX_ROWS,
    space_below: Callable[[str], float] | None = None,
) -> dict[str, tuple[float, float]]:
    """Positions in inches for the static drawing: layers from :func:`layout_layers`, left to right.

    A layer of ``k > max_rows`` nodes becomes ``m = ceil(k / max_rows)`` sub-columns: taken top to
    bottom in barycentre order, node ``i`` goes to sub-column ``i % m`` and sub-column ``j``
    starts ``j * ROW_PITCH / m`` lower, so the sub-columns are staggered (edges from the left pass
    between the nodes of the front sub-columns). Within a sub-column the next node sits
    ``space_below(node)`` inches lower (at least ``ROW_PITCH``; a node with a long label needs
    more); each layer is centred on y = 0.
    """
    below = space_below or (lambda n: ROW_PITCH)
    rank = layout_layers(graph, source)
    layers: dict[int, list[str]] = {}
    for n, (x, _) in rank.items():
        layers.setdefault(int(x), []).append(n)
    pos: dict[str, tuple[float, float]] = {}
    x0 = 0.0
    for d in sorted(layers):
        members = sorted(layers[d], key=lambda n: (-rank[n][1], n))
        k = len(members)
        m = max(1, math.ceil(k / max_rows))
        ys: dict[str, float] = {}
        for j in range(m):
            y = -j * ROW_PITCH / m
            for n in members[j::m]:
                ys[n] = y
                y -= max(ROW_PITCH, below(n))
        mid = (max(ys.values()) + min(ys.values())) / 2.0
        for i, n in enumerate(members):
            pos[n] = (x0 + (i % m) * SUBCOLUMN_PITCH, ys[n] - mid)
        x0 += (m - 1) * SUBCOLUMN_PITCH + COLUMN_PITCH
    return pos
