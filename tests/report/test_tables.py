"""Details tables of the report: every cell a display string, whatever the column holds."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from neuroprotect.report.tables import detail_table, qc_items


def test_detail_table_handles_inf_nan_and_missing_without_warnings() -> None:
    table = pd.DataFrame(
        {
            "count": [1.0, np.inf, np.nan, -2.0],
            "ratio": [0.5, -np.inf, 1.25, np.nan],
            "flag": pd.array([1, None, 0, 2], dtype="Int64"),
            "label": ["a", None, "c", "d"],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # np.mod(inf, 1) raised "invalid value in remainder"
        shown = detail_table("trials", table)
    assert [row[0] for row in shown["rows"]] == ["1", "∞", "—", "−2"]
    assert [row[1] for row in shown["rows"]] == ["0.500", "−∞", "1.25", "—"]
    assert [row[2] for row in shown["rows"]] == ["1", "—", "0", "2"]
    assert [row[3] for row in shown["rows"]] == ["a", "—", "c", "d"]


def test_qc_p_values_and_statistics_read_as_in_the_tables() -> None:
    qc = {
        "survival_logrank": {
            "low vs vehicle": {"chi2": 3.3964, "p_val": 0.000123, "p_adj_holm": 0.2296}
        }
    }
    assert qc_items("", qc) == [
        ("Survival logrank · Low vs vehicle · χ²", "3.396"),
        ("Survival logrank · Low vs vehicle · p", "<0.001"),
        ("Survival logrank · Low vs vehicle · p (Holm-adjusted)", "0.230"),
    ]
