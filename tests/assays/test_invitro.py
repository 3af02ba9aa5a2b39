"""In vitro plate assays: ROS, JC-1/TMRM, ATP, caspase-3, LDH.

Every expected number is a hand calculation written out in the test's docstring, following the
formula of the kit manual or paper named there (analytic references: the plates are built from
exactly known signals).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.assays._plates import joined, replicate, write_plate

from neuroprotect.assays.invitro import analyse_atp, analyse_caspase3, analyse_ldh, analyse_ros
from neuroprotect.assays.mito_potential import analyse_mitochondrial_potential
from neuroprotect.errors import InputError


def _by_sample(res, column):  # type: ignore[no-untyped-def]
    s = res.samples[res.samples["type"] == "sample"]
    return dict(zip(s["sample"], s[column], strict=True))


def test_ros_percent_of_control_with_protein(tmp_path: Path) -> None:
    """DCFH-DA, blank-corrected (LeBel 1992). Blank wells 100 and 110 -> 105. Control cultures:
    c1 wells 1105, 1105 -> 1000 RFU; c2 905 -> 800; OGD/R o1 2105 -> 2000.
    % of control = 100 x 2000 / mean(1000, 800) = 222.22 %. Per protein (c1 0.1, c2 0.08, o1
    0.1 mg): 10000, 10000, 20000 RFU/mg -> o1 = 200 %. A well at the 65535 ceiling is left out."""
    wells = [
        {"type": "blank", "value": 100},
        {"type": "blank", "value": 110},
        *replicate(2, type="sample", sample="c1", group="ctrl", protein_mg=0.1, value=1105),
        {"type": "sample", "sample": "c2", "group": "ctrl", "protein_mg": 0.08, "value": 905},
        {"type": "sample", "sample": "o1", "group": "ogd", "protein_mg": 0.1, "value": 2105},
        {"type": "sample", "sample": "o1", "group": "ogd", "protein_mg": 0.1, "value": 65535},
    ]
    w = joined(*write_plate(tmp_path, "ros", wells))
    res = analyse_ros(w, control="ctrl", saturation=65535)
    assert _by_sample(res, "ros_pct_of_control") == pytest.approx(
        {"c1": 1000 / 9, "c2": 800 / 9, "o1": 2000 / 9}
    )
    assert "saturated wells left out" in res.warnings[0] and "A7" in res.warnings[0]
    per = analyse_ros(w, control="ctrl", normalise_by="protein_mg", saturation=65535)
    assert _by_sample(per, "ros_pct_of_control")["o1"] == pytest.approx(200.0)
    with pytest.raises(InputError, match="control group 'normoxia'"):
        analyse_ros(w, control="normoxia")


def test_ros_needs_blank_wells(tmp_path: Path) -> None:
    wells = [{"type": "sample", "sample": "c1", "value": 10.0}]
    with pytest.raises(InputError, match="blank wells"):
        analyse_ros(joined(*write_plate(tmp_path, "r", wells)), control="c1")


def test_jc1_ratio_and_fccp_control(tmp_path: Path) -> None:
    """JC-1 (Abcam ab113850 / Cayman 10009172: red/green ratio, FCCP as depolarised control).
    Blanks: red 100, green 50. Control: (1100-100)/(550-50) = 2.0; OGD/R (600-100)/(1050-50) =
    0.5 -> 25 % of control; FCCP (200-100)/(1050-50) = 0.1 -> 5 % (no warning: < 80 %)."""
    red = [
        {"type": "blank", "value": 100},
        *replicate(2, type="sample", sample="c1", group="ctrl", value=1100),
        {"type": "sample", "sample": "o1", "group": "ogd", "value": 600},
        {"type": "control", "sample": "FCCP", "value": 200},
    ]
    green = [dict(w, value=v) for w, v in zip(red, [50, 550, 550, 1050, 1050], strict=True)]
    rw = joined(*write_plate(tmp_path, "red", red))
    gw = joined(*write_plate(tmp_path, "green", green))
    res = analyse_mitochondrial_potential(rw, gw, probe="jc1", control="ctrl")
    assert _by_sample(res, "mmp") == pytest.approx({"c1": 2.0, "o1": 0.5})
    assert _by_sample(res, "mmp_pct_of_control")["o1"] == pytest.approx(25.0)
    assert res.qc["depolarised_pct_of_control"] == {1: pytest.approx(5.0)}
    assert not res.warnings
    # an FCCP control that did not depolarise is warned about
    red[-1]["value"] = 2100
    bad = analyse_mitochondrial_potential(
        joined(*write_plate(tmp_path, "red2", red)), gw, probe="jc1", control="ctrl"
    )
    assert any("depolarised control FCCP is at 100 %" in w for w in bad.warnings)
    with pytest.raises(InputError, match="green"):
        analyse_mitochondrial_potential(rw, None, probe="jc1", control="ctrl")


def test_tmrm_intensity(tmp_path: Path) -> None:
    """TMRM: blank 100; control 2100 -> 2000; OGD/R 1100 -> 1000 = 50 % of control."""
    wells = [
        {"type": "blank", "value": 100},
        {"type": "sample", "sample": "c1", "group": "ctrl", "value": 2100},
        {"type": "sample", "sample": "o1", "group": "ogd", "value": 1100},
    ]
    res = analyse_mitochondrial_potential(
        joined(*write_plate(tmp_path, "tmrm", wells)),
        probe="tmrm",
        control="ctrl",
        depolarised=None,
    )
    assert _by_sample(res, "mmp_pct_of_control") == pytest.approx({"c1": 100.0, "o1": 50.0})


def test_atp_standard_curve_per_mg_protein(tmp_path: Path) -> None:
    """CellTiter-Glo (Promega TB288): ATP standards 0-2 µM, RLU = 500 + 100000 x C; blank 500.
    Sample o1: RLU 50500 -> (50500 - 500) / 100000 = 0.5 µM in the well, x dilution 2 = 1.0 µM;
    protein 0.5 mg/mL -> 1.0 / 0.5 = 2.0 nmol/mg. Control c1: 100500 -> 1.0 x 2 = 2.0 µM
    (4.0 nmol/mg) -> o1 = 50 % of control."""
    std = [
        {"type": "standard", "concentration": c, "value": 500 + 1e5 * c} for c in (0.1, 0.5, 1, 2)
    ]
    wells = [
        {"type": "blank", "value": 500},
        *std,
        *replicate(
            2, type="sample", sample="c1", group="ctrl", dilution=2, protein_mg_ml=0.5, value=100500
        ),
        {
            "type": "sample",
            "sample": "o1",
            "group": "ogd",
            "dilution": 2,
            "protein_mg_ml": 0.5,
            "value": 50500,
        },
    ]
    res = analyse_atp(joined(*write_plate(tmp_path, "atp", wells)), control="ctrl")
    assert _by_sample(res, "atp_um") == pytest.approx({"c1": 2.0, "o1": 1.0})
    assert _by_sample(res, "atp_nmol_per_mg_protein") == pytest.approx({"c1": 4.0, "o1": 2.0})
    assert _by_sample(res, "atp_pct_of_control")["o1"] == pytest.approx(50.0)
    assert res.curves[1].r2 == pytest.approx(1.0)


def test_caspase3_pna_activity_per_mg_per_h(tmp_path: Path) -> None:
    """Ac-DEVD-pNA (Sigma CASP3C: pNA standard curve at 405 nm, 1 U = 1 µmol pNA/min).
    pNA standards 0-200 µM, A405 = 0.05 + 0.005 x C; substrate blank 0.05. Sample o1:
    A 0.30 -> 50 µM pNA in 100 µL = 5 nmol; 2 h, 0.1 mg protein -> 25 nmol/h/mg
    (= 0.4167 nmol/min/mg = 4.17e-4 U/mg). Control c1: A 0.175 -> 25 µM -> 12.5 nmol/h/mg;
    o1 = fold 2.0."""
    std = [
        {"type": "standard", "concentration": c, "value": 0.05 + 0.005 * c}
        for c in (0, 25, 50, 100, 200)
    ]
    wells = [
        {"type": "blank", "value": 0.05},
        *std,
        *replicate(2, type="sample", sample="c1", group="ctrl", protein_mg=0.1, value=0.175),
        {"type": "sample", "sample": "o1", "group": "ogd", "protein_mg": 0.1, "value": 0.30},
    ]
    res = analyse_caspase3(
        joined(*write_plate(tmp_path, "casp", wells)),
        incubation_h=2,
        reaction_volume_ul=100,
        control="ctrl",
    )
    assert _by_sample(res, "product_nmol") == pytest.approx({"c1": 2.5, "o1": 5.0})
    assert _by_sample(res, "caspase3_nmol_h_mg") == pytest.approx({"c1": 12.5, "o1": 25.0})
    assert _by_sample(res, "caspase3_fold_of_control")["o1"] == pytest.approx(2.0)
    with pytest.raises(InputError, match="incubation_h > 0"):
        analyse_caspase3(joined(*write_plate(tmp_path, "c2", wells)), incubation_h=0)


def test_ldh_percent_cytotoxicity(tmp_path: Path) -> None:
    """CytoTox 96 (Promega TB163): % cytotoxicity = 100 x (E - S) / (M - S) after background.
    Medium 0.1; spontaneous 0.3 -> 0.2; maximum 1.3 -> 1.2; sample 0.8 -> 0.7:
    100 x (0.7 - 0.2) / (1.2 - 0.2) = 50 %. With a volume-correction control of 0.15 (medium +
    lysis solution) the maximum is 1.3 - 0.15 = 1.15: 100 x 0.5 / 0.95 = 52.63 %."""
    wells = [
        {"type": "blank", "value": 0.1},
        {"type": "control", "sample": "spontaneous", "value": 0.3},
        *replicate(2, type="control", sample="maximum", value=1.3),
        {"type": "control", "sample": "volume_correction", "value": 0.15},
        {"type": "sample", "sample": "o1", "group": "ogd", "value": 0.8},
    ]
    w = joined(*write_plate(tmp_path, "ldh", wells))
    assert _by_sample(analyse_ldh(w), "cytotoxicity_pct")["o1"] == pytest.approx(50.0)
    corrected = analyse_ldh(w, volume_correction="volume_correction")
    assert _by_sample(corrected, "cytotoxicity_pct")["o1"] == pytest.approx(100 * 0.5 / 0.95)
    with pytest.raises(InputError, match="control wells named 'lysed'"):
        analyse_ldh(w, maximum="lysed")
