"""Ct table readers: long, wide (rtpcr), QuantStudio and CFX exports, RDML; undetermined wells."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest
from tests.conftest import shared_data

from neuroprotect.assays.qpcr import compute_relative_expression
from neuroprotect.assays.qpcr_readers import read_ct_table
from neuroprotect.errors import InputError

QUANTSTUDIO = """\
* Block Type = 96-Well Block (0.2mL)
* Experiment Name = test
* Quantification Cycle Method = Ct

[Results]
Well\tWell Position\tOmit\tSample Name\tTarget Name\tTask\tReporter\tQuencher\tCT\tCt Mean
1\tA1\tfalse\tveh1\tGapdh\tUNKNOWN\tSYBR\tNone\t18.0\t18.0
2\tA2\tfalse\tveh1\tTnf\tUNKNOWN\tSYBR\tNone\t26.0\t26.0
3\tA3\tfalse\tdrug1\tGapdh\tUNKNOWN\tSYBR\tNone\t18.0\t18.0
4\tA4\tfalse\tdrug1\tTnf\tUNKNOWN\tSYBR\tNone\t27.0\t27.0
5\tA5\ttrue\tdrug1\tTnf\tUNKNOWN\tSYBR\tNone\t35.0\t35.0
6\tA6\tfalse\tdrug1\tTnf\tUNKNOWN\tSYBR\tNone\tUndetermined\t
7\tA7\tfalse\t\t\t\t\t\t\t

[Amplification Data]
Well\tCycle\tTarget Name\tRn\tDelta Rn
1\t1\tGapdh\t0.1\t0.0
"""

CFX = """\
,Well,Fluor,Target,Content,Sample,Biological Set Name,Cq,Cq Mean,Cq Std. Dev
,A01,SYBR,Gapdh,Unkn-01,veh1,,18.00,18,0
,A02,SYBR,Tnf,Unkn-01,veh1,,26.00,26,0
,A03,SYBR,Gapdh,Unkn-02,drug1,,18.00,18,0
,A04,SYBR,Tnf,Unkn-02,drug1,,27.00,27,0
,A05,SYBR,Tnf,Unkn-02,drug1,,NaN,27,0
"""

RDML = """<?xml version="1.0" encoding="UTF-8"?>
<rdml version="1.2" xmlns="http://www.rdml.org">
  <sample id="veh1"><type>unkn</type>
    <annotation><property>group</property><value>veh</value></annotation></sample>
  <sample id="drug1"><type>unkn</type>
    <annotation><property>Group</property><value>drug</value></annotation></sample>
  <target id="Gapdh"><type>ref</type></target>
  <target id="Tnf"><type>toi</type></target>
  <experiment id="e1"><run id="r1">
    <react id="1"><sample id="veh1"/><data><tar id="Gapdh"/><cq>18.0</cq></data></react>
    <react id="2"><sample id="veh1"/><data><tar id="Tnf"/><cq>26.0</cq></data></react>
    <react id="3"><sample id="drug1"/><data><tar id="Gapdh"/><cq>18.0</cq></data></react>
    <react id="4"><sample id="drug1"/><data><tar id="Tnf"/><cq>27.0</cq></data></react>
    <react id="5"><sample id="drug1"/><data><tar id="Tnf"/><cq>-1</cq></data></react>
  </run></experiment>
