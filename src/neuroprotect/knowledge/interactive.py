"""Interactive pathway graphs: Cytoscape.js elements JSON and a self-contained HTML fragment.

Same layout and drawing conventions as :mod:`neuroprotect.knowledge.render` (activation arrows,
inhibition "tee" heads, node kinds by shape and colour, predicted effect as the node outline, study
overlay as a halo). Cytoscape.js (MIT) is vendored in ``knowledge/vendor`` and inlined, so a report
that embeds the fragment works offline.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import networkx as nx

from neuroprotect.knowledge.loader import slug
from neuroprotect.knowledge.pathway import compound_pathway
from neuroprotect.knowledge.render import (
    EFFECT_COLOURS,
    GROUP_STYLE,
    OVERLAY_KEYS,
    layout_layers,
    node_group,
)


def pathway_to_cytoscape(
    graph: nx.DiGraph, *, scale: float = 220.0
) -> dict[str, list[dict[str, Any]]]:
    """Cytoscape.js elements (``{"nodes": [...], "edges": [...]}``) with preset positions.

    Node ``data``: ``id, label, kind, group, shape, colour, effect, context, uncertain, uncertainty,
    assays``. Edge ``data``: ``id, source, target, sign, interaction ("activation"|"inhibition"),
    level, confidence, context_dependent, evidence, cite, uncertain``.
    """
    source = graph.graph.get("compound") or next(iter(graph))
    pos = layout_layers(graph, source)
    nodes = []
    for n, d in graph.nodes(data=True):
        group = node_group(d.get("kind", "process"))
        nodes.append(
            {
                "data": {
                    "id": n,
                    "label": d.get("label", n),
                    "kind": d.get("kind"),
                    "group": group,
                    "shape": GROUP_STYLE[group][1],
                    "colour": GROUP_STYLE[group][2],
                    "effect": d.get("effect", "none"),
                    "effect_colour": EFFECT_COLOURS[d.get("effect", "none")],
                    "context": bool(d.get("context", False)),
                    "uncertain": bool(d.get("uncertain", False)),
                    "uncertainty": list(d.get("uncertainty", [])),
                    "assays": d.get("assays", []),
                    **{k: d[k] for k in OVERLAY_KEYS if k in d},
                },
                "position": {"x": pos[n][0] * scale, "y": -pos[n][1] * scale * 0.45},
            }
        )
    edges = []
    for u, v, d in graph.edges(data=True):
        edges.append(
            {
                "data": {
                    "id": f"{u}->{v}",
                    "source": u,
                    "target": v,
                    "sign": int(d["sign"]),
                    "interaction": "activation" if d["sign"] > 0 else "inhibition",
                    "level": d.get("level"),
                    "confidence": d.get("confidence"),
                    "context_dependent": bool(d.get("context_dependent", False)),
                    "evidence": d.get("evidence"),
                    "cite": list(d.get("cite", [])),
                    "uncertain": bool(d.get("uncertain", False)),
                }
            }
        )
    return {"nodes": nodes, "edges": edges}


def render_pathway_json(compound_id: str) -> str:
    """A compound's pathway as Cytoscape.js elements JSON (see :func:`pathway_to_cytoscape`)."""
    return json.dumps(pathway_to_cytoscape(compound_pathway(compound_id)), indent=1)


@cache
def cytoscape_js() -> str:
    """The vendored Cytoscape.js (MIT; see knowledge/vendor/PROVENANCE.md)."""
    return (
        resources.files("neuroprotect.knowledge")
        .joinpath("vendor", "cytoscape.min.js")
        .read_text("utf-8")
    )


