"""Pathway drawings (render, interactive): SVG is valid XML with every node label as text, PNG
is a PNG, the Cytoscape.js JSON is consistent with the graph, and the HTML fragment is
self-contained."""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pytest
from matplotlib.transforms import Affine2D, Bbox

from neuroprotect.errors import InputError
from neuroprotect.knowledge.interactive import (
    cytoscape_js,
    pathway_to_cytoscape,
    render_pathway_html_fragment,
    render_pathway_json,
)
from neuroprotect.knowledge.layout import MAX_ROWS
from neuroprotect.knowledge.pathway import compound_pathway
from neuroprotect.knowledge.render import _wrap, draw_pathway, render_pathway_image

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


def _drawn(compound: str) -> tuple[Any, dict[str, Any], dict[str, Bbox]]:
    """The drawn figure, its node labels by node and each node's glyph extent (pixels)."""
    graph = compound_pathway(compound)
    fig = draw_pathway(graph)
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = {}
    for n, data in graph.nodes(data=True):
        (label,) = [t for t in ax.texts if t.get_text() == _wrap(data["label"])]
        labels[n] = label
    glyphs = {}
    for n, label in labels.items():
        centre = ax.transData.transform(label.xy)
        (coll,) = [
            c
            for c in ax.collections
            if len(c.get_offsets()) == 1
            and np.allclose(ax.transData.transform(c.get_offsets()[0]), centre)
            and c.get_sizes()[0] >= 200  # not the study-overlay triangle
        ]
        # once drawn, the marker transform scales the unit marker path to pixels
        ext = coll.get_paths()[0].get_extents(Affine2D(coll.get_transforms()[0]))
        glyphs[n] = Bbox.from_extents(*(centre + ext.p0), *(centre + ext.p1))
    return fig, labels, glyphs


def test_static_figure_of_many_targets_is_close_to_landscape() -> None:
    # IMM-H004 acts on ~20 nodes directly: one column of them made a 12 x 18 in portrait figure
    dpi = 20
    png = render_pathway_image("imm_h004", format="png", dpi=dpi)
    width, height = struct.unpack(">II", png[16:24])
    assert height <= 1.3 * width
    assert width / dpi <= 11.0  # inches; a page scales it by less than 1/1.5


def test_tall_layers_are_split_into_spaced_sub_columns() -> None:
    fig, labels, _ = _drawn("imm_h004")
    ax = fig.axes[0]
    centres = np.array([ax.transData.transform(t.xy) for t in labels.values()]) / fig.dpi
    xs, counts = np.unique(np.round(centres[:, 0], 2), return_counts=True)
    assert counts.max() <= MAX_ROWS
    gaps = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=-1)
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() >= 0.5  # inches between any two node centres


@pytest.mark.parametrize("compound", ["imm_h004", "igmesine"])
def test_labels_sit_on_a_box_clear_of_glyphs_and_other_labels(compound: str) -> None:
    fig, labels, glyphs = _drawn(compound)
    boxes = {}
    for n, label in labels.items():
        patch = label.get_bbox_patch()
        assert patch is not None, n
        assert patch.get_facecolor()[:3] == (1.0, 1.0, 1.0) and patch.get_alpha() >= 0.7
        boxes[n] = patch.get_window_extent()
    for n, box in boxes.items():
        assert not any(box.overlaps(g) for g in glyphs.values()), n
        assert not any(box.overlaps(b) for m, b in boxes.items() if m != n), n


def test_wrap_breaks_at_slashes_and_never_inside_a_word() -> None:
    label = "pathological cytosolic/mitochondrial Ca2+ overload"
    lines = _wrap(label).split("\n")
    assert lines == ["pathological", "cytosolic/", "mitochondrial", "Ca2+ overload"]
    assert _wrap("cerebral ischemia / OGD") == "cerebral\nischemia / OGD"
