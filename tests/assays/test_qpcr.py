"""qPCR relative quantification: references (pcr, rtpcr, NormqPCR/geNorm) and analytic cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.conftest import shared_data

from neuroprotect.assays.qpcr import (
    compute_efficiency,
    compute_relative_expression,
    summarise_replicates,
)
from neuroprotect.assays.qpcr_readers import read_ct_table
from neuroprotect.assays.qpcr_stability import (
    compute_genorm,
    compute_genorm_m,
    compute_normfinder,
    relative_quantities,
)
from neuroprotect.errors import InputError


def _long_from_columns(table: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    """pcr-package layout (one column per gene, one row per tube) -> long well table."""
    rows = []
    for i, rec in table.reset_index(drop=True).iterrows():
        for gene in table.columns:
            rows.append(
                {
                    "sample": f"s{i}",
                    "group": groups[i],
                    "gene": gene,
                    "ct": rec[gene],
                    "undetermined": False,
                    "efficiency": np.nan,
                }
            )
    return pd.DataFrame(rows)


def _known_fold(fold: float = 2.0, *, reps: int = 3, n: int = 4) -> pd.DataFrame:
    """Analytic table: treated target Ct lower by log2(fold), references equal; replicates exact."""
    rows = []
    for group, shift in (("vehicle", 0.0), ("treated", -np.log2(fold))):
        for a in range(n):
            base = 20.0 + 0.3 * a  # sample-to-sample loading differences cancel in ΔCt
            for _r in range(reps):
                rows.append((f"{group}{a}", group, "Gapdh", base, False))
                rows.append((f"{group}{a}", group, "Actb", base + 2.0, False))
                rows.append(
                    (
                        f"{group}{a}",
                        group,
                        "Tnf",
                        base + 8.0 + shift + (0.1 * a if group == "treated" else 0.0),
                        False,
                    )
                )
    t = pd.DataFrame(rows, columns=["sample", "group", "gene", "ct", "undetermined"])
    t["efficiency"] = np.nan
    return t


# --- analytic -----------------------------------------------------------------------------------
def test_known_two_fold_change_livak_single_and_two_references() -> None:
    """Analytic: treated Tnf Ct is 1 cycle lower (+0.1·a jitter whose mean is 0.15) -> 2^(1-0.15)."""
    wells = _known_fold(2.0)
    for refs in (["Gapdh"], ["Gapdh", "Actb"]):
        res = compute_relative_expression(
            wells, reference=refs, control_group="vehicle", genes=["Tnf"]
        )
        row = res.results.set_index("group").loc["treated"]
        assert row["delta_delta_ct"] == pytest.approx(-1.0 + 0.15, abs=1e-12)
        assert row["fold_change"] == pytest.approx(2**0.85, rel=1e-12)
        assert row["n"] == 4
        assert row["ci_low"] < row["fold_change"] < row["ci_high"]
    exact = _known_fold(2.0)
    exact.loc[exact["gene"] == "Tnf", "ct"] = np.where(
        exact.loc[exact["gene"] == "Tnf", "group"] == "treated", 27.0, 28.0
    )
    exact.loc[exact["gene"] != "Tnf", "ct"] = 20.0
    res = compute_relative_expression(
        exact, reference="Gapdh", control_group="vehicle", genes=["Tnf"]
    )
    assert res.results.set_index("group").loc["treated", "fold_change"] == pytest.approx(
        2.0, rel=1e-12
    )


def test_pfaffl_equals_efficiency_ratio() -> None:
    """Analytic: Pfaffl 2001 ratio E_t^ΔCt_t / E_r^ΔCt_r with ΔCt = control − treated."""
    rows = []
    for g, ct_t, ct_r in (("c", 25.0, 18.0), ("t", 23.5, 18.4)):
        for i in range(3):
            rows += [
                (f"{g}{i}", g, "Il6", ct_t + 0.01 * i, False),
                (f"{g}{i}", g, "Gapdh", ct_r + 0.01 * i, False),
            ]
    wells = pd.DataFrame(rows, columns=["sample", "group", "gene", "ct", "undetermined"])
    res = compute_relative_expression(
        wells,
        reference="Gapdh",
        control_group="c",
        method="pfaffl",
        efficiency={"Il6": 1.9, "Gapdh": 1.95},
    )
    expected = 1.9 ** (25.0 - 23.5) / 1.95 ** (18.0 - 18.4)
    assert res.results.set_index("group").loc["t", "fold_change"] == pytest.approx(
        expected, rel=1e-12
    )
    assert res.efficiencies == pytest.approx({"Il6": 1.9, "Gapdh": 1.95})


def test_technical_replicates_averaged_first_and_sd_flagged() -> None:
    wells = pd.DataFrame(
        {
            "sample": ["a", "a", "a", "b", "b"],
            "group": ["v"] * 5,
            "gene": ["Tnf"] * 5,
            "ct": [20.0, 20.2, 21.6, 25.0, np.nan],
            "undetermined": [False, False, False, False, True],
        }
    )
    reps = summarise_replicates(wells, max_replicate_sd=0.5).set_index("sample")
    assert reps.loc["a", "ct"] == pytest.approx(np.mean([20.0, 20.2, 21.6]))
    assert reps.loc["a", "flag"] == "high_replicate_sd"
    assert reps.loc["b", "ct"] == 25.0 and reps.loc["b", "flag"] == "partly_undetermined"
    set40 = summarise_replicates(wells, undetermined_ct=40).set_index("sample")
    assert (
        set40.loc["b", "ct"] == pytest.approx(32.5) and set40.loc["b", "flag"] == "undetermined_set"
    )


# --- bad input ----------------------------------------------------------------------------------
def test_undetermined_ct_flagged_not_silent(tmp_path) -> None:
    path = tmp_path / "cts.csv"
    lines = ["sample,group,gene,ct"]
    for g in ("veh", "drug"):
        for i in range(3):
            lines += [
                f"{g}{i},{g},Gapdh,18.{i}",
                f"{g}{i},{g},Tnf,{'Undetermined' if (g, i) == ('drug', 0) else f'26.{i}'}",
            ]
    path.write_text("\n".join(lines) + "\n")
    wells = read_ct_table(path)
    assert wells["undetermined"].sum() == 1 and wells["ct"].isna().sum() == 1
    res = compute_relative_expression(wells, reference="Gapdh", control_group="veh")
    row = res.results.set_index("group").loc["drug"]
    assert row["n"] == 2 and np.isfinite(row["fold_change"])
    flagged = res.flags.set_index("sample").loc["drug0"]
    assert flagged["flag"] == "undetermined" and flagged["gene"] == "Tnf"
    assert any("drug0/Tnf" in w for w in res.warnings)


def test_reference_absent_from_a_sample_flags_it(tmp_path) -> None:
    wells = _known_fold(2.0)
    wells = wells[~((wells["sample"] == "treated1") & (wells["gene"] == "Gapdh"))]
    res = compute_relative_expression(
        wells, reference="Gapdh", control_group="vehicle", genes=["Tnf"]
    )
    assert res.results.set_index("group").loc["treated", "n"] == 3
    flag = res.flags.set_index("sample").loc["treated1"]
    assert flag["flag"] == "reference_missing" and "Gapdh" in flag["message"]
    assert "treated1" in res.warnings[0]
    assert not res.results[["delta_ct", "fold_change"]].isna().any().any()


def test_reference_missing_warning_names_group_and_samples() -> None:
    wells = _known_fold(2.0)
    gone = wells["sample"].isin(["treated1", "treated2"]) & (wells["gene"] == "Gapdh")
    wells.loc[gone, ["ct", "undetermined"]] = [np.nan, True]
    res = compute_relative_expression(
        wells, reference="Gapdh", control_group="vehicle", genes=["Tnf"]
    )
    warning = next(w for w in res.warnings if "reference-gene Ct" in w)
    assert "2 sample(s)" in warning and "treated: treated1, treated2" in warning
    assert res.results.set_index("group").loc["treated", "n"] == 2


@pytest.mark.parametrize("pairing", ["paired", "unpaired"])
def test_group_without_any_reference_ct_is_an_error(pairing: str) -> None:
    wells = _known_fold(2.0)
    gone = (wells["group"] == "treated") & (wells["gene"] == "Gapdh")
    wells.loc[gone, ["ct", "undetermined"]] = [np.nan, True]
    interval = "pooled" if pairing == "paired" else "welch"
    with pytest.raises(InputError, match=r"group 'treated'.*treated0, treated1") as info:
        compute_relative_expression(
            wells, reference="Gapdh", control_group="vehicle", pairing=pairing, interval=interval
        )
    assert info.value.field == "reference" and "Gapdh" in str(info.value)


def test_empty_or_header_only_ct_table(tmp_path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("\n \n")
    with pytest.raises(InputError, match=r"empty\.csv: Expected a Ct table, but the file is empty"):
        read_ct_table(empty)
    header = tmp_path / "header.csv"
    header.write_text("sample,group,gene,ct\n")
    with pytest.raises(InputError, match=r"header\.csv: Expected at least one well"):
        read_ct_table(header)


def test_efficiency_counts_undetermined_wells() -> None:
    fit = compute_efficiency([1, 10, 100, 1000], [20.0, 16.68, np.nan, np.nan])
    assert (fit.n, fit.n_undetermined) == (2, 2)


def test_bad_input_messages(tmp_path) -> None:
    wells = _known_fold()
    with pytest.raises(InputError, match="reference gene 'Hprt'"):
        compute_relative_expression(wells, reference="Hprt", control_group="vehicle")
    with pytest.raises(InputError, match="control group"):
        compute_relative_expression(wells, reference="Gapdh", control_group="sham")
    with pytest.raises(InputError, match="efficiency"):
        compute_relative_expression(
            wells, reference="Gapdh", control_group="vehicle", method="pfaffl"
        )
    bad = tmp_path / "bad.csv"
    bad.write_text("sample,group,gene,ct\na,v,Tnf,abc\n")
    with pytest.raises(InputError, match="row 2.*Undetermined"):
        read_ct_table(bad)


# --- references ---------------------------------------------------------------------------------
def test_pcr_package_ct1_separate_tubes() -> None:
    """pcr (MahShaaban) pcr_analyze(ct1, group_var=rep(c('brain','kidney'), each=6),
    reference_gene='GAPDH', reference_group='brain', mode='separate_tube'):
    RQ kidney 5.637, interval 5.276-6.023 (2^-(ddCt ± sqrt(sd_t² + sd_r²))); dCt 6.860 / 4.365."""
    ct1 = pd.read_csv(shared_data("assays", "pcr_MahShaaban", "ct1.csv"))
    wells = _long_from_columns(ct1, ["brain"] * 6 + ["kidney"] * 6)
    res = compute_relative_expression(
        wells, reference="GAPDH", control_group="brain", pairing="unpaired", interval="sd"
    ).results.set_index("group")
    assert res.loc["brain", "delta_ct"] == pytest.approx(6.860, abs=5e-4)
    assert res.loc["kidney", "delta_ct"] == pytest.approx(4.365, abs=5e-4)
    assert res.loc["kidney", "delta_delta_ct"] == pytest.approx(-2.495, abs=5e-4)
    assert res.loc["kidney", "fold_change"] == pytest.approx(5.637, abs=5e-4)
    assert res.loc["kidney", "ci_low"] == pytest.approx(5.276, abs=5e-4)
    assert res.loc["kidney", "ci_high"] == pytest.approx(6.023, abs=5e-4)
    # control row: error sqrt(sd_t² + sd_r²) = 0.174 (PROVENANCE), interval 2^∓0.174
    assert -np.log2(res.loc["brain", "ci_low"]) == pytest.approx(0.174, abs=5e-4)


def test_pcr_package_ct2_same_tube() -> None:
    """pcr pcr_analyze(ct2, ..., mode='same_tube'): dCt 6.997/4.467, RQ 5.776 (5.232-6.375)."""
    ct2 = pd.read_csv(shared_data("assays", "pcr_MahShaaban", "ct2.csv"))
    wells = _long_from_columns(ct2, ["brain"] * 6 + ["kidney"] * 6)
    res = compute_relative_expression(
        wells, reference="GAPDH", control_group="brain", interval="sd"
    )
    r = res.results.set_index("group")
    assert r.loc["brain", "delta_ct"] == pytest.approx(6.997, abs=5e-4)
    assert r.loc["kidney", "delta_delta_ct"] == pytest.approx(-2.530, abs=5e-4)
    assert (
        r.loc["kidney", "fold_change"],
        r.loc["kidney", "ci_low"],
        r.loc["kidney", "ci_high"],
    ) == pytest.approx((5.776, 5.232, 6.375), abs=5e-4)


def test_yuan2006_t_test_interval() -> None:
    """Yuan et al. 2006 (pcr ct4, rtpcr data_Yuan2006PMCBioinf): ddCt -0.6848, t-test p ~2.8e-5,
    CI (-0.955, -0.4147) on the ddCt scale (pooled-variance t interval)."""
    wells = read_ct_table(shared_data("assays", "rtpcr_mirzaghaderi", "data_Yuan2006PMCBioinf.csv"))
    # rtpcr's file labels the pcr package's reference column 'target' and vice versa.
    r = compute_relative_expression(
        wells, reference="target", control_group="control"
    ).results.iloc[1]
    assert r["delta_delta_ct"] == pytest.approx(-0.6848, abs=5e-5)
    assert r["p_val"] == pytest.approx(2.8e-5, abs=5e-7)
    assert -np.log2(r["ci_high"]) == pytest.approx(-0.955, abs=5e-4)
    assert -np.log2(r["ci_low"]) == pytest.approx(-0.4147, abs=5e-5)


def test_rtpcr_anova_ddct_heffer() -> None:
    """rtpcr ANOVA_DDCt(data_Heffer2020PlosOne, numberOfrefGenes=1, mainFactor.column=1,
    analysisType='ANOVA') -> out_ANOVA_DDCt.csv: ddCt, RE, Tukey-adjusted LCL/UCL, p value."""
    wells = read_ct_table(shared_data("assays", "rtpcr_mirzaghaderi", "data_Heffer2020PlosOne.csv"))
    ref = pd.read_csv(
        shared_data("assays", "rtpcr_mirzaghaderi", "out_ANOVA_DDCt_reference_output.csv")
    )
    res = compute_relative_expression(
        wells, reference="Gapdh", control_group="Uninjected", method="pfaffl", interval="tukey"
    ).results
    got = res[res["group"] != "Uninjected"].set_index(["gene", "group"])
    ref = ref[ref["contrast"].str.contains(" vs ")].copy()
    ref["group"] = ref["contrast"].str.split(" vs ").str[0]
    assert len(ref) == 18
    for rec in ref.itertuples():
        row = got.loc[(rec.gene, rec.group)]
        assert row["delta_delta_ct"] == pytest.approx(rec.ddCt, abs=1e-4)
        assert row["fold_change"] == pytest.approx(rec.RE, abs=1e-5)
        assert row["ci_low"] == pytest.approx(rec.LCL, abs=1e-5)
        assert row["ci_high"] == pytest.approx(rec.UCL, abs=1e-5)
        assert row["p_val"] == pytest.approx(rec.pvalue, abs=1e-5)


def test_rtpcr_efficiency_from_dilution_series() -> None:
    """rtpcr efficiency(data_efficiency1): slopes -3.388094/-3.528125/-3.414551,
    R² 0.9965504/0.9713914/0.9990278, E 1.973110/1.920599/1.962747 (rtpcr README)."""
    data = pd.read_csv(shared_data("assays", "rtpcr_mirzaghaderi", "data_efficiency1.csv"))
    expected = {
        "C2H2.26": (-3.388094, 0.9965504, 1.973110),
        "C2H2.01": (-3.528125, 0.9713914, 1.920599),
        "GAPDH": (-3.414551, 0.9990278, 1.962747),
    }
    for gene, (slope, r2, e) in expected.items():
        fit = compute_efficiency(data["Dilutions"], data[gene], gene=gene)
        assert (fit.slope, fit.r2, fit.efficiency) == pytest.approx((slope, r2, e), abs=2e-6)


def test_efficiency_analytic_100_percent() -> None:
    q = np.repeat([1, 0.1, 0.01, 0.001], 2)
    fit = compute_efficiency(q, 15 - np.log2(q))
    assert fit.efficiency == pytest.approx(2.0, rel=1e-12) and fit.r2 == pytest.approx(1.0)


VANDESOMPELE_TABLE3 = {
    "BM": ["RPL13A", "UBC", "YWHAZ", "HPRT1", "GAPD", "SDHA", "TBP", "HMBS", "B2M", "ACTB"],
    "POOL": ["GAPD", "SDHA", "HMBS", "HPRT1", "TBP", "UBC", "RPL13A", "YWHAZ", "ACTB", "B2M"],
    "FIB": ["GAPD", "HPRT1", "YWHAZ", "UBC", "ACTB", "TBP", "SDHA", "RPL13A", "B2M", "HMBS"],
    "LEU": ["UBC", "YWHAZ", "B2M", "GAPD", "RPL13A", "TBP", "SDHA", "HPRT1", "HMBS", "ACTB"],
    "NB": ["GAPD", "HPRT1", "SDHA", "UBC", "HMBS", "YWHAZ", "TBP", "ACTB", "RPL13A", "B2M"],
}


def test_genorm_ranking_vandesompele_table3() -> None:
    """NormqPCR vignette chunk 'table3': selectHKs(geNorm.qPCRBatch[, tissue == t],
    method='geNorm', minNrHK=2, log=FALSE)$ranking reproduces Vandesompele 2002 Table 3
    (best pair first, the two cannot be ranked; listed here alphabetically as NormqPCR does)."""
    x = pd.read_csv(
        shared_data("assays", "NormqPCR_geNorm_NormFinder", "geNorm.qPCRBatch_exprs.csv"),
        index_col=0,
    ).T
    tissue = x.index.str.replace(r"\d+$", "", regex=True).str.split(".").str[0]
    for t, ranking in VANDESOMPELE_TABLE3.items():
        res = compute_genorm(x[tissue == t])
        assert res.ranking == ranking, t
    bm = compute_genorm(x[tissue == "BM"])
    # regression on top of the ranking: M with all 10 genes (project's re-computation file)
    assert bm.m_values["ACTB"] == pytest.approx(0.85, abs=5e-4)
    assert bm.steps["excluded_m"].iloc[-1] == pytest.approx(0.349, abs=5e-4)


def test_genorm_m_analytic_and_from_cts() -> None:
    """Analytic: genes A and B vary together (ratio constant) -> M_A = M_B for the pair = 0."""
    rng = np.random.default_rng(1)
    load = rng.normal(0, 1, 8)
    x = pd.DataFrame({"A": load, "B": load + 3.0, "C": load + rng.normal(0, 0.5, 8)})
    m = compute_genorm_m(x[["A", "B"]], log=True)
    assert m.to_numpy() == pytest.approx([0.0, 0.0], abs=1e-12)
    assert compute_genorm(x, log=True).ranking[-1] == "C"
    wells = _known_fold()
    rq = relative_quantities(summarise_replicates(wells), genes=["Gapdh", "Actb"])
    assert compute_genorm_m(rq).to_numpy() == pytest.approx([0.0, 0.0], abs=1e-12)


def test_normfinder_noisy_gene_last_and_one_group_variance() -> None:
    """Analytic: with one group the NormFinder value is σ²_i (Andersen 2004 eq. for intragroup
    variance); a gene with extra noise and a gene shifted in one group rank last."""
    rng = np.random.default_rng(7)
    n = 40
    load = rng.normal(0, 1, n)
    x = pd.DataFrame({f"g{i}": load + rng.normal(0, 0.1, n) for i in range(5)})
    x["noisy"] = load + rng.normal(0, 0.8, n)
    one = compute_normfinder(x, log=True)
    assert one["gene"].iloc[-1] == "noisy"
    groups = ["a"] * 20 + ["b"] * 20
    y = x.drop(columns="noisy").copy()
    y.loc[20:, "g4"] += 1.5  # regulated between groups: not a reference gene
    res = compute_normfinder(y, groups=groups, log=True)
    assert res["gene"].iloc[-1] == "g4"
    assert set(res.columns) == {"gene", "stability", "rank"}


def test_single_sample_group_gets_a_warning_not_a_silent_nan() -> None:
    wells = _known_fold()
    wells = wells[~wells["sample"].isin(["treated1", "treated2", "treated3"])]
    res = compute_relative_expression(
        wells, reference="Gapdh", control_group="vehicle", genes=["Tnf"], interval="welch"
    )
    row = res.results.set_index("group").loc["treated"]
    assert row["n"] == 1 and np.isnan(row["ci_low"])
    assert any("no welch interval" in w for w in res.warnings)
    pooled = compute_relative_expression(
        wells, reference="Gapdh", control_group="vehicle", genes=["Tnf"]
    )
    assert np.isfinite(pooled.results.set_index("group").loc["treated", "ci_low"])
