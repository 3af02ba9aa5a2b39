"""Draw a compound's signed pathway with matplotlib (SVG/PNG); shared layout and styles.

The interactive version (Cytoscape.js elements JSON and an HTML fragment) is in
:mod:`neuroprotect.knowledge.interactive` and uses the same layout and conventions.

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
import textwrap
from pathlib import Path
from typing import Any

import networkx as nx

from neuroprotect.errors import InputError
from neuroprotect.knowledge.layout import layout_columns
from neuroprotect.knowledge.layout import layout_layers as layout_layers
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


def _wrap(label: str, width: int = 16) -> str:
    """Wrap a node label at spaces, hyphens and slashes; words are never split."""
    lines = textwrap.wrap(label.replace("/", "/ "), width=width, break_long_words=False)
    return "\n".join(line.replace("/ ", "/") for line in lines) or label


def _space_below(label: str) -> float:
    """Inches from a node's centre to the next node's centre below it: glyph, label, gap."""
    lines = label.count("\n") + 1
    points = 2 * NODE_HALF_PT + LABEL_OFFSET_PT + lines * LABEL_FONTSIZE * 1.1 * 1.2 + 6.0
    return points / 72.0


OVERLAY_KEYS = ("observed", "observed_significant", "check")
#: node glyph area (points^2), label font size and how far below the node centre the label starts
NODE_SIZE = 300
LABEL_FONTSIZE = 8
LABEL_OFFSET_PT = 14.0
#: half the height of the tallest node glyph (diamond), in points
NODE_HALF_PT = 12.0
#: labels sit on a white, mostly opaque box so edges do not run through the text
LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}
#: inches of axes around the outermost nodes (labels are about 1.1 in wide and hang below)
LABEL_MARGIN_X = 0.6
LABEL_MARGIN_BELOW = 0.6
LABEL_MARGIN_ABOVE = 0.3


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
    labels = {n: _wrap(str(d.get("label", n))) for n, d in graph.nodes(data=True)}
    pos = layout_columns(graph, source, space_below=lambda n: _space_below(labels[n]))  # inches
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    # the axes fill the figure and one data unit is one inch (labels hang below their node)
    xlim = (min(xs) - LABEL_MARGIN_X, max(xs) + LABEL_MARGIN_X)
    ylim = (min(ys) - LABEL_MARGIN_BELOW, max(ys) + LABEL_MARGIN_ABOVE)
    fig = plt.figure(figsize=(xlim[1] - xlim[0], ylim[1] - ylim[0]))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))

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
            s=NODE_SIZE,
            marker=marker,
            c=fill,
            edgecolors=EFFECT_COLOURS[effect],
            linewidths=2.6 if effect != "none" else 1.0,
            alpha=0.55 if d.get("context") else 1.0,
            zorder=2,
        )
        ax.annotate(
            labels[n],
            xy=pos[n],
            xytext=(0.0, -LABEL_OFFSET_PT),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=LABEL_FONTSIZE,
            linespacing=1.1,
            bbox=LABEL_BOX,
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
            [pos[n][0] + 0.2],
            [pos[n][1] + 0.1],
            s=90,
            marker="^" if d["observed"] == "increase" else "v",
            c=colour if d.get("observed_significant") else "white",
            edgecolors=colour,
            linewidths=1.5,
            zorder=4,
        )
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
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
        fontsize=8,
        title="edges",
        title_fontsize=9,
        frameon=False,
    )
    ax.add_artist(first)
    # the node legend goes to the right of the edge legend, or below it when both do not fit
    below = first.get_window_extent()
    side_by_side = below.width * 2.0 < ax.bbox.width
    second = ax.legend(
        handles=node_handles,
        loc="upper right" if side_by_side else "upper left",
        bbox_to_anchor=(1.0, 0.0) if side_by_side else (0.0, -below.height / ax.bbox.height),
        ncol=3,
        fontsize=8,
        title="nodes",
        title_fontsize=9,
        frameon=False,
    )
    fig.legends_extra = [first, second]  # type: ignore[attr-defined]
    ax.set_title(
        title or f"Signed pathway of {graph.nodes[source].get('label', source)}", fontsize=10
    )
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


def write_pathway(compound_id: str, out: str | Path, *, format: str) -> Path:
    """Write a compound's pathway to ``out`` as ``svg``, ``png``, ``json`` or ``html`` (a page)."""
    out = Path(out)
    if format in ("svg", "png"):
        out.write_bytes(render_pathway_image(compound_id, format=format))
    elif format == "json":
        from neuroprotect.knowledge.interactive import render_pathway_json

        out.write_text(render_pathway_json(compound_id) + "\n", encoding="utf-8")
    elif format == "html":
        from neuroprotect.knowledge.interactive import render_pathway_html_fragment

        body = render_pathway_html_fragment(compound_id)
        out.write_text(
            "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>pathway</title></head>"
            f"<body>\n{body}\n</body></html>\n",
            encoding="utf-8",
        )
    else:
        raise InputError(f"Expected format svg, png, json or html, but got {format!r}")
    return out
