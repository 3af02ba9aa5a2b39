"""Unbalanced groups and missing values, against the JASP numbers quoted in pingouin's tests
(../shared/data/stats/pingouin/expected_from_tests.json; pingouin itself is not used)."""

from __future__ import annotations

import numpy as np
import pytest

from neuroprotect.stats import compare_groups

SPECIES = ["Adelie", "Chinstrap", "Gentoo"]


def test_tukey_kramer_penguins(penguins, pingouin_expected):
    """JASP Tukey (Tukey-Kramer, unequal n) on body_mass_g ~ species; JASP lists A - B, we list
    later - earlier, so signs flip. p: 0.8807, ~0, ~0."""
    ref = pingouin_expected["penguins.csv (body_mass_g ~ species, unbalanced)"]["tukey_kramer"]
    res = compare_groups(
        penguins,
        dv="body_mass_g",
        group="species",
        control="Adelie",
        method="tukey",
        order=SPECIES,
    )
    c = res.contrasts
    np.testing.assert_allclose(c["estimate"], -np.asarray(ref["diff"]), atol=1e-3)
    np.testing.assert_allclose(c["se"], ref["se"], atol=1e-4)
    np.testing.assert_allclose(c["statistic"], -np.asarray(ref["T"]), atol=1e-4)
    np.testing.assert_allclose(c["p_adj"], ref["p_JASP"], atol=1e-4)
    assert any("2 row(s) with a missing" in w for w in res.warnings)
    assert list(res.summary["n"]) == [151, 68, 123]


def test_games_howell_penguins(penguins, pingouin_expected):
    """JASP Games-Howell on body_mass_g ~ species: se, Welch df, T, p 0.8502, ~0, ~0."""
    ref = pingouin_expected["penguins.csv (body_mass_g ~ species, unbalanced)"]["gameshowell"]
    res = compare_groups(
        penguins,
        dv="body_mass_g",
        group="species",
        control="Adelie",
        method="games-howell",
        order=SPECIES,
    )
    c = res.contrasts
    np.testing.assert_allclose(c["se"], ref["se"], atol=1e-4)
    np.testing.assert_allclose(c["dof"], ref["df"], atol=1e-4)
    np.testing.assert_allclose(c["statistic"], -np.asarray(ref["T"]), atol=1e-4)
    np.testing.assert_allclose(c["p_adj"], ref["p_JASP"], atol=1e-4)


def test_anova_with_missing_rows(pain, pingouin_expected):
    """JASP one-way ANOVA with rows 17 and 18 set to NaN: F(3, 13) = 4.359, p = 0.025,
    partial eta² 0.501 (3 decimals)."""
    ref = pingouin_expected["anova.csv (Pain threshold ~ Hair color)"]["oneway_anova_rows17_18_NaN"]
    data = pain.copy()
    data.loc[[17, 18], "pain"] = np.nan
    res = compare_groups(
        data, dv="pain", group="hair", control="Dark Blond", method="anova-dunnett"
    )
    assert res.omnibus["dof"] == (ref["ddof1"], ref["ddof2"])
    assert res.omnibus["statistic"] == pytest.approx(ref["F"], abs=5e-4)
    assert res.omnibus["p_val"] == pytest.approx(ref["p"], abs=5e-4)
    assert res.omnibus["effect_size"] == pytest.approx(ref["np2"], abs=5e-4)
    assert any("left out" in w for w in res.warnings)