_CY_STYLE = [
    {
        "selector": "node",
        "style": {
            "label": "data(label)",
            "shape": "data(shape)",
            "background-color": "data(colour)",
            "border-color": "data(effect_colour)",
            "border-width": 3,
            "font-size": 9,
            "text-valign": "bottom",
            "text-margin-y": 4,
            "text-wrap": "wrap",
            "text-max-width": 110,
            "width": 26,
            "height": 26,
        },
    },
    {"selector": "node[?context]", "style": {"opacity": 0.55, "border-width": 1}},
    {
        "selector": "edge",
        "style": {
            "curve-style": "bezier",
            "width": 2,
            "line-color": "#2b8a3e",
            "target-arrow-color": "#2b8a3e",
            "target-arrow-shape": "triangle",
        },
    },
    {
        "selector": "edge[interaction = 'inhibition']",
        "style": {
            "line-color": "#c92a2a",
            "target-arrow-color": "#c92a2a",
            "target-arrow-shape": "tee",
        },
    },
    {
        "selector": "edge[?context_dependent]",
        "style": {"line-color": "#e8590c", "target-arrow-color": "#e8590c"},
    },
    {"selector": "edge[level = 'class_sigma1']", "style": {"line-style": "dashed"}},
    {"selector": "edge[level = 'review']", "style": {"line-style": "dotted"}},
    {"selector": "edge[level = 'canonical']", "style": {"width": 1.2}},
    {"selector": "edge[confidence = 'low']", "style": {"opacity": 0.45}},
    {
        "selector": "node[observed]",
        "style": {"underlay-color": "#495057", "underlay-padding": 7, "underlay-opacity": 0.25},
    },
    {"selector": "node[check = 'agree']", "style": {"underlay-color": "#2b8a3e"}},
    {"selector": "node[check = 'disagree']", "style": {"underlay-color": "#c92a2a"}},
    {"selector": "node[check = 'ambiguous']", "style": {"underlay-color": "#e8590c"}},
    {"selector": "node[?observed_significant]", "style": {"underlay-opacity": 0.6}},
]

_SCRIPT = """
(function () {
  var box = document.getElementById(%(id)s);
  var info = document.getElementById(%(info_id)s);
  var cy = cytoscape({container: box, elements: %(elements)s, style: %(style)s,
                      layout: {name: 'preset'}, wheelSensitivity: 0.3});
  cy.fit(undefined, 20);
  function show(d) {
    var lines = [];
    if (d.source) {
      lines.push(d.source + (d.sign > 0 ? ' activates ' : ' inhibits ') + d.target +
                 ' (' + d.level + ', confidence ' + d.confidence + ')');
      lines.push(d.evidence || '');
      if (d.context_dependent) lines.push('sign depends on context');
      lines.push('cite: ' + (d.cite || []).join('; '));
    } else {
      lines.push(d.label + ' [' + d.kind + '], predicted: ' + d.effect);
      (d.assays || []).forEach(function (a) {
        lines.push('assay (' + a.status + '): ' + a.method);
      });
      (d.uncertainty || []).forEach(function (u) { lines.push('uncertain: ' + u); });
      if (d.observed) {
        lines.push('study: ' + d.observed + (d.observed_significant ? ' (significant)' : '') +
                   (d.check ? ', ' + d.check + ' with the prediction' : ''));
      }
    }
    info.textContent = lines.join('\\n');
  }
  cy.on('tap', 'node, edge', function (evt) { show(evt.target.data()); });
})();
"""


def _script_safe(text: str) -> str:
    return text.replace("</", "<\\/")


def render_pathway_html_fragment(
    compound_id: str,
    *,
    element_id: str | None = None,
    height_px: int = 560,
    include_library: bool = True,
    graph: nx.DiGraph | None = None,
) -> str:
    """A self-contained interactive pathway graph to embed in an HTML report.

    Parameters
    ----------
    compound_id
        Compound id or synonym.
    element_id
        HTML id of the graph container; ``np-pathway-<compound>`` when None.
    height_px
        Height of the graph panel.
    include_library
        Inline the vendored Cytoscape.js (about 430 kB). A page embedding several graphs can pass
        False for all but the first.
    graph
        A (possibly annotated, see the module notes) graph from :func:`compound_pathway`; built
        from ``compound_id`` when None.

    Returns
    -------
    str
        ``<div>`` (graph panel and a details line that shows evidence and citations of the clicked
        node or edge) followed by ``<script>`` elements; works offline.
    """
    graph = graph if graph is not None else compound_pathway(compound_id)
    elements = pathway_to_cytoscape(graph)
    eid = element_id or f"np-pathway-{slug(graph.graph['compound'])}"
    info_id = f"{eid}-info"
    script = _SCRIPT % {
        "id": json.dumps(eid),
        "info_id": json.dumps(info_id),
        "elements": _script_safe(json.dumps(elements)),
        "style": _script_safe(json.dumps(_CY_STYLE)),
    }
    parts = [
        f'<div class="np-pathway" data-compound="{graph.graph["compound"]}">',
        f'<div id="{eid}" style="width:100%;height:{int(height_px)}px;border:1px solid #dee2e6">'
        "</div>",
        f'<pre id="{info_id}" style="white-space:pre-wrap;font-size:12px;min-height:3em">'
        "Click a node or an edge for its evidence and citations.</pre>",
    ]
    if include_library:
        parts.append(f"<script>{_script_safe(cytoscape_js())}</script>")
    parts.append(f"<script>{script}</script>")
    parts.append("</div>")
    return "\n".join(parts)
