"""Signed pathway graph and the direction a compound is predicted to move each node.

The graph is a ``networkx.DiGraph``; every edge carries ``sign`` (+1 activates, -1 inhibits) and
``context_dependent`` (True when a review note says its sign depends on the experimental context).
The predicted effect of a compound on a node is the product of the edge signs along each directed
path from the compound to the node:

* every path positive -> ``"increase"``; every path negative -> ``"decrease"``;
* paths of both signs, or any path through a context-dependent edge -> ``"ambiguous"``;
* no path -> ``"none"``.

This is the usual sign-consistency reasoning on signed interaction graphs (e.g. the signed
influence graphs of Siegel et al. 2006, BioSystems 84:153). Only paths are used, never edge
weights or evidence levels, so a prediction says which direction the cited mechanism implies, not
how large the effect is.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Literal

import networkx as nx

from neuroprotect.errors import InputError
from neuroprotect.knowledge.loader import KnowledgeBase, load_knowledge_base

Effect = Literal["increase", "decrease", "ambiguous", "none"]
EDGE_LEVELS = ("compound_direct", "class_sigma1", "review", "canonical")


def build_pathway_graph(
    kb: KnowledgeBase | None = None, *, levels: Iterable[str] | None = None
) -> nx.DiGraph:
    """The whole signed graph of the knowledge base.

    Parameters
    ----------
    kb
        Knowledge base; the bundled one when None.
    levels
        Evidence levels to keep (``compound_direct``, ``class_sigma1``, ``review``, ``canonical``);
        all when None.

    Returns
    -------
    networkx.DiGraph
        Node attributes ``label, kind, uncertain, uncertainty, assays``; edge attributes ``sign,
        level, confidence, context_dependent, evidence, cite, uncertain, uncertainty``.
    """
    kb = kb or load_knowledge_base()
    keep = set(levels) if levels is not None else set(EDGE_LEVELS)
    unknown = keep - set(EDGE_LEVELS)
    if unknown:
        raise InputError(f"Expected evidence levels among {EDGE_LEVELS}, but got {sorted(unknown)}")
    g = nx.DiGraph()
    for n in kb.nodes.values():
        g.add_node(
            n.id,
            label=n.label,
            kind=n.kind,
            uncertain=n.uncertain,
            uncertainty=n.uncertainty,
            assays=[a.model_dump() for a in n.assays],
        )
    for e in kb.edges:
        if e.level not in keep:
            continue
        g.add_edge(
            e.source,
            e.target,
            sign=e.sign,
            level=e.level,
            confidence=e.confidence,
            context_dependent=e.context_dependent,
            evidence=e.evidence,
            cite=list(e.cite),
            uncertain=e.uncertain,
            uncertainty=e.uncertainty,
        )
    return g


@cache
def _bundled_graph() -> nx.DiGraph:
    """The bundled graph, built once and only read (never handed out for mutation)."""
    return nx.freeze(build_pathway_graph())


def _edge_signs(g: nx.DiGraph, u: str, v: str) -> frozenset[int]:
    data = g.edges[u, v]
    if data.get("context_dependent"):
        return frozenset({1, -1})
    sign = int(data["sign"])
    if sign not in (1, -1):
        raise InputError(f"Expected edge sign +1 or -1, but got {sign}", field=f"{u}->{v}")
    return frozenset({sign})


def compute_path_signs(graph: nx.DiGraph, source: str) -> dict[str, frozenset[int]]:
    """For each node reachable from ``source``, the set of signs of the paths that reach it.

    Parameters
    ----------
    graph
        Signed digraph (edge attribute ``sign`` in {+1, -1}; optional ``context_dependent``).
    source
        Start node (the compound).

    Returns
    -------
    dict
        ``{node: frozenset of +1/-1}``; the source itself and unreachable nodes are absent.

    Notes
    -----
    On an acyclic graph the sets are propagated in topological order, sign(path) being the product
    of its edge signs; on a graph with cycles every simple path is enumerated instead (exponential
    in the worst case; the bundled graph is acyclic).
    """
    if source not in graph:
        raise InputError(f"Expected a node of the pathway graph, but got {source!r}")
    reach = nx.descendants(graph, source)
    sub = graph.subgraph(reach | {source})
    signs: dict[str, set[int]] = {n: set() for n in reach}
    if nx.is_directed_acyclic_graph(sub):
        current: dict[str, set[int]] = {source: {1}}
        for node in nx.topological_sort(sub):
            here = current.get(node, set())
            for succ in sub.successors(node):
                for s in here:
                    for e in _edge_signs(sub, node, succ):
                        current.setdefault(succ, set()).add(s * e)
        for n in reach:
            signs[n] = current.get(n, set())
    else:

        def walk(node: str, sign_set: frozenset[int], seen: set[str]) -> None:
            for succ in sub.successors(node):
                if succ in seen or succ == source:
                    continue
                nxt = frozenset(s * e for s in sign_set for e in _edge_signs(sub, node, succ))
                signs[succ] |= nxt
                seen.add(succ)
                walk(succ, nxt, seen)
                seen.remove(succ)

        walk(source, frozenset({1}), {source})
    return {n: frozenset(s) for n, s in signs.items()}


def _effect(sign_set: frozenset[int]) -> Effect:
    if not sign_set:
        return "none"
    if len(sign_set) > 1:
        return "ambiguous"
    return "increase" if next(iter(sign_set)) > 0 else "decrease"


def predicted_effects(compound_id: str, *, graph: nx.DiGraph | None = None) -> dict[str, Effect]:
    """Predicted effect of a compound on every node downstream of it (:func:`predicted_effect`)."""
    g = graph if graph is not None else _bundled_graph()
    return {n: _effect(s) for n, s in compute_path_signs(g, compound_id).items()}


def predicted_effect(compound_id: str, node_id: str, *, graph: nx.DiGraph | None = None) -> Effect:
    """Direction in which the compound is predicted to move a node.

    Parameters
    ----------
    compound_id
        Source node (a compound id of the knowledge base, or any node of ``graph``).
    node_id
        Target node (e.g. ``"BAX_BCL2_ratio"``, ``"IL1B"``).
    graph
        Signed digraph; the bundled knowledge-base graph (all evidence levels) when None.

    Returns
    -------
    str
        ``"increase"`` when every path has a positive sign product, ``"decrease"`` when every path
        is negative, ``"ambiguous"`` when paths disagree or pass through a context-dependent edge,
        ``"none"`` when no path joins them (including ``node_id == compound_id``).

    Raises
    ------
    InputError
        When either id is not a node of the graph.

    Examples
    --------
    >>> predicted_effect("imm_h004", "BAX_BCL2_ratio")
    'decrease'
    """
    g = graph if graph is not None else _bundled_graph()
    if node_id not in g:
        raise InputError(f"Expected a node of the pathway graph, but got {node_id!r}")
    return _effect(compute_path_signs(g, compound_id).get(node_id, frozenset()))


def signed_paths(
    compound_id: str, node_id: str, *, graph: nx.DiGraph | None = None, max_paths: int = 100
) -> list[tuple[list[str], int | None]]:
    """The paths from compound to node with their sign products (None for a context-dependent path).

    Useful to explain an ``"ambiguous"`` prediction. At most ``max_paths`` paths are listed.
    """
    g = graph if graph is not None else _bundled_graph()
    for n in (compound_id, node_id):
        if n not in g:
            raise InputError(f"Expected a node of the pathway graph, but got {n!r}")
    out: list[tuple[list[str], int | None]] = []
    if compound_id == node_id:
        return out
    for path in nx.all_simple_paths(g, compound_id, node_id):
        sign: int | None = 1
        for u, v in zip(path[:-1], path[1:], strict=True):
            signs = _edge_signs(g, u, v)
            sign = None if sign is None or len(signs) > 1 else sign * next(iter(signs))
        out.append((list(path), sign))
        if len(out) >= max_paths:
            break
    return out


def compound_pathway(
    compound_id: str,
    *,
    kb: KnowledgeBase | None = None,
    levels: Iterable[str] | None = None,
    context: bool = True,
) -> nx.DiGraph:
    """The part of the signed graph that a compound reaches, for drawing.

    Parameters
    ----------
    compound_id
        Compound id or synonym.
    kb, levels
        As in :func:`build_pathway_graph`.
    context
        Also add the non-compound direct inputs of reached nodes (``ischemia`` -> ``apoptosis``),
        marked ``context=True`` and ``effect="none"``.

    Returns
    -------
    networkx.DiGraph
        Subgraph whose nodes carry ``effect`` (the predicted effect) and ``context``.
    """
    kb = kb or load_knowledge_base()
    cid = kb.compound(compound_id).id
    full = build_pathway_graph(kb, levels=levels)
    if cid not in full:
        raise InputError(f"Expected a compound with a pathway graph, but {cid!r} has none")
    effects = predicted_effects(cid, graph=full)
    keep = {cid, *effects}
    extra: set[str] = set()
    if context:
        for n in list(keep):
            for p in full.predecessors(n):
                if p not in keep and full.nodes[p]["kind"] != "compound":
                    extra.add(p)
    sub = full.subgraph(keep | extra).copy()
    # only edges into the reached part; context nodes keep just their edges into it
    sub.remove_edges_from([(u, v) for u, v in list(sub.edges) if v in extra])
    for n in sub.nodes:
        sub.nodes[n]["effect"] = effects.get(n, "none")
        sub.nodes[n]["context"] = n in extra
    sub.graph["compound"] = cid
    return sub
