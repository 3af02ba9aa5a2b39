"""describe_groups against R (mean, sd, quantile(type = 7))."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from neuroprotect.errors import InputError
from neuroprotect.schema.columns import SUMMARY_COLUMNS
from neuroprotect.stats import describe_groups


def test_describe_pain_matches_r(pain):
    """R: for each level of Hair: mean(x), sd(x), quantile(x, c(.25, .5, .75)) (type 7).
    Dark Blond 51.2, 9.28439551074813, 43/52/57; Dark Brunette 37.4, 8.32466215530696, 32/35/39;
    Light Blond 59.2, 8.52642949891688, 55/60/62; Light Brunette 42.5, 5.44671154612273,
    40/41.5/44."""
    order = ["Dark Blond", "Dark Brunette", "Light Blond", "Light Brunette"]
    s = describe_groups(pain, dv="pain", group="hair", order=order)
    assert list(s.columns) == list(SUMMARY_COLUMNS)
    assert list(s["group"]) == order
    assert list(s["n"]) == [5, 5, 5, 4]
    np.testing.assert_allclose(s["mean"], [51.2, 37.4, 59.2, 42.5], rtol=1e-12)
    np.testing.assert_allclose(
        s["sd"],
        [9.28439551074813, 8.32466215530696, 8.52642949891688, 5.44671154612273],
        rtol=1e-12,
    )
    np.testing.assert_allclose(s["sem"], s["sd"] / np.sqrt(s["n"]), rtol=1e-12)
    np.testing.assert_allclose(s["q1"], [43, 32, 55, 40])
    np.testing.assert_allclose(s["median"], [52, 35, 60, 41.5])
    np.testing.assert_allclose(s["q3"], [57, 39, 62, 44])
    np.testing.assert_allclose(s["iqr"], [14, 7, 7, 4])
    np.testing.assert_allclose(s["min"], [41, 30, 48, 37])
    np.testing.assert_allclose(s["max"], [63, 51, 71, 50])


def test_describe_interpolated_quartiles():
    """Analytic: x = 1..4 -> type-7 quartiles 1.75 and 3.25, sd = sqrt(5/3)."""
    df = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 3, "y": [4, 1, 3, 2, 10, 10, 10]})
    s = describe_groups(df, dv="y", group="g").set_index("group")
    assert s.loc["a", "q1"] == 1.75 and s.loc["a", "q3"] == 3.25 and s.loc["a", "median"] == 2.5
    assert s.loc["a", "sd"] == pytest.approx(np.sqrt(5 / 3))
    assert s.loc["b", "sd"] == 0 and s.loc["b", "iqr"] == 0


def test_describe_drops_missing_and_default_order():
    df = pd.DataFrame({"g": ["b", "a", "b", "a"], "y": [1.0, 2.0, None, 4.0]})
    s = describe_groups(df, dv="y", group="g")
    assert list(s["group"]) == ["b", "a"]
    assert list(s["n"]) == [1, 2]
    assert np.isnan(s.loc[0, "sd"])


def test_describe_text_numbers_and_errors():
    df = pd.DataFrame({"g": ["a", "a"], "y": ["1,5", "2.5"]})
    assert describe_groups(df, dv="y", group="g")["mean"].iloc[0] == 2.0
    with pytest.raises(InputError, match="Expected numbers in column 'y', but got 'abc'"):
        describe_groups(pd.DataFrame({"g": ["a"], "y": ["abc"]}), dv="y", group="g")
    with pytest.raises(InputError, match="column 'z'"):
        describe_groups(df, dv="z", group="g")
    with pytest.raises(InputError, match="'c'"):
        describe_groups(df, dv="y", group="g", order=["a", "c"])
