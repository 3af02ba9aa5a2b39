"""Draw a compound's signed pathway: matplotlib (SVG/PNG), Cytoscape.js JSON, and an HTML fragment.

Drawing conventions (the same in every output):

* activation edges end in an arrow head, inhibition edges in a flat bar (a "T");
* edge colour: green activates, red inhibits, orange when the sign is context-dependent;
* edge line by evidence level: solid thick = shown with this compound, solid thin = canonical
  (textbook), dashed = other ligands of the same class (sigma-1), dotted = review-level;
  low-confidence edges are faded;
* node shape and fill by node kind (compound, insult, receptor, protein, mediator, small molecule,
  process, phenotype); node outline by the predicted effect of the compound (green increase, red
  decrease, orange ambiguous, grey none/context).

Study overlay hook: a caller may set node attributes on the graph from
:func:`~neuroprotect.knowledge.pathway.compound_pathway` before drawing it: ``observed``
(``"increase"`` or ``"decrease"``: the direction measured in a study), ``observed_significant``
(bool) and ``check`` (``"agree"``, ``"disagree"``, ``"ambiguous"``). They are drawn as a triangle
beside the node (filled when significant) and passed through to the Cytoscape.js data.
"""

from __future__ import annotations

import io
import json
import textwrap
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from neuroprotect.errors import InputError
from neuroprotect.knowledge.loader import slug
from neuroprotect.knowledge.pathway import compound_pathway

#: node kind -> drawing group
KIND_GROUPS: dict[str, str] = {
    "compound": "compound",
    "insult": "insult",
    "receptor": "receptor",
    "interaction": "receptor",
    "complex": "receptor",
    "enzyme": "protein",
    "kinase": "protein",
    "protease": "protein",
    "protein": "protein",
    "synaptic_protein": "protein",
    "tight_junction": "protein",
    "adhesion_molecule": "protein",
    "transcription_factor": "protein",
    "water_channel": "protein",
    "neurotrophin": "mediator",
    "cytokine": "mediator",
    "chemokine": "mediator",
    "mediators": "mediator",
    "second_messenger": "small molecule",
    "metabolite": "small molecule",
    "neurotransmitter": "small molecule",
    "process": "process",
    "readout": "process",
    "phenotype": "phenotype",
}
#: group -> (matplotlib marker, Cytoscape shape, fill colour)
GROUP_STYLE: dict[str, tuple[str, str, str]] = {
    "compound": ("h", "hexagon", "#4c6ef5"),
    "insult": ("v", "triangle", "#495057"),
    "receptor": ("s", "round-rectangle", "#ae3ec9"),
    "protein": ("o", "ellipse", "#74c0fc"),
    "mediator": ("D", "diamond", "#ffa94d"),
    "small molecule": ("p", "pentagon", "#63e6be"),
    "process": ("8", "octagon", "#ced4da"),
    "phenotype": ("s", "rectangle", "#ffe066"),
}
EFFECT_COLOURS = {
    "increase": "#2b8a3e",
    "decrease": "#c92a2a",
    "ambiguous": "#e8590c",
    "none": "#868e96",
}
SIGN_COLOURS = {1: "#2b8a3e", -1: "#c92a2a", "context": "#e8590c"}
LEVEL_LINES: dict[str, tuple[Any, float, str]] = {
    "compound_direct": ("solid", 1.8, "shown with this compound"),
    "canonical": ("solid", 0.9, "canonical (textbook) link"),
    "class_sigma1": ("dashed", 1.2, "shown with other sigma-1 ligands"),
    "review": ("dotted", 1.2, "review-level evidence"),
}


def node_group(kind: str) -> str:
    return KIND_GROUPS.get(kind, "process")


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


def _wrap(label: str, width: int = 18) -> str:
    return "\n".join(textwrap.wrap(label, width=width)) or label


OVERLAY_KEYS = ("observed", "observed_significant", "check")


