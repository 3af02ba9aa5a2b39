"""The HTML study report: inline SVG figures, statistics tables, methods text, provenance.

Examples
--------
>>> from neuroprotect.report import write_report
>>> write_report(outcome, "out/report.html")  # doctest: +SKIP
"""

from neuroprotect.report.figures import GroupStyle, assign_group_colours, render_group_plot
from neuroprotect.report.format import format_number, format_p, significance_mark
from neuroprotect.report.html import render_report, write_report
from neuroprotect.report.methods import collect_warnings, write_methods_text

__all__ = [
    "GroupStyle",
    "assign_group_colours",
    "collect_warnings",
    "format_number",
    "format_p",
    "render_group_plot",
    "render_report",
    "significance_mark",
    "write_methods_text",
    "write_report",
]
