"""The self-contained HTML study report: one file, figures inline as SVG, no external resources."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from neuroprotect.report.context import build_context
from neuroprotect.workflows.outcome import StudyOutcome


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("neuroprotect.report", "templates"),
        autoescape=True,  # every piece of user text (titles, labels, reasons) is escaped
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Figures are produced by matplotlib's SVG writer, which escapes their text itself.
    env.filters["svg"] = Markup
    return env


def render_report(outcome: StudyOutcome) -> str:
    """The study report as one HTML document.

    Parameters
    ----------
    outcome
        What a run of the study produced (``neuroprotect.workflows.outcome.StudyOutcome``).

    Returns
    -------
    str
        A complete HTML5 document with inline CSS and SVG figures: header (and a SIMULATED DATA
        banner when ``study.simulated``), results at a glance, design table, one section per readout
        (figure
        and statistics per variable, QC facts and detail tables), methods, warnings and provenance.
    """
    template = _environment().get_template("report.html.j2")
    return template.render(**build_context(outcome))


def write_report(outcome: StudyOutcome, path: str | Path) -> Path:
    """Render the report and write it (UTF-8) to ``path``; parent folders are created.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(outcome), encoding="utf-8")
    return path
