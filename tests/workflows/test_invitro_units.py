"""In vitro studies: the cultures table, the independent experiment as the unit of analysis.

References: the experiment-mean analysis is checked against hand-averaged values (pandas on the
raw well file) and scipy's Welch t-test (analytic); the mixed model against statsmodels MixedLM
with the same formula (estimates, SE) and, for a balanced design, the analytic residual degrees
of freedom N - experiments - groups + 1 (R is not installed here).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.errors import InputError, InputErrors
from neuroprotect.io.animals import load_animals
from neuroprotect.schema.manifest import load_study
from neuroprotect.workflows.analyse import analyse_study

MANIFEST = """\
study_id: pc12-units
title: OGD/R PC12 units
compound: imm_h004
model: ogd_r_pc12
species: rat
setting: in_vitro
cell_line: PC12
passage: 6
groups:
  - {{id: normoxia, role: sham}}
  - {{id: ogdr, role: vehicle}}
  - {{id: drug, role: treatment}}
{table_key}: cultures.csv
readouts:
  - {{id: mtt, type: cell_viability, files: [mtt_wells.csv], params: {{control_group: normoxia}}}}
{design}"""

GROUP_LEVEL = {"normoxia": 1.0, "ogdr": 0.5, "drug": 0.7}
EXPERIMENT_OFFSET = {"1": 0.0, "2": 0.15, "3": -0.1, "4": 0.05}


def _study(
    d: Path,
    *,
    experiments: int = 3,
    cultures: int = 3,
    design: str = "",
    table_key: str = "cultures",
    seed: int = 3,
) -> Path:
    """A balanced study: ``cultures`` cultures per group and experiment, two wells each; the
    absorbance is group level + experiment offset + culture noise (seeded)."""
    rng = np.random.default_rng(seed)
    rows, wells = ["culture_id,experiment,group"], ["animal_id,absorbance"]
    for e in range(1, experiments + 1):
        for g, level in GROUP_LEVEL.items():
            for c in range(cultures):
                cid = f"E{e}-{g}-{c}"
                rows.append(f"{cid},{e},{g}")
                a = level + EXPERIMENT_OFFSET[str(e)] + rng.normal(0, 0.04)
                for w in (-0.01, 0.01):  # two technical wells around the culture's value
                    wells.append(f"{cid},{a + w:.6f}")
    (d / "cultures.csv").write_text("\n".join(rows) + "\n")
    (d / "mtt_wells.csv").write_text("\n".join(wells) + "\n")
    (d / "study.yaml").write_text(MANIFEST.format(table_key=table_key, design=design))
    return d / "study.yaml"


def _hand_experiment_means(d: Path) -> pd.DataFrame:
    """Viability per culture (mean of its wells over the normoxia mean), averaged per
    experiment and group, computed here without the readout code."""
    wells = pd.read_csv(d / "mtt_wells.csv")
    table = pd.read_csv(d / "cultures.csv", dtype=str)
    per = wells.groupby("animal_id")["absorbance"].mean()
    table["a"] = table["culture_id"].map(per)
    table["v"] = 100 * table["a"] / table.loc[table["group"] == "normoxia", "a"].mean()
    return table.groupby(["experiment", "group"])["v"].mean().reset_index()


def test_cultures_table_and_manifest(tmp_path: Path) -> None:
    manifest = _study(tmp_path)
    study = load_study(manifest)
    assert study.in_vitro and study.animals == "cultures.csv"  # `cultures:` alias
    assert study.unit_of_analysis == "experiment_mean"
    table = load_animals(study)
    assert {"animal_id", "experiment", "group"} <= set(table.columns)
    assert table["experiment"].nunique() == 3 and len(table) == 27


def test_manifest_errors(tmp_path: Path) -> None:
    manifest = _study(tmp_path)
    text = manifest.read_text()
    manifest.write_text(text.replace("cultures: cultures.csv", "cultures: a.csv\nanimals: b.csv"))
    with pytest.raises(InputErrors, match="either `animals:` or its alias `cultures:`"):
        load_study(manifest)
    vivo = text.replace("setting: in_vitro\n", "") + "design: {unit_of_analysis: mixed_model}\n"
    manifest.write_text(vivo)
    with pytest.raises(InputErrors, match=r"design.unit_of_analysis: expected only in an in vitro"):
        load_study(manifest)
    manifest.write_text(text + "design: {unit_of_analysis: per_well}\n")
    with pytest.raises(InputErrors, match="unit_of_analysis"):
        load_study(manifest)


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ("culture_id,group\nc1,ogdr\n", "experiment"),
        ("culture_id,experiment,group\nc1,1,ogdr\nc1,2,ogdr\n", "row 3.*unique culture ids"),
        ("culture_id,experiment,group\nc1,1,hypoxia\n", "row 2.*group.*'hypoxia'"),
        ("culture_id,experiment,group,well\nc1,1,ogdr,Z99\n", "row 2.*well.*'Z99'"),
        (
            "culture_id,experiment,plate,group,well\nc1,1,P1,ogdr,A1\nc2,1,P1,drug,A01\n",
            "row 3.*well A01 of plate P1 is already used in row 2",
        ),
    ],
)
def test_cultures_table_errors_are_one_line(tmp_path: Path, table: str, match: str) -> None:
    manifest = _study(tmp_path)
    (tmp_path / "cultures.csv").write_text(table)
    with pytest.raises(InputError, match=match) as err:
        load_animals(load_study(manifest))
    assert "cultures.csv" in str(err.value) and "\n" not in str(err.value)
    result = CliRunner().invoke(app, ["validate", str(manifest)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1


def test_experiment_means_are_the_unit(tmp_path: Path) -> None:
    """Reference: hand-averaged experiment means (pandas) and scipy's Welch t-test on them."""
    manifest = _study(tmp_path)
    outcome = analyse_study(load_study(manifest))
    (v,) = outcome.variables
    hand = _hand_experiment_means(tmp_path)
    got = v.data.assign(experiment=v.data["experiment"].astype(str))
    merged = got.merge(hand, on=["experiment", "group"])
    assert len(merged) == len(hand) == 9  # 3 experiments x 3 groups, not 27 cultures
    np.testing.assert_allclose(merged["value"], merged["v"], rtol=1e-12)
    assert set(v.data["n_cultures"]) == {3}
    assert v.comparison is not None and set(v.comparison.summary["n"]) == {3}
    mc = v.model_check
    assert mc is not None and mc.method == "welch-t"
    veh = hand.loc[hand["group"] == "ogdr", "v"]
    sham = hand.loc[hand["group"] == "normoxia", "v"]
    ref = stats.ttest_ind(sham, veh, equal_var=False)
    row = mc.contrasts.iloc[0]
    assert abs(row["statistic"]) == pytest.approx(abs(ref.statistic), rel=1e-9)
    assert row["p_val"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert outcome.parameters["unit_of_analysis"] == "experiment_mean"
    assert not any("independent experiment" in w for w in outcome.warnings)


def test_fewer_than_three_experiments_is_warned(tmp_path: Path) -> None:
    manifest = _study(tmp_path, experiments=2)
    outcome = analyse_study(load_study(manifest))
    assert any("only 2 independent experiments" in w for w in outcome.warnings)
    assert any("pseudo-replication" in w for w in outcome.warnings)
    from neuroprotect.report.methods import write_methods_text

    methods = write_methods_text(outcome)
    assert "came from 2 independent experiments" in methods
    assert "Fewer than 3 independent experiments" in methods
    result = CliRunner().invoke(app, ["validate", str(manifest)])
    assert result.exit_code == 0 and "only 2 independent experiments" in result.output


def test_mixed_model_matches_statsmodels(tmp_path: Path) -> None:
    """Reference: statsmodels MixedLM (REML) ``value ~ C(group) + (1 | experiment)`` on the
    per-culture viability; the Satterthwaite df of a balanced design is N - b - g + 1."""
    import statsmodels.formula.api as smf

    manifest = _study(tmp_path, experiments=4, design="design: {unit_of_analysis: mixed_model}\n")
    outcome = analyse_study(load_study(manifest))
    (v,) = outcome.variables
    res = v.comparison
    assert res is not None and res.method == "lmm-experiment"
    assert "(1 | experiment)" in res.method_reason
    cultures = outcome.readouts["mtt"].measurements
    table = pd.read_csv(tmp_path / "cultures.csv", dtype=str).rename(
        columns={"culture_id": "animal_id"}
    )
    data = cultures.merge(table, on=["animal_id", "group"])
    data = data[data["group"].isin(["ogdr", "drug"])]
    fit = smf.mixedlm("value ~ C(group, Treatment('ogdr'))", data, groups=data["experiment"]).fit(
        reml=True
    )
    term = "C(group, Treatment('ogdr'))[T.drug]"
    row = res.contrasts.set_index("group").loc["drug"]
    assert row["estimate"] == pytest.approx(fit.params[term], rel=1e-6)
    assert row["se"] == pytest.approx(fit.bse[term], rel=1e-4)
    assert row["dof"] == pytest.approx(len(data) - 4 - 2 + 1, rel=1e-4)
    assert row["p_adj"] == pytest.approx(row["p_val"])  # one contrast in the family
    assert row["n"] == 4  # independent experiments, not the 12 cultures
    assert v.model_check is not None and v.model_check.method == "lmm-experiment"
    assert len(v.data) == 12  # the figure shows experiment means
    assert outcome.parameters["unit_of_analysis"] == "mixed_model"
    from neuroprotect.report.methods import write_methods_text

    assert "random intercept per experiment (value ~ group + (1 | experiment)" in (
        write_methods_text(outcome)
    )


def test_a_variable_from_fewer_experiments_is_warned(tmp_path: Path) -> None:
    """Three experiments in the cultures table, but the plate of experiment 3 was not read."""
    manifest = _study(tmp_path)
    wells = tmp_path / "mtt_wells.csv"
    lines = wells.read_text().splitlines()
    wells.write_text("\n".join(x for x in lines if not x.startswith("E3-")) + "\n")
    outcome = analyse_study(load_study(manifest))
    (v,) = outcome.variables
    assert v.data["experiment"].nunique() == 2
    assert v.warnings[0].startswith("values from only 2 independent experiment(s)")
    assert not any("only 2 independent experiments" in w for w in outcome.warnings)


def test_excluded_culture_is_reported_as_a_culture(tmp_path: Path) -> None:
    from neuroprotect.report.methods import collect_warnings, group_counts, write_methods_text

    manifest = _study(tmp_path)
    table = tmp_path / "cultures.csv"
    lines = table.read_text().splitlines()
    lines[0] += ",excluded,exclusion_reason"
    lines[1:] = [
        x + (",true,contaminated" if x.startswith("E1-ogdr-0,") else ",false,") for x in lines[1:]
    ]
    table.write_text("\n".join(lines) + "\n")
    outcome = analyse_study(load_study(manifest))
    methods = write_methods_text(outcome)
    assert (
        "1 culture was excluded before analysis: contaminated (n = 1); 26 were analysed" in methods
    )
    counts = group_counts(outcome).set_index("group")
    assert counts.loc["ogdr", "randomised_n"] == 9 and counts.loc["ogdr", "excluded_n"] == 1
    assert counts.loc["ogdr", "analysed_n"] == 3  # experiments, each still with a culture
    texts = [w.text for w in collect_warnings(outcome)]
    assert "Culture E1-ogdr-0 (ogdr) excluded: contaminated." in texts
    (v,) = outcome.variables
    assert v.data.set_index(["experiment", "group"]).loc[("1", "ogdr"), "n_cultures"] == 2
