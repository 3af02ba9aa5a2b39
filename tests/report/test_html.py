"""The HTML report of a hand-built StudyOutcome (conftest.py holds the known values)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from neuroprotect.report.format import significance_mark
from neuroprotect.report.html import render_report, write_report
from neuroprotect.workflows.outcome import StudyOutcome

from .conftest import FILES, P_ADJ, file_hash  # type: ignore[import-not-found]


class _Collector(HTMLParser):
    """Checks nesting of the non-void elements and collects text per tag."""

    VOID = {
        "meta",
        "br",
        "link",
        "img",
        "input",
        "hr",
        "path",
        "use",
        "rect",
        "circle",
        "line",
        "polyline",
        "polygon",
        "ellipse",
        "stop",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: dict[str, int] = {}
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "script":
            self._in_script = True
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}>, open: {self.stack[-3:]}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def _parse(html: str) -> _Collector:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", " ".join(_parse(html).text))


def test_report_parses_and_is_self_contained(report_html: str) -> None:
    html = report_html
    parsed = _parse(html)
    assert parsed.errors == []
    assert parsed.stack == []
    assert parsed.tags["svg"] == 3  # one figure per variable, and the pathway
    assert "<svg" in html and 'class="figure"' in html
    # offline: no external stylesheet, script, font or image
    assert not re.search(r'<link\b|src="http|href="http|@import|url\(http', html)
    assert "IMM-H004 after transient MCAO in rats" in html
    assert "Sprague-Dawley" in html


def test_simulated_banner_only_when_simulated(make_outcome: Callable[..., StudyOutcome]) -> None:
    assert "SIMULATED DATA" in _plain(render_report(make_outcome(simulated=True)))
    real = render_report(make_outcome(simulated=False))
    assert "SIMULATED" not in real.upper().replace("NOT SIMULATED", "")
    assert 'banner-sim"' not in real


def test_significance_marks_in_tables_follow_p_values(report_html: str) -> None:
    html = report_html
    text = _plain(html)
    # infarct: h004_6 p_adj 0.0041 -> "0.00410" and "**"; edaravone 0.00021 -> "<0.001" and "***"
    assert "0.00410 **" in text
    assert "<0.001 ***" in text
    assert "0.210 ns" in text  # IMM-H004 1.5 vs vehicle
    # sham vs vehicle is marked with '#'
    assert "<0.001 ###" in text
    for variable, ps in P_ADJ.items():
        for group, p in ps.items():
            assert significance_mark(p, symbol="#" if group == "sham" else "*") in text, variable


def test_marks_drawn_in_figures(report_html: str) -> None:
    html = report_html
    figures = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    infarct = next(f for f in figures if "Infarct volume" in f)
    texts = re.findall(r">([^<>]+)</text>", infarct)
    marks = [t.strip() for t in texts if set(t.strip()) <= {"*", "#"} or t.strip() == "ns"]
    # manifest order: sham (###), vehicle (none), 1.5 (ns), 3 (*), 6 (**), edaravone (***)
    assert marks == ["###", "ns", "*", "**", "***"]


def test_methods_text_names_chosen_tests(make_outcome: Callable[..., StudyOutcome]) -> None:
    from neuroprotect.report.methods import write_methods_text

    outcome = make_outcome()
    text = write_methods_text(outcome)
    assert "One-way ANOVA followed by Dunnett's test against vehicle." in text
    assert "Kruskal-Wallis test followed by Dunn's test against vehicle" in text
    assert "The Longa score is ordinal, so a rank-based test was used." in text
    assert "Welch's two-sample t-test" in text and "Mann-Whitney U test" in text
    assert "Holm" in text  # multiplicity handling of Dunn
    assert "α = 0.05" in text
    assert "1 animal was excluded before analysis: died 20 h after MCAO (n = 1)" in text
    assert "59 were analysed" in text
    assert "neuroprotect 0.1.0" in text and "scipy 1.17.0" in text
    assert "Hedges' g" in text and "rank-biserial r" in text
    html = render_report(outcome)
    assert "Kruskal-Wallis test followed by Dunn&#39;s test against vehicle" in html


def test_every_raw_file_hash_and_provenance_appears(
    make_outcome: Callable[..., StudyOutcome],
) -> None:
    outcome = make_outcome()
    html = render_report(outcome)
    for name in FILES:
        assert file_hash(name) in html
        assert name in html
    assert outcome.input_hash in html
    assert "run-0007" in html
    assert "1.04 kB" in html  # 1037 bytes (animals.csv)


def test_user_text_is_escaped(make_outcome: Callable[..., StudyOutcome]) -> None:
    evil = "<script>alert('x')</script>"
    html = render_report(make_outcome(first_label=evil))
    assert evil not in html
    assert "&lt;script&gt;" in html
    parsed = _parse(html)
    # the only scripts are the report's own print helper and the vendored pathway viewer
    # (Cytoscape.js and its initialisation)
    assert parsed.tags["script"] == 3
    assert "alert" not in "".join(parsed.scripts)


def test_design_table_counts_and_warnings(report_html: str) -> None:
    text = _plain(report_html)
    # vehicle (R10-R19, R12 excluded): 10 planned, 10 randomised, 9 analysed, 1 excluded
    assert "Vehicle Vehicle — — iv at reperfusion 10 10 9 1" in text
    assert "IMM-H004 1.5 Treatment IMM-H004 1.5 iv at reperfusion 10 10 10 0" in text
    assert "Vehicle: 9 animals analysed, fewer than the 10 planned." in text
    assert "Animal R12 (Vehicle) excluded: died 20 h after MCAO." in text
    # assumption checks are not repeated as warnings: the automatic choice already acted on them
    # (methods text); only the statistics engine's own warnings are listed
    assert "Shapiro-Wilk normality test failed" not in text
    assert "R10: slice 4 missing" in text
    # QC facts, flattened and rounded to 4 significant figures
    assert "Standard curve · R² 0.9987" in text
    assert "Standard curve · Slope 0.01235" in text
    assert "Slice thickness (mm) 2 " in text


def test_no_warnings_message(make_outcome: Callable[..., StudyOutcome]) -> None:
    outcome = make_outcome(excluded=False)
    outcome.readouts["ttc"].warnings.clear()
    for v in outcome.variables:
        assert v.comparison is not None
        v.comparison.assumptions = v.comparison.assumptions.iloc[0:0]
    assert "No warnings" in _plain(render_report(outcome))


def test_write_report(tmp_path: Path, make_outcome: Callable[..., StudyOutcome]) -> None:
    path = write_report(make_outcome(), tmp_path / "out" / "report.html")
    assert path.is_file()
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # the vendored interactive pathway viewer (Cytoscape.js, ~430 kB) makes most of the size
    assert path.stat().st_size < 1_000_000


@pytest.mark.parametrize("simulated", [True, False])
def test_variable_without_comparison(
    make_outcome: Callable[..., StudyOutcome], simulated: bool
) -> None:
    outcome = make_outcome(simulated=simulated)
    outcome.variables[0].comparison = None
    outcome.variables[0].model_check = None
    html = render_report(outcome)
    assert _parse(html).errors == []
    assert "Not compared" in _plain(html)


def test_omnibus_sentence(make_outcome: Callable[..., StudyOutcome]) -> None:
    """Known omnibus values of conftest.py: F(4, 44) = 12.4, p = 2.9e-7; H(4) = 31.7."""
    from neuroprotect.report.methods import omnibus_sentence

    infarct, score = make_outcome().variables
    assert omnibus_sentence(infarct.comparison) == "One-way ANOVA: F(4, 44) = 12.4, p < 0.001"
    assert omnibus_sentence(score.comparison) == "Kruskal-Wallis: H(4) = 31.7, p < 0.001"
    assert omnibus_sentence(infarct.model_check) == ""


def test_minimal_outcome_without_sham_or_planned_n() -> None:
    """Two groups, no sham, no planned n, animals table without exclusion columns, a NaN p-value
    and a missing value: the report still renders, with an em dash for what is unknown."""
    from datetime import datetime

    import numpy as np
    import pandas as pd

    from neuroprotect.schema.manifest import Study
    from neuroprotect.stats.result import ComparisonResult
    from neuroprotect.workflows.outcome import StudyOutcome, VariableResult
    from neuroprotect.workflows.readouts import VariableSpec

    study = Study.model_validate(
        {
            "study_id": "tiny",
            "title": "Tiny & small",
            "compound": "not_in_kb",
            "model": "unknown_model",
            "species": "mouse",
            "groups": [{"id": "v", "role": "vehicle"}, {"id": "t", "role": "treatment"}],
            "animals": "animals.csv",
            "readouts": [{"id": "w", "type": "brain_water", "files": ["w.csv"]}],
        }
    )
    data = pd.DataFrame(
        {"animal_id": list("abcdef"), "group": list("vvvttt"), "value": [1, 2, np.nan, 3, 4, 5]}
    )
    contrasts = pd.DataFrame(
        [{"group": "t", "control": "v", "estimate": 2.5, "p_val": np.nan, "p_adj": np.nan}]
    )
    comparison = ComparisonResult("welch-t", "", {}, contrasts, pd.DataFrame())
    outcome = StudyOutcome(
        study=study,
        animals=pd.DataFrame({"animal_id": list("abcdef"), "group": list("vvvttt")}),
        readouts={},
        variables=[
            VariableResult(
                "w", "brain_water", VariableSpec("water_pct", "Water", "%"), data, comparison, None
            )
        ],
        raw_files=[],
        input_hash="abc",
        parameters={},
        versions={},
        started_at=datetime(2026, 1, 1, 12, 0),
    )
    html = render_report(outcome)
    assert _parse(html).errors == []
    text = _plain(html)
    assert "Tiny &amp; small" in html and "not_in_kb" in text
    assert "Water (%): 2 of 3 analysed animals in v have a value." in text
    assert "SIMULATED" not in text
    # summary computed from the values (analytic): v = [1, 2], t = [3, 4, 5]; IQR by R's type 7
    assert "v 2 1.50 0.707 0.500 1.50 1.25, 1.75" in text
    assert "t 3 4.00 1.00 0.577 4.00 3.50, 4.50" in text


def test_details_tables_are_collapsible(report_html: str) -> None:
    text = _plain(report_html)
    assert "Slice areas · 6 rows" in text
    # whole-number float columns print as integers; areas to 3 significant figures
    assert "R10 2 22.2" in text
    # 2 QC, 1 detail table, versions, parameters, 2 reporting checklists, interactive pathway
    assert report_html.count("<details") == 8


def test_rendering_is_deterministic(make_outcome: Callable[..., StudyOutcome]) -> None:
    assert render_report(make_outcome()) == render_report(make_outcome())


def _print_css(html: str) -> str:
    css = html[html.index("<style>") : html.index("</style>")]
    return css[css.index("@media print") :]


def test_print_layout_saves_ink_and_hides_interactive_parts(report_html: str) -> None:
    css = _print_css(report_html)
    banner = re.search(r"\.banner-blind \{([^}]*)\}", css)
    assert banner is not None
    # the blinded banner prints as black text between rules (no dark fill) and is not a fixed
    # element, which covered the top of every page's content
    assert "background: #fff" in banner.group(1) and "color-adjust: exact" not in banner.group(1)
    assert "position: fixed" not in banner.group(1)
    assert "@top-center" not in css  # unblinded: nothing in the page margin
    assert re.search(r"details\.interactive \{ display: none; \}", css)
    assert '<details class="card interactive">' in report_html
    # on printing, QC and checklists open; raw data tables and the clickable pathway stay closed
    script = _parse(report_html).scripts[-1]
    assert 'querySelectorAll("details:not(.data):not(.interactive)")' in script
    assert '<details class="data">' in report_html
    assert re.search(r"details\.data > summary::after \{ content: \"[^\"]*HTML report", css)


def test_blinded_label_in_the_margin_of_every_printed_page(
    make_outcome: Callable[..., StudyOutcome],
) -> None:
    from dataclasses import replace

    css = _print_css(render_report(replace(make_outcome(), blinded=True)))
    assert re.search(r'@page \{ @top-center \{ content: "BLINDED ANALYSIS', css)


def test_tables_stay_inside_their_card(report_html: str) -> None:
    css = report_html[: report_html.index("</style>")]
    # grid columns may shrink below their content; the summary table scrolls instead of escaping
    assert re.search(r"\.vgrid \{[^}]*grid-template-columns: minmax\(0, [^)]*\) minmax\(0,", css)
    assert ".vgrid > * { min-width: 0; }" in css
    # narrower windows: figure above its summary; design headers wrap ("Randomised / n")
    assert "@media (max-width: 1000px) { .vgrid { grid-template-columns: 1fr; }" in css
    assert "table.design th { white-space: normal; }" in css
    assert '<table class="stats design">' in report_html
    # anchors land below the sticky navigation bar (which is about two lines high)
    assert re.search(r"section\[id\], article\[id\] \{ scroll-margin-top: \d+px; \}", css)
    summaries = re.findall(r"<h4>Summary</h4>\s*(<div class=\"table-wrap\"><table)", report_html)
    assert len(summaries) == 2
    # test names and effect-size types do not break inside a cell ("Hedges' / g")
    for table in re.findall(r'<table class="stats contrasts">.*?</table>', report_html, re.S):
        assert table.count('<td class="nw">') == 2 * table.count("<tr") - 2  # not the header


def test_units_shown_once_and_data_headers_readable(report_html: str) -> None:
    text = _plain(report_html)
    assert "(score) (score)" not in text
    # raw-data column names read as words with their units
    assert "Animal ID Slice Infarct area (mm²)" in text
    assert "Slice thickness (mm)" in text


def test_mechanism_evidence_p_values_formatted_like_the_tables(report_html: str) -> None:
    section = report_html[report_html.index('id="evidence"') :]
    section = section[: section.index("</table>")]
    assert "p = 0.00410" in section and not re.search(r"\d e-?\d|\de-\d", section)
    # verdict cells carry the same tint as the glance table
    assert re.search(r"td\.good \{ background: var\(--good-bg\); \}", report_html)
