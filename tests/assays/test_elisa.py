"""ELISA 4PL/5PL fits and plate analysis.

References:
- R 4.2.2 ``nls`` on the DNase ELISA data (../shared/data/assays/r_datasets_DNase_Puromycin, Run 1)::

    d1 <- read.csv("DNase.csv"); d1 <- d1[d1$Run == 1, ]
    nls(density ~ SSlogis(log(conc), Asym, xmid, scal), data = d1)
    # Asym 2.345181571 (SE 0.07815409701), xmid 1.483091725 (0.08135332596),
    # scal 1.041455476 (0.03227082035), sigma 0.01919448833
    nls(density ~ D + (A - D)/(1 + (conc/C)^B), data = d1, start = list(A=0, B=1, C=4, D=2.3))
    # A -0.007897095387 (0.01719972529), B 0.941107227734 (0.05048047138),
    # C 4.514985972024 (0.46088872730), D 2.377237968698 (0.10951628465), sigma 0.0198058387
    # inverse at y = 0.5, 1.0, 1.5: 1.125600939 3.240249575 8.028464160
    nls(..., weights = 1/density^2)
    # A -0.03288570155 (0.004999228336), B 0.80896555883 (0.037253409661),
    # C 7.25554474937 (1.763726441868), D 2.89869355286 (0.305163076608), sigma 0.04115681349
    nls(density ~ D + (A - D)/(1 + (conc/C)^B)^G, ..., start = list(A=0, B=1, C=4, D=2.3, G=1))
    # A -0.006164421439, B 0.954533570969, C 3.909433222091, D 2.444589523205,
    # G 0.870304345973, sigma 0.02067433435

- SoftMax Pro's own back-calculated concentrations (BackCalcConc, Result, AdjResult) in the
  ELISAtools plate exports (../shared/data/assays/ELISAtools_BULQI, MIT).
- Analytic: plates built from a known 4PL curve.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from tests.conftest import shared_data

from neuroprotect.assays.elisa import FivePLFitter, FourPLFitter, analyse_elisa, plot_elisa
from neuroprotect.assays.elisa_fit import make_fitter
from neuroprotect.assays.plates import apply_layout, read_plate_file
from neuroprotect.errors import InputError


@pytest.fixture(scope="module")
def dnase1() -> tuple[np.ndarray, np.ndarray]:
    d = pd.read_csv(shared_data("assays", "r_datasets_DNase_Puromycin", "DNase.csv"))
    d = d[d["Run"] == 1]
    return d["conc"].to_numpy(float), d["density"].to_numpy(float)


def _check(fit: FourPLFitter, expected: dict[str, tuple[float, float]], rtol: float) -> None:
    s = fit.summary.set_index("param")
    for name, (est, se) in expected.items():
        assert s.loc[name, "estimate"] == pytest.approx(est, rel=rtol, abs=1e-6)
        assert s.loc[name, "se"] == pytest.approx(se, rel=rtol)


def test_dnase_sslogis(dnase1: tuple[np.ndarray, np.ndarray]) -> None:
    """4PL with a = 0 is R's SSlogis: Asym = d, xmid = log c, scal = 1 / b."""
    fit = FourPLFitter(fixed={"a": 0.0}).fit(*dnase1)
    p = fit.params_
    assert p["d"] == pytest.approx(2.345181571, rel=1e-4)
    assert np.log(p["c"]) == pytest.approx(1.483091725, rel=1e-4)
    assert 1 / p["b"] == pytest.approx(1.041455476, rel=1e-4)
    assert fit.rse_ == pytest.approx(0.01919448833, rel=1e-4)
    se = fit.summary.set_index("param")["se"]
    assert se["d"] == pytest.approx(0.07815409701, rel=1e-4)
    # delta method: SE(log c) = SE(c) / c, SE(1/b) = SE(b) / b^2
    assert se["c"] / p["c"] == pytest.approx(0.08135332596, rel=1e-4)
    assert se["b"] / p["b"] ** 2 == pytest.approx(0.03227082035, rel=1e-4)


