"""Predicted effect of a compound on a node = product of edge signs along its paths.

Analytic cases on hand-built graphs, then the bundled graph where the answer follows from the cited
edges (e.g. IMM-H004 -| Bax -> Bax/Bcl-2 ratio and IMM-H004 -> Bcl-2 -| ratio: both paths negative).
"""

from __future__ import annotations

import networkx as nx
import pytest

from neuroprotect.errors import InputError
from neuroprotect.knowledge.pathway import (
    build_pathway_graph,
    compound_pathway,
    compute_path_signs,
    predicted_effect,
    predicted_effects,
    signed_paths,
)


def _graph(
    edges: list[tuple[str, str, int]], *, context: set[tuple[str, str]] = frozenset()
) -> nx.DiGraph:
    g = nx.DiGraph()
    for u, v, s in edges:
        g.add_edge(u, v, sign=s, context_dependent=(u, v) in context)
    return g


@pytest.fixture
def small() -> nx.DiGraph:
    #   drug -> R (+); R -| X (-); X -> Y (+)              => X decrease, Y decrease
    #   drug -> A (+) -> Z (+);  drug -> B (+) -| Z (-)   => Z ambiguous
    #   drug -| C (-) -| D (-)                             => D increase (double negative)
    #   other -> E                                         => E none
    return _graph(
        [
            ("drug", "R", 1),
            ("R", "X", -1),
            ("X", "Y", 1),
            ("drug", "A", 1),
            ("A", "Z", 1),
            ("drug", "B", 1),
            ("B", "Z", -1),
            ("drug", "C", -1),
            ("C", "D", -1),
            ("other", "E", 1),
        ]
    )


def test_sign_products_on_small_graph(small: nx.DiGraph) -> None:
    expect = {
        "R": "increase",
        "X": "decrease",
        "Y": "decrease",
        "A": "increase",
        "B": "increase",
        "Z": "ambiguous",
        "C": "decrease",
        "D": "increase",
    }
    for node, effect in expect.items():
        assert predicted_effect("drug", node, graph=small) == effect, node
    assert predicted_effect("drug", "E", graph=small) == "none"
    assert predicted_effect("drug", "drug", graph=small) == "none"
    assert predicted_effects("drug", graph=small) == expect


def test_ambiguous_paths_are_listed(small: nx.DiGraph) -> None:
    paths = sorted(signed_paths("drug", "Z", graph=small))
    assert paths == [(["drug", "A", "Z"], 1), (["drug", "B", "Z"], -1)]


def test_agreeing_parallel_paths_are_not_ambiguous() -> None:
    g = _graph([("d", "a", 1), ("a", "t", 1), ("d", "b", -1), ("b", "t", -1)])
    assert predicted_effect("d", "t", graph=g) == "increase"


def test_context_dependent_edge_makes_downstream_ambiguous() -> None:
    g = _graph([("d", "a", -1), ("a", "t", -1), ("t", "u", 1)], context={("a", "t")})
    assert predicted_effect("d", "a", graph=g) == "decrease"
    assert predicted_effect("d", "t", graph=g) == "ambiguous"
    assert predicted_effect("d", "u", graph=g) == "ambiguous"
    assert signed_paths("d", "u", graph=g) == [(["d", "a", "t", "u"], None)]


def test_cyclic_graph_uses_simple_paths() -> None:
    # d -> a -> b -> a (cycle, negative loop); simple paths: d->a (+), d->a->b (+)
    g = _graph([("d", "a", 1), ("a", "b", 1), ("b", "a", -1), ("b", "c", -1)])
    signs = compute_path_signs(g, "d")
    assert signs == {"a": frozenset({1}), "b": frozenset({1}), "c": frozenset({-1})}


def test_unknown_nodes_raise_input_error(small: nx.DiGraph) -> None:
    with pytest.raises(InputError):
        predicted_effect("drug", "nowhere", graph=small)
    with pytest.raises(InputError):
        predicted_effect("nobody", "X", graph=small)


def test_bundled_graph_predictions_follow_cited_edges() -> None:
    assert predicted_effect("imm_h004", "BAX_BCL2_ratio") == "decrease"
    assert predicted_effect("imm_h004", "IL1B") == "decrease"  # direct and via CKLF1-CCR4-NLRP3
    assert predicted_effect("imm_h004", "neuronal_survival") == "increase"
    assert predicted_effect("igmesine", "memory") == "increase"
    assert predicted_effect("igmesine", "apoptosis") == "decrease"
    assert predicted_effect("scopolamine", "memory") == "decrease"
    assert predicted_effect("bd1047", "memory") == "decrease"  # antagonist reverses the sign
    # FENM reaches survival only through the context-dependent NOS edge
    assert predicted_effect("fenm", "neuronal_survival") == "ambiguous"
    assert predicted_effect("igmesine", "IL1B") == "none"


def test_evidence_level_filter() -> None:
    g = build_pathway_graph(levels=["compound_direct"])
    assert predicted_effect("igmesine", "apoptosis", graph=g) == "none"
    with pytest.raises(InputError):
        build_pathway_graph(levels=["hearsay"])


def test_compound_pathway_subgraph() -> None:
    g = compound_pathway("JO 1784")
    assert g.graph["compound"] == "igmesine"
    assert g.nodes["SIGMAR1"]["effect"] == "increase"
    assert g.nodes["ischemia"]["context"] and g.nodes["ischemia"]["effect"] == "none"
    assert "imm_h004" not in g and "IL1B" not in g
    for _u, v in g.edges:
        assert not g.nodes[v]["context"]
