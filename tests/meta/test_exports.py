"""Real extractions: fractional (split) control n, SyRF and CAMARADES exports read directly.

Expected numbers are hand calculations written out in each test, and metafor's escalc formulas
(Viechtbauer 2010; metafor accepts fractional n1i/n2i) for the split shared control:

    yi = J (m1 - m2) / s_p,  s_p^2 = ((n1 - 1) sd1^2 + (n2 - 1) sd2^2) / (n1 + n2 - 2),
    J = Gamma(m/2) / (sqrt(m/2) Gamma((m - 1)/2)), m = n1 + n2 - 2,
    vi = 1/n1 + 1/n2 + yi^2 / (2 (n1 + n2))       (SMD)
    yi = m1 - m2, vi = sd1^2/n1 + sd2^2/n2         (MD)
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from tests.conftest import shared_data
from tests.meta._reference import camarades_expected
from typer.testing import CliRunner

from neuroprotect.cli.main import app

runner = CliRunner()

#: One control group of 5 animals shared by three dose arms (n_ctrl = 5/3 = 1.67 each).
SHARED3 = """study,comparison,control_id,n_treat,mean_treat,sd_treat,n_ctrl,mean_ctrl,sd_ctrl
A,A low,A-veh,4,30,2,5,40,3
A,A mid,A-veh,4,25,2,5,40,3
A,A high,A-veh,4,20,2,5,40,3
B,B,,6,50,5,6,60,4
"""


def _run(*args: str) -> tuple[int, dict | None, str]:
    res = runner.invoke(app, list(args))
    out = json.loads(res.stdout) if res.exit_code == 0 and "--json" in args else None
    return res.exit_code, out, res.stderr


def _escalc_smd(m1: float, sd1: float, n1: float, m2: float, sd2: float, n2: float):
    m = n1 + n2 - 2
    j = math.gamma(m / 2) / (math.sqrt(m / 2) * math.gamma((m - 1) / 2))
    sp = math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / m)
    yi = j * (m1 - m2) / sp
    return yi, 1 / n1 + 1 / n2 + yi**2 / (2 * (n1 + n2))


def test_control_shared_by_three_arms_md_by_hand(tmp_path: Path) -> None:
    """MD: vi = 2^2/4 + 3^2/(5/3) = 1 + 5.4 = 6.4 for each arm; B: 25/6 + 16/6 = 41/6."""
    path = tmp_path / "t.csv"
    path.write_text(SHARED3)
    code, r, err = _run("meta", str(path), "--measure", "md", "--json")
    assert code == 0, err
    assert [s["yi"] for s in r["studies"]] == [-10.0, -15.0, -20.0, -10.0]
    assert [s["vi"] for s in r["studies"]] == pytest.approx([6.4, 6.4, 6.4, 41 / 6], rel=1e-12)
    small = [w for w in r["warnings"] if "effective n_ctrl = 1.667 below 2" in w]
    assert len(small) == 3 and "row 2 (A low)" in small[0]
    assert err.count("warning: row") == 3


def test_control_shared_by_three_arms_smd_equals_escalc_with_fractional_n(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(SHARED3)
    code, r, _ = _run("meta", str(path), "--measure", "smd", "--json")
    assert code == 0
    expected = [
        _escalc_smd(30, 2, 4, 40, 3, 5 / 3),
        _escalc_smd(25, 2, 4, 40, 3, 5 / 3),
        _escalc_smd(20, 2, 4, 40, 3, 5 / 3),
        _escalc_smd(50, 5, 6, 60, 4, 6),
    ]
    assert [s["yi"] for s in r["studies"]] == pytest.approx([e[0] for e in expected], rel=1e-12)
    assert [s["vi"] for s in r["studies"]] == pytest.approx([e[1] for e in expected], rel=1e-12)


def test_fractional_n_given_directly_is_accepted(tmp_path: Path) -> None:
    """A CAMARADES extraction that already holds the split n (1.67) is pooled, with a warning."""
    path = tmp_path / "t.csv"
    path.write_text(SHARED3.replace(",5,40,3", ",1.67,40,3").replace(",A-veh,", ",,"))
    code, r, _ = _run("meta", str(path), "--measure", "md", "--json")
    assert code == 0
    assert r["studies"][0]["vi"] == pytest.approx(1 + 9 / 1.67, rel=1e-12)
    assert any("n_ctrl = 1.67 below 2" in w for w in r["warnings"])


def test_smd_with_too_few_animals_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(SHARED3.replace("A,A low,A-veh,4,30", "A,A low,A-veh,1,30"))
    code, _, err = _run("meta", str(path), "--measure", "smd")
    assert code == 2 and "row 2" in err and "n_treat + effective n_ctrl > 3" in err


SYRF_HEADER = (
    "StudyId,Authors,Year,Reconciled,InvestigatorId,Random allocation to group,ExperimentId,"
    "ExperimentLabel,CohortId,CohortLabel,NumberOfAnimals,IsDiseaseModelControl,"
    "DiseaseModelLabel(s),IsTreatmentControl,TreatmentLabel(s),OutcomeId,OutcomeLabel,"
    "GreaterIsWorse,TimeInMinute,OutcomeAverage,OutcomeAverageType,OutcomeUnit,OutcomeError,"
    "ErrorType"
)
SYRF_ROWS = [
    # study 1: vehicle shared by two doses, a sham cohort; errors partly SEM
    "s1,L. Smith and Y. Jones,2019,FALSE,inv1,Yes,e1,MCAO,c-veh,Vehicle,10,FALSE,MCAO,TRUE,"
    "Saline,o1,Infarct volume,TRUE,1440,40,mean,mm3,2,SEM",
    "s1,L. Smith and Y. Jones,2019,FALSE,inv1,Yes,e1,MCAO,c-lo,Drug 1,10,FALSE,MCAO,FALSE,"
    "Drug 1 mg/kg,o1,Infarct volume,TRUE,1440,30,mean,mm3,6,SD",
    "s1,L. Smith and Y. Jones,2019,FALSE,inv1,Yes,e1,MCAO,c-hi,Drug 10,8,FALSE,MCAO,FALSE,"
    "Drug 10 mg/kg,o1,Infarct volume,TRUE,1440,20,mean,mm3,2,SEM",
    "s1,L. Smith and Y. Jones,2019,FALSE,inv1,Yes,e1,MCAO,c-sham,Sham,6,TRUE,Sham,TRUE,"
    "Saline,o1,Infarct volume,TRUE,1440,5,mean,mm3,1,SD",
    # study 2: no sham (fine for SMD, skipped for NMD); one median cohort (always skipped)
    "s2,A. Brown,2021,FALSE,inv2,No,e2,tMCAO,d-veh,Vehicle,12,FALSE,tMCAO,TRUE,Vehicle,"
    "o2,Infarct volume,TRUE,1440,100,mean,mm3,20,SD",
    "s2,A. Brown,2021,FALSE,inv2,No,e2,tMCAO,d-rx,Drug,12,FALSE,tMCAO,FALSE,Drug,"
    "o2,Infarct volume,TRUE,1440,80,mean,mm3,20,SD",
    "s2,A. Brown,2021,FALSE,inv2,No,e2,tMCAO,d-med,Drug (median),12,FALSE,tMCAO,FALSE,Drug,"
    "o2,Infarct volume,TRUE,1440,70,median,mm3,15,IQR",
]


def _syrf(tmp_path: Path, rows: list[str] = SYRF_ROWS) -> Path:
    path = tmp_path / "syrf.csv"
    path.write_text("\n".join([SYRF_HEADER, *rows]) + "\n")
    return path


def test_syrf_export_nmd_by_hand(tmp_path: Path) -> None:
    """Study 1, sham 5: deficit 35. Vehicle SD = SEM 2 x sqrt(10); its n 10 is split by 2 -> 5.

    Drug 1:  NMD = 100 (40 - 30) / 35 = 28.5714...;
             vi = (100/35)^2 (40 / 5 + 36 / 10) = 8.1632653 x 11.6 = 94.6938776
    Drug 10: SD = 2 sqrt(8); NMD = 100 (40 - 20) / 35 = 57.142857;
             vi = (100/35)^2 (40 / 5 + 32 / 8) = 8.1632653 x 12 = 97.9591837
    """
    code, r, err = _run(
        "meta", str(_syrf(tmp_path)), "--format", "syrf", "--measure", "nmd", "--json"
    )
    assert code == 0, err
    assert r["format"] == "syrf" and r["k"] == 2
    assert [s["study"] for s in r["studies"]] == [
        "Smith 2019: Drug 1 vs Vehicle (Infarct volume, 1440 min)",
        "Smith 2019: Drug 10 vs Vehicle (Infarct volume, 1440 min)",
    ]
    assert [s["yi"] for s in r["studies"]] == pytest.approx([1000 / 35, 2000 / 35], rel=1e-12)
    assert [s["vi"] for s in r["studies"]] == pytest.approx(
        [(100 / 35) ** 2 * 11.6, (100 / 35) ** 2 * 12], rel=1e-12
    )
    reasons = {s["row"]: s["reason"] for s in r["skipped"]}
    assert "not a mean" in reasons[8]
    assert "sham" in reasons[7]
    assert all(s["file"].endswith("syrf.csv") for s in r["skipped"])
    assert "row 8 skipped" in err


def test_syrf_export_smd_oriented_by_greater_is_worse(tmp_path: Path) -> None:
    """Study 2, MD: 80 - 100 = -20, GreaterIsWorse -> +20 (benefit positive); vi = 400/12 x 2."""
    code, r, _ = _run("meta", str(_syrf(tmp_path)), "--format", "syrf", "--measure", "md", "--json")
    assert code == 0
    by = {s["study"].split(":")[0] + s["study"][-20:]: s for s in r["studies"]}
    assert r["k"] == 3
    brown = [s for s in r["studies"] if s["study"].startswith("Brown 2021")]
    assert [(s["yi"], s["vi"]) for s in brown] == [pytest.approx((20.0, 800 / 12), rel=1e-12)]
    smith = [s for s in r["studies"] if s["study"].startswith("Smith 2019")]
    # Drug 1: 40 - 30 = 10; vi = 36/10 + 40/5 = 11.6
    assert (smith[0]["yi"], smith[0]["vi"]) == pytest.approx((10.0, 11.6), rel=1e-12)
    assert by  # labels are unique per comparison
    code, r2, _ = _run(
        "meta", str(_syrf(tmp_path)), "--format", "syrf", "--measure", "md", "--by",
        "Random allocation to group", "--json",
    )  # fmt: skip
    assert code == 0 and r2["subgroups"][0]["by"] == "Random allocation to group"


def test_syrf_unreconciled_second_investigator_is_not_double_counted(tmp_path: Path) -> None:
    second = [
        row.replace(",inv1,", ",inv9,").replace(",40,mean", ",41,mean") for row in SYRF_ROWS[:4]
    ]
    path = _syrf(tmp_path, [*SYRF_ROWS, *second])
    code, r, _ = _run("meta", str(path), "--format", "syrf", "--measure", "md", "--json")
    assert code == 0 and r["k"] == 3
    assert any("2 investigators" in w and "inv1" in w for w in r["warnings"])


def test_syrf_missing_column_names_the_file(tmp_path: Path) -> None:
    path = _syrf(tmp_path)
    path.write_text(path.read_text().replace("NumberOfAnimals", "Animals"))
    code, _, err = _run("meta", str(path), "--format", "syrf")
    assert code == 2 and "NumberOfAnimals" in err and str(path) in err
    assert err.count("\n") == 1


def test_camarades_shared_data_sheet_directly() -> None:
    """The synthetic CAMARADES sheet (its own headers, n_c_true for the shared control) gives the
    reference NMD DerSimonian-Laird pooling (hand formulas and metafor rma(method="DL"))."""
    path = shared_data("stats", "camarades-nmd-smd", "synthetic_infarct_volume.csv")
    ref = camarades_expected()["NMD_DL"]
    code, r, _ = _run(
        "meta", str(path), "--format", "camarades", "--measure", "nmd", "--method", "dl", "--json"
    )
    assert code == 0
    assert (r["estimate"], r["se"], r["tau2"], r["q"]) == pytest.approx(
        (ref["RE"], ref["RE_se"], ref["tau2"], ref["Q"]), abs=1e-6
    )


def test_camarades_spelled_out_headers_and_sem(tmp_path: Path) -> None:
    """SEM -> SD with the group's own n, so an MD's variance is SEM_t^2 + SEM_c^2 (unsplit):
    row 1: 1.5^2 + 2^2 = 6.25. Row 2's control is shared by 2 (n 10 -> 5): SD_c = 2 sqrt(10),
    vi = 1.5^2 + 40 / 5 = 10.25."""
    path = tmp_path / "c.csv"
    path.write_text(
        "Study ID,Comparison ID,Control n,Control mean,Control SD,Treatment n,Treatment mean,"
        "Treatment SD,SD or SEM,Control shared by\n"
        "S1,S1,8,50,2,8,40,1.5,SEM,1\n"
        "S2,S2 low,10,60,2,9,45,1.5,SEM,2\n"
        "S2,S2 high,10,60,2,9,35,1.5,SEM,2\n"
    )
    code, r, err = _run("meta", str(path), "--format", "camarades", "--measure", "md", "--json")
    assert code == 0, err
    assert [s["yi"] for s in r["studies"]] == [-10.0, -15.0, -25.0]
    assert [s["vi"] for s in r["studies"]] == pytest.approx([6.25, 10.25, 10.25], rel=1e-12)
    bad = tmp_path / "bad.csv"
    bad.write_text(path.read_text().replace("SEM,2\nS2,S2 high", "CI,2\nS2,S2 high"))
    code, _, err = _run("meta", str(bad), "--format", "camarades", "--measure", "md")
    assert code == 2 and "row 3" in err and "SD or SEM" in err


def test_python_api_reads_the_same_export(tmp_path: Path) -> None:
    """read_export + meta_analyse = the CLI (hand values as in test_syrf_export_nmd_by_hand)."""
    from neuroprotect.meta import meta_analyse, read_export

    table = read_export(_syrf(tmp_path), format="syrf", require_sham=True)
    assert sorted(s["row"] for s in table.skipped) == [7, 8]
    result, _, effects = meta_analyse(table.comparisons, measure="nmd")
    assert list(effects["n_ctrl_effective"]) == [5.0, 5.0]
    assert list(effects["yi"]) == pytest.approx([1000 / 35, 2000 / 35], rel=1e-12)
    assert result["k"] == 2


def test_camarades_control_id_splits_when_no_split_column(tmp_path: Path) -> None:
    """n_c 10 shared by two rows through control_id -> 5: MD vi = 4/8 + 16/5 = 3.7 (SD given)."""
    path = tmp_path / "c.csv"
    path.write_text(
        "study,comparison,control_id,n_c,mean_c,sd_c,n_rx,mean_rx,sd_rx\n"
        "S1,S1 a,k1,10,50,4,8,40,2\n"
        "S1,S1 b,k1,10,50,4,8,30,2\n"
        "S2,,,10,50,4,8,45,2\n"
    )
    code, r, _ = _run("meta", str(path), "--format", "camarades", "--measure", "md", "--json")
    assert code == 0
    assert [s["vi"] for s in r["studies"]] == pytest.approx([3.7, 3.7, 0.5 + 1.6], rel=1e-12)
    assert [s["study"] for s in r["studies"]] == ["S1 a", "S1 b", "S2"]


def test_syrf_outcome_filter(tmp_path: Path) -> None:
    """A second outcome on the same cohorts: 4 comparisons and a non-independence warning; with
    --outcome only the infarct volumes (3)."""
    extra = [row.replace("o1,Infarct volume", "o9,Neuro score") for row in SYRF_ROWS[:2]]
    path = _syrf(tmp_path, [*SYRF_ROWS, *extra])
    code, r, _ = _run("meta", str(path), "--format", "syrf", "--measure", "md", "--json")
    assert code == 0 and r["k"] == 4
    assert any("several outcomes or time points" in w for w in r["warnings"])
    code, r, _ = _run(
        "meta", str(path), "--format", "syrf", "--measure", "md", "--outcome", "infarct VOLUME",
        "--json",
    )  # fmt: skip
    assert code == 0 and r["k"] == 3
    assert not any("several outcomes" in w for w in r["warnings"])
    code, _, err = _run("meta", str(path), "--format", "syrf", "--outcome", "Rotarod")
    assert code == 2 and "'Rotarod'" in err