def test_dnase_4pl(dnase1: tuple[np.ndarray, np.ndarray]) -> None:
    fit = FourPLFitter().fit(*dnase1)
    _check(
        fit,
        {
            "a": (-0.007897095387, 0.01719972529),
            "b": (0.941107227734, 0.05048047138),
            "c": (4.514985972024, 0.46088872730),
            "d": (2.377237968698, 0.10951628465),
        },
        1e-4,
    )
    assert fit.rse_ == pytest.approx(0.0198058387, rel=1e-6)
    assert fit.inverse([0.5, 1.0, 1.5]) == pytest.approx(
        [1.125600939, 3.240249575, 8.02846416], rel=1e-4
    )
    assert np.isnan(fit.inverse([3.0, -0.5])).all()  # beyond the asymptotes
    assert fit.predict(fit.inverse(1.0)) == pytest.approx(1.0)


def test_dnase_4pl_weighted(dnase1: tuple[np.ndarray, np.ndarray]) -> None:
    fit = FourPLFitter(weights="1/y2").fit(*dnase1)
    _check(
        fit,
        {
            "a": (-0.03288570155, 0.004999228336),
            "b": (0.80896555883, 0.037253409661),
            "c": (7.25554474937, 1.763726441868),
            "d": (2.89869355286, 0.305163076608),
        },
        1e-4,
    )
    assert fit.rse_ == pytest.approx(0.04115681349, rel=1e-6)


def test_dnase_5pl(dnase1: tuple[np.ndarray, np.ndarray]) -> None:
    """The 5PL is poorly determined on one run (nls stops on its relative-offset criterion), so
    the minimum (RSE) is compared tightly and the parameters to 1e-3."""
    fit = FivePLFitter().fit(*dnase1)
    assert fit.rse_ == pytest.approx(0.02067433435, rel=1e-6)
    ref = {"a": -0.006164421439, "b": 0.954533570969, "c": 3.909433222091, "d": 2.444589523205,
           "g": 0.870304345973}  # fmt: skip
    for k, v in ref.items():
        assert fit.params_[k] == pytest.approx(v, rel=1e-3, abs=1e-5)
    y = fit.predict([0.5, 5, 50])
    assert fit.inverse(y) == pytest.approx([0.5, 5, 50], rel=1e-8)


def test_fitter_errors() -> None:
    with pytest.raises(InputError, match="distinct standard concentrations"):
        FourPLFitter().fit([1, 1, 2, 2], [0.1, 0.1, 0.2, 0.2])
    with pytest.raises(InputError, match="weights"):
        FourPLFitter(weights="1/x")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="model"):
        make_fitter("6pl")


def _softmax(name: str):
    reads, export = read_plate_file(shared_data("assays", "ELISAtools_BULQI", name))
    return export, analyse_elisa(apply_layout(reads, export.layout))


def _compare(export, res) -> pd.DataFrame:
    mine = pd.concat(
        [
            res.standard_wells.rename(columns={"back_calculated": "mine"}),
            res.sample_wells.rename(columns={"concentration": "mine"}),
        ]
    )
    return mine.merge(export.results[["plate", "well", "result"]], on=["plate", "well"])


def test_softmax_back_calculation_two_plates() -> None:
    """Assay 3 and 4: SoftMax's unweighted 4PL reproduced on every well and sample."""
    export, res = _softmax("Assay_3_and_4.txt")
    m = _compare(export, res)
    m = m[np.isfinite(m["result"])]
    assert len(m) > 120
    assert np.allclose(m["mine"], m["result"], rtol=1e-4)
    ref = export.results.drop_duplicates(["plate", "sample"])
    s = res.samples.merge(
        ref[["plate", "sample", "adj_result", "mean_result"]], on=["plate", "sample"]
    )
    s = s[s["type"] == "sample"]
    assert len(s) == 30
    assert np.allclose(s["adjusted_concentration"], s["adj_result"], rtol=1e-4)
    assert np.allclose(s["concentration"], s["mean_result"], rtol=1e-4)


