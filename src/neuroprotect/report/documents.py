"""Write a table as CSV, a standalone HTML page or a printable PDF (for sheets used at the bench)."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def write_table_document(table: pd.DataFrame, path: str | Path, *, title: str) -> Path:
    """Write ``table`` to ``path``; the format follows the suffix (.csv, .html, .pdf).

    Raises
    ------
    ValueError
        Unsupported suffix.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table.to_csv(path, index=False, float_format="%.6g")  # no 0.38450000000000006 mL
    elif suffix in {".html", ".htm"}:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>"
            for row in table.itertuples(index=False)
        )
        path.write_text(
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #bbb;padding:4px 8px;text-align:left}th{background:#eef}</style>"
            f"</head><body><h1>{html.escape(title)}</h1><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table></body></html>",
            encoding="utf-8",
        )
    elif suffix == ".pdf":
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.backends.backend_pdf import PdfPages
        from matplotlib.figure import Figure

        per_page = 30
        with PdfPages(path) as pdf:
            for start in range(0, max(len(table), 1), per_page):
                chunk = table.iloc[start : start + per_page]
                fig = Figure(figsize=(11.69, 8.27))  # A4 landscape
                ax = fig.add_subplot()
                ax.axis("off")
                ax.set_title(title, loc="left", fontsize=12)
                cells = [[_fmt(v) for v in row] for row in chunk.itertuples(index=False)]
                tab = ax.table(
                    cellText=cells or [[""] * len(table.columns)],
                    colLabels=list(table.columns),
                    loc="upper left",
                )
                tab.auto_set_font_size(False)
                tab.set_fontsize(8)
                tab.scale(1, 1.3)
                pdf.savefig(fig)
    else:
        raise ValueError(
            f"{path}: Expected a .csv, .html or .pdf output file, but got {suffix or 'no suffix'!r}"
        )
    return path
