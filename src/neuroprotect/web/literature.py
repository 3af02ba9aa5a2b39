"""The knowledge base and meta-analysis in the browser: a shell over the same functions as
``neuroprotect kb`` and ``neuroprotect meta``.

Compound cards come from :func:`neuroprotect.knowledge.queries.compound_card`, the interactive
pathway graph from :func:`neuroprotect.knowledge.interactive.render_pathway_html_fragment` (the
vendored Cytoscape.js inlined, no CDN), the pooled result from
:func:`neuroprotect.meta.analysis.meta_analyse` and the forest plot from
:func:`neuroprotect.meta.plots.plot_forest`.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from neuroprotect.errors import InputError

MEASURES = ("smd", "nmd", "md", "rom", "given")
METHODS = ("reml", "ml", "dl", "he", "pm", "sj", "eb", "fe")
TESTS = ("z", "knha", "adhoc")
FORMATS = ("table", "syrf", "camarades")
MEASURE_LABELS = {
    "smd": "SMD (Hedges' g)",
    "nmd": "NMD (% of deficit rescued)",
    "md": "Mean difference",
    "rom": "log ratio of means",
    "given": "Effect size",
}


def compounds() -> list[dict[str, Any]]:
    """One row per knowledge-base compound (:func:`~neuroprotect.knowledge.queries.list_compounds`)."""
    from neuroprotect.knowledge.queries import list_compounds

    table = list_compounds().sort_values("name", key=lambda s: s.str.lower())
    return [
        {k: (None if v != v else v) for k, v in row.items()}  # NaN -> None
        for row in table.to_dict(orient="records")
    ]


def card(compound: str) -> tuple[dict[str, Any], str | None]:
    """A compound's card and its interactive pathway graph (None when it has no pathway).

    Raises
    ------
    InputError
        Not a compound of the knowledge base.
    """
    from neuroprotect.knowledge.base import resolve_compound
    from neuroprotect.knowledge.interactive import render_pathway_html_fragment
    from neuroprotect.knowledge.queries import compound_card

    cid = resolve_compound(compound)
    if cid is None:
        raise InputError(f"Expected a knowledge-base compound id, but got {compound!r}")
    data = compound_card(cid)
    try:
        graph = render_pathway_html_fragment(cid, height_px=520)
    except (InputError, KeyError, ValueError):  # a compound without a drawn pathway
        graph = None
    return data, graph


def _choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise InputError(f"{name}: Expected one of {', '.join(allowed)}, but got {value!r}")
    return value


def meta_analysis(
    *,
    table: bytes,
    table_name: str,
    measure: str = "smd",
    method: str = "reml",
    test: str = "z",
    input_format: str = "table",
    lower_is_better: bool = False,
) -> tuple[dict[str, Any], str]:
    """The result JSON of ``neuroprotect meta TABLE --json`` and the forest plot as SVG text.

    Raises
    ------
    InputError
        A bad choice or a table that does not read (the message names the file, row or column).
    """
    from neuroprotect.cli.meta import GIVEN_COLUMNS, META_COLUMNS
    from neuroprotect.io.tables import read_table
    from neuroprotect.meta.analysis import meta_analyse
    from neuroprotect.meta.exports import ExportTable, read_export
    from neuroprotect.meta.plots import plot_forest

    _choice(measure, MEASURES, "measure")
    _choice(method, METHODS, "method")
    _choice(test, TESTS, "test")
    _choice(input_format, FORMATS, "format")
    name = Path(table_name or "table.csv").name or "table.csv"
    with tempfile.TemporaryDirectory(prefix="np-meta-") as tmp:
        path = Path(tmp, name)
        path.write_bytes(table)
        if input_format == "table":
            columns = GIVEN_COLUMNS if measure == "given" else META_COLUMNS
            source = ExportTable(read_table(path, columns))
        elif measure == "given":
            raise InputError(f"Expected measure smd, nmd, md or rom with format {input_format}")
        else:
            source = read_export(
                path,
                format=input_format,  # type: ignore[arg-type]  # checked by _choice
                require_sham=measure == "nmd",
            )
        try:
            result, model, _ = meta_analyse(
                source.comparisons, measure=measure,  # type: ignore[arg-type]  # checked
                method=method.upper(), test=test,
                lower_is_better=lower_is_better,
            )  # fmt: skip
        except InputError as exc:  # name the table, as the CLI does
            if exc.file is not None:
                raise
            raise InputError(exc.message, file=name, row=exc.row, field=exc.field) from None
    result["format"] = input_format
    result["warnings"] = [*source.notes, *result["warnings"]]
    result["skipped"] = [{"file": name, **s} for s in source.skipped]
    svg = io.StringIO()
    plot_forest(model, xlabel=MEASURE_LABELS[measure]).savefig(svg, format="svg")
    return result, svg.getvalue()