def test_softmax_back_calculation_single_plate() -> None:
    """Assay 2: within 1 % where the curve is well determined (>= 90 pg/mL; near the blank
    SoftMax's curve differs, see PROVENANCE.md)."""
    export, res = _softmax("Assay_2.txt")
    m = _compare(export, res)
    m = m[m["result"] >= 90]
    assert len(m) == 18
    assert np.allclose(m["mine"], m["result"], rtol=0.01)
    # H3 (0.024 OD) lies below the fitted lower asymptote: SoftMax prints "Range?", we flag it
    assert res.standard_wells.set_index("well").loc["H3", "flag"] == "below_curve"
    # the top asymptote (d = 6.3) lies far above the highest standard (2.4): said so
    assert any("parameter(s) d poorly determined" in w for w in res.warnings)


def _plate(conc_std, conc_unk, dil=2.0, a=0.05, b=1.2, c=50.0, d=2.5, noise=None):
    """A plate built from a known 4PL: standards in duplicate, unknowns in triplicate."""

    def f(x):
        return d + (a - d) / (1 + (np.asarray(x, float) / c) ** b)

    rows = []
    letters = "ABCDEFGH"
    for i, x in enumerate(conc_std):
        for k in range(2):
            rows.append({"plate": 1, "well": f"{letters[i]}{k + 1}", "type": "standard",
                         "sample": f"S{i}", "concentration": x, "dilution": 1.0, "masked": False,
                         "value": f(x) * (1 + (0.01 if k else -0.01))})  # fmt: skip
    for j, x in enumerate(conc_unk):
        for k in range(3):
            y = f(x) if noise is None else f(x) * (1 + noise[k])
            rows.append({"plate": 1, "well": f"{letters[j]}{k + 4}", "type": "sample",
                         "sample": f"U{j}", "concentration": np.nan, "dilution": dil,
                         "masked": False, "value": y})  # fmt: skip
    w = pd.DataFrame(rows)
    w["flag"] = "ok"
    return w


def test_synthetic_plate_recovers_concentrations() -> None:
    stds = [0, 3.125, 6.25, 12.5, 25, 50, 100, 200]
    wells = _plate(stds, [10.0, 80.0, 1.0, 5000.0])
    res = analyse_elisa(wells)
    assert res.curves[1].params_["c"] == pytest.approx(50, rel=1e-2)
    lev = res.standards.set_index("sample")
    assert lev.loc["S5", "recovery_pct"] == pytest.approx(100, abs=2)
    assert np.isnan(lev.loc["S0", "recovery_pct"])
    smp = res.samples.set_index("sample")
    assert smp.loc["U0", "concentration"] == pytest.approx(10, rel=0.02)
    assert smp.loc["U0", "adjusted_concentration"] == pytest.approx(
        2 * smp.loc["U0", "concentration"]
    )
    assert smp.loc["U0", "flag"] == "ok" and smp.loc["U1", "flag"] == "ok"
    assert smp.loc["U0", "cv_pct"] == pytest.approx(0, abs=1e-6)
    assert smp.loc["U2", "flag"] == "below_lloq"  # 1 < 3.125, extrapolated but flagged
    assert smp.loc["U2", "concentration"] == pytest.approx(1, rel=0.1)
    assert "above_uloq" in smp.loc["U3", "flag"]
    assert res.limits[1] == (3.125, 200)
    assert not any("poorly determined" in w for w in res.warnings)
    assert any("below the LLOQ" in w for w in res.warnings)
    censored = analyse_elisa(wells, out_of_range="censor").samples.set_index("sample")
    assert np.isnan(censored.loc["U2", "concentration"])
    assert censored.loc["U0", "concentration"] == pytest.approx(smp.loc["U0", "concentration"])


