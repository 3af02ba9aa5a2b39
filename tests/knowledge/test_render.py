"""Pathway drawings (render, interactive): SVG is valid XML with every node label as text, PNG
is a PNG, the Cytoscape.js JSON is consistent with the graph, and the HTML fragment is
self-contained."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from neuroprotect.errors import InputError
from neuroprotect.knowledge.interactive import (
    cytoscape_js,
    pathway_to_cytoscape,
    render_pathway_html_fragment,
    render_pathway_json,
)
from neuroprotect.knowledge.pathway import compound_pathway
from neuroprotect.knowledge.render import _wrap, render_pathway_image

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def igmesine_svg() -> bytes:
    return render_pathway_image("igmesine", format="svg")


def test_svg_is_xml_with_node_labels_and_legend(igmesine_svg: bytes) -> None:
    root = ET.fromstring(igmesine_svg)
    assert root.tag == f"{SVG_NS}svg"
    texts = {"".join(t.itertext()).strip() for t in root.iter(f"{SVG_NS}text")}
    graph = compound_pathway("igmesine")
    for _, data in graph.nodes(data=True):
        for line in _wrap(data["label"]).split("\n"):
            assert line in texts, line
    assert {"activates", "inhibits", "sign depends on context"} <= texts
    assert "predicted: increase" in texts


def test_svg_is_reproducible(igmesine_svg: bytes) -> None:
    assert render_pathway_image("igmesine", format="svg") == igmesine_svg


def test_png_and_bad_format() -> None:
    png = render_pathway_image("fenm", format="png", dpi=40)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(InputError):
        render_pathway_image("fenm", format="gif")


def test_cytoscape_elements_match_graph() -> None:
    graph = compound_pathway("imm_h004")
    elements = json.loads(render_pathway_json("imm_h004"))
    ids = {n["data"]["id"] for n in elements["nodes"]}
    assert ids == set(graph.nodes)
    assert len(elements["edges"]) == graph.number_of_edges()
    for e in elements["edges"]:
        d = e["data"]
        assert d["source"] in ids and d["target"] in ids
        assert d["interaction"] == ("activation" if d["sign"] == 1 else "inhibition")
        assert d["cite"]
    ratio = next(n for n in elements["nodes"] if n["data"]["id"] == "BAX_BCL2_ratio")
    assert ratio["data"]["effect"] == "decrease"
    assert set(ratio["position"]) == {"x", "y"}
    assert pathway_to_cytoscape(graph) == elements


def test_html_fragment_is_self_contained() -> None:
    html = render_pathway_html_fragment("igmesine")
    assert html.startswith('<div class="np-pathway" data-compound="igmesine">')
    assert 'id="np-pathway-igmesine"' in html
    assert html.count("<script>") == 2 and html.count("</script>") == 2
    assert len(cytoscape_js()) > 100_000
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert "cytoscape" in scripts[0] and "</" not in scripts[0]
    match = re.search(r"elements: (\{.*?\}), style:", scripts[1], flags=re.S)
    assert match is not None
    elements = json.loads(match.group(1).replace("<\\/", "</"))
    assert {n["data"]["id"] for n in elements["nodes"]} == set(compound_pathway("igmesine").nodes)
    slim = render_pathway_html_fragment("igmesine", include_library=False, element_id="x1")
    assert slim.count("<script>") == 1 and 'id="x1"' in slim
    assert len(slim) < 50_000


def test_study_overlay_attributes_are_drawn_and_passed_through() -> None:
    graph = compound_pathway("imm_h004")
    graph.nodes["BAX_BCL2_ratio"].update(
        observed="decrease", observed_significant=True, check="agree"
    )
    graph.nodes["PSD95"].update(observed="increase", observed_significant=False, check="disagree")
    svg = render_pathway_image("imm_h004", format="svg", graph=graph)
    texts = {"".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG_NS}text")}
    assert "study: disagree (filled = significant)" in texts
    elements = pathway_to_cytoscape(graph)
    ratio = next(n["data"] for n in elements["nodes"] if n["data"]["id"] == "BAX_BCL2_ratio")
    assert ratio["observed"] == "decrease" and ratio["check"] == "agree"
    plain = next(n["data"] for n in elements["nodes"] if n["data"]["id"] == "IL1B")
    assert "observed" not in plain
    html = render_pathway_html_fragment("imm_h004", graph=graph, include_library=False)
    assert '"check": "disagree"' in html