def draw_pathway(graph: nx.DiGraph, *, title: str | None = None) -> Any:
    """Draw a compound pathway graph (from :func:`compound_pathway`) on a new matplotlib Figure.

    Nodes with an ``observed`` attribute (study overlay) get a triangle beside them: up for an
    observed increase, down for a decrease, filled when ``observed_significant``, coloured by
    ``check`` (green agree, red disagree, orange ambiguous, grey when no check).
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import ArrowStyle, FancyArrowPatch

    source = graph.graph.get("compound") or next(iter(graph))
    pos = layout_layers(graph, source)
    n_layers = int(max(x for x, _ in pos.values())) + 1
    tallest = max(sum(1 for p in pos.values() if p[0] == x) for x in range(n_layers))
    fig, ax = plt.subplots(figsize=(max(9.0, 1.9 * n_layers + 1.0), max(4.5, 0.8 * tallest + 1.0)))

    for u, v, d in graph.edges(data=True):
        colour = SIGN_COLOURS["context"] if d.get("context_dependent") else SIGN_COLOURS[d["sign"]]
        style, width, _ = LEVEL_LINES.get(d.get("level", "canonical"), LEVEL_LINES["canonical"])
        head = (
            ArrowStyle("-|>", head_length=0.5, head_width=0.25)
            if d["sign"] > 0
            else ArrowStyle("-[", widthB=0.35, lengthB=0.0)
        )
        ax.add_patch(
            FancyArrowPatch(
                pos[u],
                pos[v],
                arrowstyle=head,
                mutation_scale=14,
                color=colour,
                linestyle=style,
                linewidth=width,
                alpha=0.45 if d.get("confidence") == "low" else 0.95,
                shrinkA=10,
                shrinkB=11,
                connectionstyle="arc3,rad=0.06",
                zorder=1,
            )
        )
    groups_seen: dict[str, None] = {}
    for n, d in graph.nodes(data=True):
        group = node_group(d.get("kind", "process"))
        groups_seen[group] = None
        marker, _, fill = GROUP_STYLE[group]
        effect = d.get("effect", "none")
        ax.scatter(
            [pos[n][0]],
            [pos[n][1]],
            s=420,
            marker=marker,
            c=fill,
            edgecolors=EFFECT_COLOURS[effect],
            linewidths=2.6 if effect != "none" else 1.0,
            alpha=0.55 if d.get("context") else 1.0,
            zorder=2,
        )
        ax.text(
            pos[n][0],
            pos[n][1] - 0.3,
            _wrap(str(d.get("label", n))),
            ha="center",
            va="top",
            fontsize=7,
            zorder=3,
        )
    overlay = [
        n for n, d in graph.nodes(data=True) if d.get("observed") in ("increase", "decrease")
    ]
    check_colours = {"agree": "#2b8a3e", "disagree": "#c92a2a", "ambiguous": "#e8590c"}
    for n in overlay:
        d = graph.nodes[n]
        colour = check_colours.get(str(d.get("check")), "#495057")
        ax.scatter(
            [pos[n][0] + 0.17],
            [pos[n][1] + 0.12],
            s=90,
            marker="^" if d["observed"] == "increase" else "v",
            c=colour if d.get("observed_significant") else "white",
            edgecolors=colour,
            linewidths=1.5,
            zorder=4,
        )
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 1.0, max(ys) + 0.6)
    ax.axis("off")

    edge_handles = [
        Line2D([], [], color=SIGN_COLOURS[1], marker=">", markevery=[-1], label="activates"),
        Line2D(
            [],
            [],
            color=SIGN_COLOURS[-1],
            marker="|",
            markevery=[-1],
            markersize=10,
            label="inhibits",
        ),
        Line2D([], [], color=SIGN_COLOURS["context"], label="sign depends on context"),
    ]
    edge_handles += [
        Line2D([], [], color="#343a40", linestyle=s, linewidth=w, label=text)
        for s, w, text in LEVEL_LINES.values()
    ]
    edge_handles.append(Line2D([], [], color="#343a40", alpha=0.4, label="low confidence (faded)"))
    if overlay:
        node_handles_overlay = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker="^",
                markersize=8,
                markerfacecolor=c,
                markeredgecolor=c,
                label=f"study: {k} (filled = significant)",
            )
            for k, c in check_colours.items()
        ]
    else:
        node_handles_overlay = []
    node_handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=GROUP_STYLE[g][0],
            markersize=9,
            markerfacecolor=GROUP_STYLE[g][2],
            markeredgecolor="#495057",
            label=g,
        )
        for g in groups_seen
    ]
    node_handles += [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=9,
            markerfacecolor="white",
            markeredgecolor=c,
            markeredgewidth=2.2,
            label=f"predicted: {e}",
        )
        for e, c in EFFECT_COLOURS.items()
    ]
    node_handles += node_handles_overlay
    first = ax.legend(
        handles=edge_handles,
        loc="upper left",
        bbox_to_anchor=(0.0, 0.0),
        ncol=3,
        fontsize=7,
        title="edges",
        title_fontsize=8,
        frameon=False,
    )
    ax.add_artist(first)
    second = ax.legend(
        handles=node_handles,
        loc="upper right",
        bbox_to_anchor=(1.0, 0.0),
        ncol=3,
        fontsize=7,
        title="nodes",
        title_fontsize=8,
        frameon=False,
    )
    fig.legends_extra = [first, second]  # type: ignore[attr-defined]
    ax.set_title(
        title or f"Signed pathway of {graph.nodes[source].get('label', source)}", fontsize=10
    )
    fig.tight_layout()
    return fig


def render_pathway_image(
    compound_id: str, *, format: str = "svg", dpi: int = 150, graph: nx.DiGraph | None = None
) -> bytes:
    """A compound's signed pathway as SVG (labels kept as ``<text>``, searchable) or PNG."""
    import matplotlib

    if format not in ("svg", "png"):
        raise InputError(f"Expected image format 'svg' or 'png', but got {format!r}")
    graph = graph if graph is not None else compound_pathway(compound_id)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "neuroprotect"}):
        fig = draw_pathway(graph)
        buf = io.BytesIO()
        meta = {"Date": None} if format == "svg" else {}
        fig.savefig(
            buf,
            format=format,
            dpi=dpi,
            bbox_inches="tight",
            metadata=meta,
            bbox_extra_artists=getattr(fig, "legends_extra", None),
        )
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


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


def write_pathway(compound_id: str, out: str | Path, *, format: str) -> Path:
    """Write a compound's pathway to ``out`` as ``svg``, ``png``, ``json`` or ``html`` (a page)."""
    out = Path(out)
    if format in ("svg", "png"):
        out.write_bytes(render_pathway_image(compound_id, format=format))
    elif format == "json":
        out.write_text(render_pathway_json(compound_id) + "\n", encoding="utf-8")
    elif format == "html":
        body = render_pathway_html_fragment(compound_id)
        out.write_text(
            "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>pathway</title></head>"
            f"<body>\n{body}\n</body></html>\n",
            encoding="utf-8",
        )
    else:
        raise InputError(f"Expected format svg, png, json or html, but got {format!r}")
    return out