def test_competitive_curve_and_cv_flag() -> None:
    """A falling curve (competitive ELISA, a > d) and replicates with 30 % spread."""
    stds = [0, 1, 3, 10, 30, 100, 300, 1000]
    wells = _plate(stds, [20.0], a=2.0, d=0.1, c=30.0, noise=[-0.3, 0.0, 0.3])
    res = analyse_elisa(wells)
    p = res.curves[1].params_
    assert p["a"] > p["d"] and p["b"] > 0
    assert "high_cv" in res.samples["flag"].iloc[0]


def test_blank_subtraction_and_no_signal_standard() -> None:
    stds = [0, 3.125, 6.25, 12.5, 25, 50, 100, 200]
    wells = _plate(stds, [10.0])
    wells["value"] += 0.3
    blank = pd.DataFrame({"plate": 1, "well": ["H11", "H12"], "type": "blank", "sample": "blank",
                          "concentration": np.nan, "dilution": 1.0, "masked": False,
                          "value": [0.3, 0.3], "flag": "ok"})  # fmt: skip
    wells = pd.concat([wells, blank], ignore_index=True)
    wells.loc[3, ["value", "flag"]] = [np.nan, "no_signal"]  # a standard with no reading
    res = analyse_elisa(wells)
    assert res.blanks[1] == pytest.approx(0.3)
    assert res.curves[1].n_ == 15
    assert res.samples["concentration"].iloc[0] == pytest.approx(10, rel=0.02)
    assert any("no_signal" in w and "B2" in w for w in res.warnings)
    assert res.standard_wells.set_index("well").loc["B2", "flag"] == "no_signal"


def test_plot_returns_figure() -> None:
    res = analyse_elisa(_plate([0, 3.125, 6.25, 12.5, 25, 50, 100, 200], [10.0]))
    fig = plot_elisa(res, unit="pg/mL")
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_xscale() == "log"


def test_plate_without_standards() -> None:
    wells = _plate([], [10.0])
    with pytest.raises(InputError, match="standard wells"):
        analyse_elisa(wells)


def test_overflow_wells(tmp_path) -> None:
    """A reader's OVRFLW marker: a saturated standard is left out, a saturated sample flagged."""
    from neuroprotect.assays.plates import read_layout, read_plate

    def f(x):
        return 2.5 + (0.05 - 2.5) / (1 + (np.asarray(x, float) / 50) ** 1.2)

    conc = [0, 3.125, 6.25, 12.5, 25, 50, 100, 200]
    cells = [[f"{v:.6f}" for v in f(conc)] + [""] * 4 for _ in range(2)]
    cells[1][7] = "OVRFLW"
    cells.append([f"{f(20.0):.6f}", "OVRFLW"] + [""] * 10)
    lines = [",".join([""] + [str(i) for i in range(1, 13)])]
    lines += [",".join(["ABC"[r], *cells[r]]) for r in range(3)]
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    rows = ["well,type,sample,concentration"]
    rows += [f"{r}{i + 1},standard,,{c}" for r in "AB" for i, c in enumerate(conc)]
    rows += ["C1,sample,x,", "C2,sample,x,"]
    (tmp_path / "l.csv").write_text("\n".join(rows) + "\n")
    wells = apply_layout(read_plate(tmp_path / "p.csv"), read_layout(tmp_path / "l.csv"))
    assert wells.set_index("well").loc[["B8", "C2"], "flag"].tolist() == ["overflow", "overflow"]
    res = analyse_elisa(wells)
    assert res.curves[1].n_ == 15
    (s,) = res.samples.itertuples()
    assert s.flag == "overflow;above_uloq" and s.n == 1
    assert s.concentration == pytest.approx(20, rel=1e-4)
    assert any("B8" in w and "overflow" in w for w in res.warnings)


