"""Mechanism check: observed directions against the pathway's predicted signs (knowledge base)."""

from __future__ import annotations

import pandas as pd

from neuroprotect.knowledge.overlay import check_mechanism, node_for_variable


def test_variable_to_node() -> None:
    assert node_for_variable("infarct_volume_mm3") == "infarct"
    assert node_for_variable("evans_blue_ug_per_g") == "BBB_permeability"
    assert node_for_variable("Bax_Bcl-2_ratio_fold_change") == "BAX_BCL2_ratio"
    assert node_for_variable("tnf_log2_fold_change") == "TNFA"
    assert node_for_variable("IL-1b_concentration") == "IL1B"
    assert node_for_variable("body_temperature") is None


def test_verdicts_follow_predicted_signs() -> None:
    """IMM-H004's pathway (seed 002): it lowers infarct, Bax/Bcl-2 ratio and IL-1b and raises ZO-1."""
    obs = pd.DataFrame(
        [
            ("infarct_volume_mm3", "Infarct", "decrease", ""),
            ("bax_bcl2_ratio_fold_change", "Bax/Bcl-2", "increase", ""),
            ("il1b_concentration", "IL-1b", "none", ""),
            ("zo1_fold_change", "ZO-1", "increase", ""),
            ("body_temperature", "Temperature", "decrease", ""),
        ],
        columns=["variable", "label", "direction", "evidence"],
    )
    table = check_mechanism("imm_h004", obs).set_index("variable")
    assert table.loc["infarct_volume_mm3", "predicted"] == "decrease"
    assert table.loc["infarct_volume_mm3", "verdict"] == "agree"
    assert table.loc["bax_bcl2_ratio_fold_change", "verdict"] == "disagree"
    assert table.loc["il1b_concentration", "verdict"] == "not shown"
    assert table.loc["zo1_fold_change", "verdict"] == "agree"
    assert table.loc["body_temperature", "verdict"] == "no prediction"
