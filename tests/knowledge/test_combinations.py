"""Bliss independence and Loewe additivity / Chou-Talalay combination index.

All expected numbers are analytic: data are generated from known median-effect curves, so a sham
combination (a drug with itself) must give CI = 1 and Loewe excess 0, and probabilistically
independent drugs must give Bliss excess 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from neuroprotect.errors import InputError
from neuroprotect.knowledge.combinations import (
    MedianEffectFitter,
    bliss_expected,
    combination_index,
    compute_bliss_excess,
    compute_combination_index,
    loewe_expected_effect,
    plot_combination,
)


def hill(dose: float | np.ndarray, *, m: float, dm: float) -> np.ndarray:
    ratio = (np.asarray(dose, dtype=float) / dm) ** m
    return ratio / (1 + ratio)


def test_bliss_expected_formula() -> None:
    assert bliss_expected(0.3, 0.5) == pytest.approx(0.65)
    assert bliss_expected(0.0, 0.4) == pytest.approx(0.4)
    with pytest.raises(InputError):
        bliss_expected(1.2, 0.1)


def test_independent_drugs_have_zero_bliss_excess() -> None:
    """E_ab = 1 - (1 - E_a)(1 - E_b) for independent actions; replicate noise is symmetric so arm
    means are exact, and the delta-method SE is checked by hand."""
    rows = []
    fa = {1: 0.2, 2: 0.35, 4: 0.6}
    fb = {1: 0.1, 3: 0.45}
    offsets = np.array([-0.05, 0.0, 0.05])
    for d, e in fa.items():
        rows += [{"dose_a": d, "dose_b": 0, "effect": e + o} for o in offsets]
    for d, e in fb.items():
        rows += [{"dose_a": 0, "dose_b": d, "effect": e + o} for o in offsets]
    for da, ea in fa.items():
        for db, eb in fb.items():
            rows += [
                {"dose_a": da, "dose_b": db, "effect": 1 - (1 - ea) * (1 - eb) + o} for o in offsets
            ]
    out = compute_bliss_excess(pd.DataFrame(rows))
    assert len(out) == 6
    np.testing.assert_allclose(out["excess"], 0.0, atol=1e-12)
    assert (out["note"] == "").all()
    sem2 = 0.05**2 / 3  # var(ddof=1) of (-0.05, 0, 0.05) is 0.0025; SEM^2 = 0.0025 / 3
    row = out[(out["dose_a"] == 2) & (out["dose_b"] == 3)].iloc[0]
    expected_se = np.sqrt(sem2 * (1 + (1 - 0.45) ** 2 + (1 - 0.35) ** 2))
    assert row["se"] == pytest.approx(expected_se, rel=1e-12)
    assert row["p_val"] == pytest.approx(1.0)
    assert row["ci_low"] == pytest.approx(-1.959963984540054 * expected_se, rel=1e-9)


def test_bliss_needs_monotherapy_arms() -> None:
    df = pd.DataFrame({"dose_a": [1, 1], "dose_b": [0, 2], "effect": [0.2, 0.5]})
    with pytest.raises(InputError, match="monotherapy"):
        compute_bliss_excess(df)


def test_median_effect_fit_recovers_parameters() -> None:
    doses = np.array([0.5, 1, 2, 4, 8])
    fit = MedianEffectFitter().fit(doses, hill(doses, m=1.7, dm=3.0))
    assert fit.m_ == pytest.approx(1.7, rel=1e-12)
    assert fit.dm_ == pytest.approx(3.0, rel=1e-12)
    assert fit.r_ == pytest.approx(1.0)
    assert fit.dose_for_effect(0.5) == pytest.approx(3.0)
    assert fit.dose_for_effect(fit.effect_at(5.0)) == pytest.approx(5.0)
    with pytest.raises(InputError):
        MedianEffectFitter().fit([1, 2], [0.0, 0.5])


def test_combination_index_by_hand() -> None:
    """m = 1, Dm = 1 for both: Dx(fa) = fa / (1 - fa). At fa = 0.5, Dx = 1 -> CI(0.5, 0.5) = 1;
    at fa = 0.75, Dx = 3 -> CI = 1/3 (synergy)."""
    fit = MedianEffectFitter().fit([0.5, 2.0], hill(np.array([0.5, 2.0]), m=1, dm=1))
    assert combination_index(0.5, 0.5, 0.5, fit_a=fit, fit_b=fit) == pytest.approx(1.0)
    assert combination_index(0.5, 0.5, 0.75, fit_a=fit, fit_b=fit) == pytest.approx(1 / 3)
    # Loewe expectation for (0.5, 0.5) of identical hyperbolic drugs is f(1) = 0.5
    assert loewe_expected_effect(0.5, 0.5, fit_a=fit, fit_b=fit)[0] == pytest.approx(0.5)


def _sham_table(m: float, dm: float) -> pd.DataFrame:
    rows = []
    for d in (1, 2, 4, 8):
        rows += [
            {"dose_a": d, "dose_b": 0, "effect": float(hill(d, m=m, dm=dm))},
            {"dose_a": 0, "dose_b": d, "effect": float(hill(d, m=m, dm=dm))},
        ]
    for a, b in ((1, 1), (2, 2), (1, 4), (4, 2), (8, 1)):
        rows.append({"dose_a": a, "dose_b": b, "effect": float(hill(a + b, m=m, dm=dm))})
    return pd.DataFrame(rows)


@pytest.mark.parametrize(("m", "dm"), [(1.0, 2.0), (1.7, 3.0), (0.6, 5.0)])
def test_sham_combination_has_ci_one(m: float, dm: float) -> None:
    table, fits = compute_combination_index(_sham_table(m, dm))
    np.testing.assert_allclose(table["ci"], 1.0, rtol=1e-10)
    np.testing.assert_allclose(table["loewe_excess"], 0.0, atol=1e-10)
    assert set(table["interpretation"]) == {"additive"}
    assert fits["a"].m_ == pytest.approx(m) and fits["b"].dm_ == pytest.approx(dm)


def test_sham_combination_bliss_excess_is_not_zero() -> None:
    """m = 1, Dm = 1: f(1) = 1/2, Bliss expects 3/4 for (1, 1) but the sham gives f(2) = 2/3."""
    out = compute_bliss_excess(_sham_table(1.0, 1.0))
    row = out[(out["dose_a"] == 1) & (out["dose_b"] == 1)].iloc[0]
    assert row["expected"] == pytest.approx(0.75)
    assert row["excess"] == pytest.approx(2 / 3 - 0.75)


def test_synergy_and_bootstrap_interval() -> None:
    rng = np.random.default_rng(3)
    rows = []
    for d in (1, 2, 4, 8):
        for drug in ("a", "b"):
            base = float(hill(d, m=1.2, dm=3.0 if drug == "a" else 5.0))
            for _ in range(6):
                rows.append(
                    {
                        "dose_a": d if drug == "a" else 0,
                        "dose_b": d if drug == "b" else 0,
                        "effect": float(np.clip(base + rng.normal(0, 0.02), 0.01, 0.99)),
                    }
                )
    for _ in range(6):
        rows.append({"dose_a": 1, "dose_b": 1, "effect": 0.8 + rng.normal(0, 0.02)})
    table, _ = compute_combination_index(pd.DataFrame(rows), n_boot=200, seed=1)
    row = table.iloc[0]
    assert row["ci"] < 0.5 and row["interpretation"] == "synergy"
    assert row["ci_low"] < row["ci"] < row["ci_high"] < 1.0
    assert row["loewe_excess"] > 0


def test_plot_has_three_panels() -> None:
    import matplotlib.pyplot as plt

    fig = plot_combination(_sham_table(1.3, 2.0), names=("igmesine", "FENM"))
    assert len(fig.axes) == 3
    assert fig.axes[0].get_xlabel() == "igmesine: d / Dx"
    plt.close(fig)


def test_synergy_cli_independent_drugs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`neuroprotect stats synergy` on independent drugs: Bliss excess 0 for every combination arm."""
    import json

    from typer.testing import CliRunner

    from neuroprotect.cli.main import app

    fa = {1: 0.2, 2: 0.35, 4: 0.6}
    fb = {1: 0.1, 3: 0.45}
    lines = ["igmesine,fenm,protection"]
    for o in (-0.05, 0.0, 0.05):
        lines += [f"{d},0,{e + o}" for d, e in fa.items()]
        lines += [f"0,{d},{e + o}" for d, e in fb.items()]
        lines += [
            f"{da},{db},{1 - (1 - ea) * (1 - eb) + o}"
            for da, ea in fa.items()
            for db, eb in fb.items()
        ]
    path = tmp_path / "combo.csv"
    path.write_text("\n".join(lines) + "\n")
    args = [
        "stats",
        "synergy",
        str(path),
        "--dose-a",
        "igmesine",
        "--dose-b",
        "fenm",
        "--effect",
        "protection",
    ]
    result = CliRunner().invoke(app, [*args, "--json", "--plot", str(tmp_path / "combo.png")])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert len(out["bliss"]) == 6 and all(abs(r["excess"]) < 1e-12 for r in out["bliss"])
    assert len(out["combination_index"]) == 6
    assert (tmp_path / "combo.png").read_bytes().startswith(b"\x89PNG")
    bad = CliRunner().invoke(app, [*args[:3], "--dose-a", "nope"])
    assert bad.exit_code == 2