def test_two_plates_from_grid_and_layout(tmp_path) -> None:
    """A two-plate grid file with a layout 'plate' column: one curve per plate."""
    from neuroprotect.assays.plates import read_layout, read_plate

    conc = [0, 3.125, 6.25, 12.5, 25, 50, 100, 200]
    blocks = []
    for c50 in (50.0, 80.0):
        y = 2.5 + (0.05 - 2.5) / (1 + (np.asarray(conc) / c50) ** 1.2)
        ys = 2.5 + (0.05 - 2.5) / (1 + (10.0 / c50) ** 1.2)
        rows = [",".join(["A", *[f"{v:.8f}" for v in y], "", "", "", ""])]
        rows.append(",".join(["B", *[f"{v:.8f}" for v in y], "", "", "", ""]))
        rows.append(",".join(["C", f"{ys:.8f}", f"{ys:.8f}"] + [""] * 10))
        blocks.append("\n".join(rows))
    (tmp_path / "p.csv").write_text("Plate 1\n" + blocks[0] + "\nPlate 2\n" + blocks[1] + "\n")
    lay = ["plate,well,type,sample,concentration,dilution"]
    for p in (1, 2):
        lay += [f"{p},{r}{i + 1},standard,,{c}," for r in "AB" for i, c in enumerate(conc)]
        lay += [f"{p},C1,sample,s{p},,3", f"{p},C2,sample,s{p},,3"]
    (tmp_path / "l.csv").write_text("\n".join(lay) + "\n")
    res = analyse_elisa(
        apply_layout(read_plate(tmp_path / "p.csv"), read_layout(tmp_path / "l.csv"))
    )
    assert res.curves[1].params_["c"] == pytest.approx(50, rel=1e-6)
    assert res.curves[2].params_["c"] == pytest.approx(80, rel=1e-6)
    adj = res.samples.set_index("sample")["adjusted_concentration"]
    assert adj.to_dict() == pytest.approx({"s1": 30.0, "s2": 30.0}, rel=1e-6)


def test_4pl_is_drc_ll4() -> None:
    """Unweighted 4PL = drc LL.4 (a = d_drc, d = c_drc, c = e, b = b) on the drc ryegrass data:
    drm(rootl ~ conc, fct = LL.4()) gives b 2.98222, c 0.48141, d 7.79296, e 3.05795."""
    from neuroprotect.stats.dose_response import LL4Fitter

    d = pd.read_csv(shared_data("assays", "drc_doseresponse", "ryegrass.csv"))
    fit = FourPLFitter().fit(d["conc"], d["rootl"])
    ll4 = LL4Fitter(covariance="jtj").fit(d["conc"], d["rootl"])
    p, q = fit.params_, ll4.params_
    assert (p["a"], p["b"], p["c"], p["d"]) == pytest.approx(
        (q["d"], q["b"], q["e"], q["c"]), rel=1e-7
    )
    assert (p["b"], p["c"]) == pytest.approx((2.98222, 3.05795), rel=1e-5)
    se = fit.summary.set_index("param")["se"]
    se_ll4 = ll4.summary.set_index("param")["se"]
    assert se["c"] == pytest.approx(se_ll4["e"], rel=1e-6)  # both Gauss-Newton (nls) covariance


def test_negative_readings_are_warned() -> None:
    """A raw OD below 0 cannot be measured: the well is named in a warning, not fitted silently."""
    wells = _plate([0, 3.125, 6.25, 12.5, 25, 50, 100, 200], [10.0])
    wells.loc[1, "value"] = -0.3
    res = analyse_elisa(wells)
    assert any(
        "negative readings" in w and "A2 (standard S0, plate 1: -0.3)" in w for w in res.warnings
    )
    assert not any(
        "negative" in w
        for w in analyse_elisa(_plate([0, 3.125, 6.25, 12.5, 25, 50, 100, 200], [10.0])).warnings
    )
