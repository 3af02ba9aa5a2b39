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


def test_inverse_variables_flip_the_prediction() -> None:
    """A shorter escape latency is better memory, more LDH release fewer surviving cells:
    the predicted column gives the direction of the variable itself (igmesine and IMM-H004
    pathways of seeds 000 and 002: memory up, neuronal survival up)."""
    obs = pd.DataFrame(
        [
            ("escape_latency_last_day_s", "Escape latency", "decrease", ""),
            ("retention_latency_s", "Retention latency", "increase", ""),
            ("neuron_density_per_mm2", "CA1 neurons", "increase", ""),
        ],
        columns=["variable", "label", "direction", "evidence"],
    )
    table = check_mechanism("igmesine", obs).set_index("variable")
    assert table.loc["escape_latency_last_day_s", "node"] == "memory"
    assert table.loc["escape_latency_last_day_s", "predicted"] == "decrease"
    assert set(table["verdict"]) == {"agree"}
    cyto = check_mechanism(
        "imm_h004",
        pd.DataFrame(
            [("cytotoxicity_pct", "LDH release", "increase", "")],
            columns=["variable", "label", "direction", "evidence"],
        ),
    )
    assert cyto.loc[0, "predicted"] == "decrease" and cyto.loc[0, "verdict"] == "disagree"
    assert node_for_variable("IL-1β") == "IL1B"  # Greek letters as lab names write them
