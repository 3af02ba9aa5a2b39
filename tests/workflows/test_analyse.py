"""Blinded analysis of coded groups (``analyse_variable_blinded``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import load_study
from neuroprotect.stats.posthoc import dunn_interval_sentence
from neuroprotect.workflows.analyse import analyse_variable_blinded
from neuroprotect.workflows.readouts import VariableSpec


def test_blinded_dunn_states_the_all_pairs_interval_level(mini_study: Path) -> None:
    """Ordinal scores in 3 coded groups: the probe (each vs the first code, 2 contrasts) picks
    Kruskal-Wallis + Dunn, and all 3 pairs are then compared. The methods sentence must give the
    Bonferroni level of the 3 intervals actually shown (1 - 0.05 / 3 = 98.3%), not the probe's
    97.5%."""
    scores = {"C1": [0, 0, 1, 1, 0], "C2": [3, 3, 2, 4, 3], "C3": [2, 1, 2, 2, 1]}
    values = pd.DataFrame([{C.GROUP: g, C.VALUE: float(v)} for g, vs in scores.items() for v in vs])
    res = analyse_variable_blinded(
        load_study(mini_study),
        "neuro",
        "neuro_score",
        VariableSpec("score", "Longa score", "score", ordinal=True),
        values,
        pd.DataFrame(),
    )
    comparison = res.comparison
    assert comparison is not None and comparison.method == "dunn-all"
    assert len(comparison.contrasts) == 3
    assert (comparison.contrasts["ci_level"] == 1 - 0.05 / 3).all()
    assert dunn_interval_sentence(3, "holm") in comparison.method_reason
    assert "each at 98.3%" in comparison.method_reason
    assert "97.5%" not in comparison.method_reason
