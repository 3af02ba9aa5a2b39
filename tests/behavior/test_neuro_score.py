"""Neurological score checks (analytic: the scale ranges of the defining papers)."""

from __future__ import annotations

import pandas as pd
import pytest

from neuroprotect.behavior.neuro_score import SCALES, check_neuro_scores, get_scale
from neuroprotect.errors import InputError


def test_scale_ranges_and_direction() -> None:
    """Ranges from Longa 1989, Bederson 1986, Garcia 1995, Chen 2001."""
    assert {k: (s.min, s.max, s.higher_is_worse) for k, s in SCALES.items()} == {
        "longa": (0, 4, True),
        "bederson": (0, 3, True),
        "garcia": (3, 18, False),
        "mnss": (0, 18, True),
    }
    assert get_scale("Modified-Garcia") is SCALES["garcia"]
    assert get_scale("zea_longa") is SCALES["longa"]


def test_unknown_scale() -> None:
    with pytest.raises(InputError, match="Expected a neurological scale among.*'nihss'"):
        get_scale("nihss")


def test_scores_pass_through() -> None:
    table = pd.DataFrame(
        {"animal_id": ["a", "b", "a"], "score": [0, 4, 3], "timepoint": ["24h", "24h", "72h"]}
    )
    out = check_neuro_scores(table, scale="longa")
    assert out["neuro_score"].tolist() == [0.0, 4.0, 3.0]
    assert out["timepoint"].tolist() == ["24h", "24h", "72h"]
    assert list(out.columns) == ["animal_id", "timepoint", "neuro_score"]


@pytest.mark.parametrize(
    ("scale", "value", "row"),
    [
        ("longa", 5, 3),
        ("longa", -1, 3),
        ("longa", 2.5, 3),
        ("bederson", 4, 3),
        ("garcia", 2, 3),
        ("garcia", 19, 3),
        ("mnss", 19, 3),
    ],
)
def test_out_of_range_names_row(scale: str, value: float, row: int) -> None:
    table = pd.DataFrame({"animal_id": ["a", "b"], "score": [3, value]})
    with pytest.raises(InputError) as info:
        check_neuro_scores(table, scale=scale, file="scores.csv")
    msg = str(info.value)
    assert msg.startswith(f"scores.csv, row {row}, field 'score': Expected a whole-number")
    assert "\n" not in msg


def test_garcia_accepts_its_range() -> None:
    out = check_neuro_scores(
        pd.DataFrame({"animal_id": ["a", "b"], "score": [3, 18]}), scale="garcia"
    )
    assert out["neuro_score"].tolist() == [3.0, 18.0]


def test_source_row_is_used_and_duplicates_rejected() -> None:
    table = pd.DataFrame({"animal_id": ["a", "a"], "score": [1, 2], "source_row": [10, 11]})
    with pytest.raises(InputError, match="row 11, field 'animal_id'.*'a' is scored more than once"):
        check_neuro_scores(table, scale="longa")


def test_non_numeric_and_empty_id() -> None:
    with pytest.raises(InputError, match=r"row 2, field 'score': .*got 'x'"):
        check_neuro_scores(pd.DataFrame({"animal_id": ["a"], "score": ["x"]}), scale="longa")
    with pytest.raises(InputError, match="row 2, field 'animal_id'"):
        check_neuro_scores(pd.DataFrame({"animal_id": [None], "score": [1]}), scale="longa")