</rdml>
"""

SAMPLES = pd.DataFrame({"sample": ["veh1", "drug1"], "group": ["veh", "drug"]})


def _check_half(wells: pd.DataFrame) -> None:
    """Analytic: Tnf 1 cycle later in drug, same Gapdh -> fold change 0.5; one undetermined well."""
    assert wells["undetermined"].sum() == 1
    res = compute_relative_expression(wells, reference="Gapdh", control_group="veh")
    assert res.results.set_index("group").loc["drug", "fold_change"] == pytest.approx(0.5)
    assert (res.flags["flag"] == "partly_undetermined").sum() == 1


def test_quantstudio_export(tmp_path) -> None:
    path = tmp_path / "qs_results.txt"
    path.write_text(QUANTSTUDIO)
    wells = read_ct_table(path, samples=SAMPLES)
    assert len(wells) == 5  # omitted and empty wells dropped
    assert wells["well"].tolist()[:2] == ["A1", "A2"]
    _check_half(wells)
    with pytest.raises(InputError, match="group"):
        read_ct_table(path)


def test_cfx_export(tmp_path) -> None:
    path = tmp_path / "cfx.csv"
    path.write_text(CFX)
    _check_half(read_ct_table(path, samples=SAMPLES))


def test_rdml_plain_and_zipped(tmp_path) -> None:
    xml = tmp_path / "run.xml"
    xml.write_text(RDML)
    _check_half(read_ct_table(xml))
    rdml = tmp_path / "run.rdml"
    with zipfile.ZipFile(rdml, "w") as zf:
        zf.writestr("rdml_data.xml", RDML)
    wells = read_ct_table(rdml)
    assert set(wells["group"]) == {"veh", "drug"}
    _check_half(wells)


def test_wide_rtpcr_with_efficiencies_and_technical_replicates() -> None:
    """rtpcr layout (Lee et al. 2020): factor1, DS, biolRep, techRep, E/Ct pairs."""
    wells = read_ct_table(shared_data("assays", "rtpcr_mirzaghaderi", "data_Lee_etal2020qPCR.csv"))
    assert wells["sample"].nunique() == 36 and wells["group"].nunique() == 12
    assert wells["efficiency"].notna().all()
    assert (wells.groupby(["sample", "gene"]).size() == 2).all()  # techRep 1 and 2


def test_wide_with_undetermined_and_three_references() -> None:
    wells = read_ct_table(shared_data("assays", "rtpcr_mirzaghaderi", "data_2factorBlock3ref.csv"))
    assert wells["undetermined"].sum() == 4
    res = compute_relative_expression(
        wells, reference=["ref1", "ref2", "ref3"], control_group="R:L1", method="pfaffl"
    )
    assert not res.results["fold_change"].isna().any()
    assert "S-L1-3" in set(res.flags.loc[res.flags["flag"] == "reference_missing", "sample"])


def test_wide_plain_gene_columns(tmp_path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("sample,group,Gapdh,Tnf\na,veh,18,26\nb,drug,18,25\n")
    wells = read_ct_table(path)
    assert sorted(wells["gene"].unique()) == ["Gapdh", "Tnf"]
    assert np.isfinite(wells["ct"]).all()


def test_long_xlsx(tmp_path) -> None:
    path = tmp_path / "cts.xlsx"
    pd.DataFrame(
        {
            "sample": ["a", "a", "b", "b"],
            "group": ["veh", "veh", "drug", "drug"],
            "gene": ["Gapdh", "Tnf"] * 2,
            "ct": [18, 26, "Undetermined", 25],
        }
    ).to_excel(path, index=False)
    wells = read_ct_table(path)
    assert wells["undetermined"].tolist() == [False, False, True, False]


def test_ct_of_zero_and_empty_group_are_errors_naming_the_row(tmp_path) -> None:
    """A Ct of 0 (some software's "no amplification") is not averaged in as a measurement, and an
    empty group cell is named as such (not "sample has several groups")."""
    path = tmp_path / "cts.csv"
    path.write_text("sample,group,gene,ct\nv0,veh,Gapdh,18\nv0,veh,Tnf,0\n")
    with pytest.raises(InputError, match=r"cts.csv, row 3, field 'ct': Expected a Ct value > 0"):
        read_ct_table(path)
    path.write_text("sample,group,gene,ct\nv0,veh,Gapdh,18\nv0,,Tnf,25\n")
    with pytest.raises(InputError, match=r"row 3, field 'group': Expected a group name for sample"):
        read_ct_table(path)


@pytest.mark.parametrize(
    ("header", "repeated"),
    [
        ("sample,group,gene,Ct,Ct ", "'Ct' is column 4 and column 5"),
        ("sample,group,gene,ct,Ct", "'Ct' is column 4 and column 5"),
        ("sample,group,group,gene,Ct", "'group' is column 2 and column 3"),
    ],
)
def test_a_header_naming_a_column_twice_is_an_error(tmp_path, header: str, repeated: str) -> None:
    """A repeated column name used to crash (AttributeError in assemble) or pick one silently."""
    path = tmp_path / "cts.csv"
    path.write_text(header + "\nA,veh,veh,gapdh,20\nB,veh,veh,gapdh,21\n", encoding="utf-8")
    with pytest.raises(InputError, match=repeated) as info:
        read_ct_table(path)
    assert "cts.csv" in info.value.one_line()


def test_an_xlsx_header_naming_a_column_twice_is_an_error(tmp_path) -> None:
    path = tmp_path / "cts.xlsx"
    pd.DataFrame([["A", "veh", "gapdh", "20", "21"]], columns=list("abcde")).to_excel(
        path, index=False, header=["sample", "group", "gene", "Ct", "Ct"]
    )
    with pytest.raises(InputError, match="'Ct' is column 4 and column 5"):
        read_ct_table(path)
