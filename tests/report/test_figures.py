"""Inline SVG figures."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from neuroprotect.report.figures import (
    OKABE_ITO_TREATMENTS,
    ROLE_COLOURS,
    YLABEL_WIDTH,
    GroupStyle,
    _centre_and_spread,
    assign_group_colours,
    dot_edge,
    figure_to_svg,
    group_legend,
    render_group_plot,
    tidy_figure,
)
from neuroprotect.schema.manifest import Group, Role


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "group": np.repeat(["a", "b"], 8),
            "value": np.r_[rng.normal(10, 1, 8), rng.normal(6, 1, 8)],
        }
    )


def test_svg_is_inline_well_formed_and_small() -> None:
    svg = render_group_plot(
        _data(),
        groups=[GroupStyle("a", "Vehicle", "#333333"), GroupStyle("b", "Dose <b>&", "#56B4E9")],
        ylabel="Infarct volume (mm³)",
        marks={"b": "**"},
    )
    assert svg.startswith("<svg") and "<?xml" not in svg and "<!DOCTYPE" not in svg
    root = ElementTree.fromstring(svg)  # well-formed XML, so text was escaped
    texts = "".join(root.itertext())
    assert "Dose <b>&" in texts  # the label survives as text, not as markup
    assert "**" in texts and "Infarct volume (mm³)" in texts
    assert "<style" not in svg  # matplotlib's global *{...} rule is not leaked into the page
    assert len(svg.encode()) < 60_000


def test_ids_are_unique_per_figure_and_references_resolve() -> None:
    a = render_group_plot(_data(), groups=[GroupStyle("a", "A", "#000")], ylabel="y")
    b = render_group_plot(_data(), groups=[GroupStyle("b", "B", "#000")], ylabel="y")
    ids_a = set(re.findall(r' id="([^"]+)"', a))
    ids_b = set(re.findall(r' id="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b
    for svg, ids in ((a, ids_a), (b, ids_b)):
        refs = set(re.findall(r'(?:url\(#|href="#)([^")]+)', svg))
        assert refs <= ids


def test_dollar_signs_are_not_mathtext() -> None:
    svg = render_group_plot(_data(), groups=[GroupStyle("a", "$5 dose", "#000")], ylabel="cost ($)")
    assert "$5 dose" in "".join(ElementTree.fromstring(svg).itertext())


def test_centre_and_spread() -> None:
    """Analytic: mean ± SEM of 1..5 is 3 ± sqrt(2.5 / 5); quartiles (type 7) of 0..4 are 1, 3."""
    c, lo, hi = _centre_and_spread(np.array([1.0, 2, 3, 4, 5]), ordinal=False)
    assert c == 3 and np.isclose(hi - c, np.sqrt(2.5 / 5))
    assert _centre_and_spread(np.array([0.0, 1, 2, 3, 4]), ordinal=True) == (2.0, 1.0, 3.0)


def test_group_colours_by_role_and_order() -> None:
    groups = [
        Group(id="s", role=Role.SHAM),
        Group(id="v", role=Role.VEHICLE),
        Group(id="t1", role=Role.TREATMENT),
        Group(id="t2", role=Role.TREATMENT),
        Group(id="pc", role=Role.POSITIVE_CONTROL),
    ]
    colours = assign_group_colours(groups)
    assert colours == {
        "s": ROLE_COLOURS[Role.SHAM],
        "v": ROLE_COLOURS[Role.VEHICLE],
        "t1": OKABE_ITO_TREATMENTS[0],
        "t2": OKABE_ITO_TREATMENTS[1],
        "pc": ROLE_COLOURS[Role.POSITIVE_CONTROL],
    }
    assert len(set(colours.values())) == len(groups)


def _svg_texts(svg: str) -> list[str]:
    ns = "{http://www.w3.org/2000/svg}"
    return [t.text or "" for t in ElementTree.fromstring(svg).iter(f"{ns}text")]


def test_long_y_label_wraps_instead_of_running_off_the_axis() -> None:
    label = "Infarct volume, edema-corrected, of the ipsilateral hemisphere (mm³)"
    svg = render_group_plot(_data(), groups=[GroupStyle("a", "A", "#000")], ylabel=label)
    lines = [t for t in _svg_texts(svg) if t and t in label]
    assert " ".join(lines) == label  # every word drawn, over several lines
    assert len(lines) >= 2 and all(len(line) <= YLABEL_WIDTH for line in lines)


def test_light_group_colours_get_a_dark_edge() -> None:
    """Okabe-Ito yellow on white paper: its dots get a darker edge, the others stay white-edged."""
    yellow = OKABE_ITO_TREATMENTS[-1]
    assert dot_edge(yellow) != "white"
    assert [dot_edge(c) for c in OKABE_ITO_TREATMENTS[:-1]] == ["white"] * 5
    svg = render_group_plot(_data(), groups=[GroupStyle("a", "A", yellow)], ylabel="y")
    assert f"stroke: {dot_edge(yellow)}" in svg


def test_group_legend_follows_the_report() -> None:
    groups = [
        Group(id="sham", role=Role.SHAM, label="Sham"),
        Group(id="vehicle", role=Role.VEHICLE),
        Group(id="t1", role=Role.TREATMENT, label="Drug 1"),
        Group(id="t2", role=Role.TREATMENT, label="Drug 2"),
    ]
    labels, colours = group_legend(groups, ["t2", "vehicle", "sham"])
    assert list(labels) == ["sham", "vehicle", "t2"]  # manifest order, only groups present
    assert labels["t2"] == "Drug 2"
    assert colours == {g: assign_group_colours(groups)[g] for g in labels}
    assert colours["t2"] == OKABE_ITO_TREATMENTS[1]  # the colour t2 has in every other figure
    # blinded: codes in code order, named and coloured as the coded report shows them
    labels, colours = group_legend(groups, ["XS", "AB"])
    assert labels == {"AB": "Group AB", "XS": "Group XS"}
    assert list(colours.values()) == list(OKABE_ITO_TREATMENTS[:2])


def test_readout_figures_keep_their_size_and_the_report_style() -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.0, 3.0))
    ax = fig.add_subplot()
    ax.plot([1, 2], [3, 4], label="a")
    ax.legend()
    tidy_figure(fig)
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert ax.xaxis.get_ticklabels()[0].get_fontsize() == 8.5
    svg = figure_to_svg(fig)
    # never stretched beyond its drawn size (288 pt), so its text is not blown up
    assert re.search(r'<svg[^>]* class="figure" style="max-width: 288pt"', svg)


def test_few_groups_are_not_blown_up() -> None:
    """A two-group plot is drawn 3.2 in wide and never shown larger than drawn (fonts stay small)."""
    svg = render_group_plot(_data(), groups=[GroupStyle("a", "A", "#000")], ylabel="y")
    assert 'style="max-width: 230pt"' in svg  # 3.2 in x 72 pt
