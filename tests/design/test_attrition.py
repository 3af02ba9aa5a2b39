"""Attrition flow counts (analytic) and pre-registered criteria matching."""

from __future__ import annotations

import pandas as pd

from neuroprotect.design.attrition import compute_attrition, match_criterion


def _animals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "animal_id": ["a", "b", "c", "d", "e"],
            "group": ["vehicle", "vehicle", "low", "low", "low"],
            "excluded": [False, True, False, True, True],
            "exclusion_reason": [
                None,
                "Died before assessment (20 h)",
                None,
                "haemorrhage",
                "died before assessment",
            ],
        }
    )


def test_counts_and_reasons() -> None:
    flow = compute_attrition(
        _animals(), criteria=["died before assessment", "laser-Doppler drop < 70 %"]
    )
    assert (flow.randomised, flow.excluded, flow.analysed) == (5, 3, 2)
    assert flow.by_group.set_index("group")["analysed"].to_dict() == {"vehicle": 1, "low": 1}
    reasons = flow.reasons.set_index("reason")
    assert reasons.loc["Died before assessment (20 h)", "criterion"] == "died before assessment"
    assert flow.unregistered == ["haemorrhage"]


def test_no_criteria_means_nothing_flagged() -> None:
    assert compute_attrition(_animals(), criteria=[]).unregistered == []
    assert match_criterion("anything", []) is None
