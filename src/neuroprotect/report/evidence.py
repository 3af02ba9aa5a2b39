"""Report section: the study on the compound's pathway, and the published evidence beside it."""

from __future__ import annotations

from typing import Any

import pandas as pd

from neuroprotect.workflows.context import mechanism_table, pooled_evidence, published_evidence
from neuroprotect.workflows.outcome import StudyOutcome

TEST_LABEL = {"z": "z test", "knha": "Knapp-Hartung t test", "adhoc": "ad hoc Knapp-Hartung"}
VERDICT_TONE = {"agree": "good", "disagree": "bad", "ambiguous": "model", "not shown": "ns"}


def _pathway_views(outcome: StudyOutcome, table: pd.DataFrame) -> dict[str, str]:
    """Static SVG and interactive Cytoscape.js view of the pathway with the study overlaid."""
    from neuroprotect.knowledge.base import resolve_compound
    from neuroprotect.knowledge.interactive import render_pathway_html_fragment
    from neuroprotect.knowledge.pathway import compound_pathway
    from neuroprotect.knowledge.render import render_pathway_image

    compound = resolve_compound(outcome.study.compound)
    if compound is None:
        return {}
    graph = compound_pathway(compound)
    for row in table.dropna(subset=["node"]).to_dict("records"):
        node = row["node"]
        if node not in graph or row["direction"] not in ("increase", "decrease"):
            continue
        graph.nodes[node]["observed"] = row["direction"]
        graph.nodes[node]["observed_significant"] = True
        if row["verdict"] in ("agree", "disagree", "ambiguous"):
            graph.nodes[node]["check"] = row["verdict"]
    svg = render_pathway_image(compound, format="svg", graph=graph).decode("utf-8")
    svg = svg[svg.find("<svg") :]  # drop the XML prologue to inline it
    return {"svg": svg, "interactive": render_pathway_html_fragment(compound, graph=graph)}


def evidence_context(outcome: StudyOutcome) -> dict[str, Any]:
    """Mechanism-check rows, pathway views and published efficacy records for the template."""
    table = mechanism_table(outcome)
    rows = []
    views: dict[str, str] = {}
    if table is not None and not table.empty:
        for r in table.to_dict("records"):
            rows.append(
                {**r, "node": r["node"] or "—", "tone": VERDICT_TONE.get(r["verdict"], "none")}
            )
        views = _pathway_views(outcome, table)
    evidence = published_evidence(outcome)
    records = []
    for r in evidence.to_dict("records"):
        doses = r.get("doses_mg_per_kg")
        records.append(
            {
                "id": r["id"],
                "model": r.get("model") or r.get("setting") or "—",
                "same_model": bool(r.get("same_model")),
                "doses": ", ".join(f"{d:g}" for d in doses)
                if isinstance(doses, list) and doses
                else "—",
                "route": r.get("route") or "—",
                "direction": r.get("effect_direction") or "—",
                "confidence": r.get("confidence") or "—",
                "uncertain": bool(r.get("uncertain")),
                "cite": ", ".join(r["cite"])
                if isinstance(r.get("cite"), list)
                else str(r.get("cite") or ""),
            }
        )
    pooled = pooled_evidence(outcome)
    if pooled.get("pooled"):
        pooled["text"] = (
            f"{pooled['outcome']}: {pooled['k']} studies (this study included), Hedges' g "
            f"{pooled['estimate']:.2f} (95% CI {pooled['ci_low']:.2f} to {pooled['ci_high']:.2f}; "
            f"positive = benefit), random effects ({pooled['method']} tau², "
            f"{TEST_LABEL.get(pooled['test'], pooled['test'])}), tau² {pooled['tau2']:.3g}, "
            f"I² {pooled['i2']:.0f}%."
        )
        for note in pooled.get("warnings", []):
            pooled["text"] += f" Warning: {note}."
    return {
        "mechanism": rows,
        "pathway": views,
        "records": records,
        "pooled": pooled,
        "blinded": outcome.blinded,
    }
