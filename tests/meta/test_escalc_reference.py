"""Effect sizes against metafor 4.6's escalc on pymare's reference rows.

Reference: ../shared/data/stats/pymare-metafor-reference/metafor_escalc_reference.json (MIT;
R 4.4.1, metafor 4.6.0)::

    escalc(measure = "MD"|"SMD", m1i = m1, sd1i = sd1, n1i = n1, m2i = m2, sd2i = sd2, n2i = n2)

``cm_two_sample`` is escalc's exact small-sample factor J for n1 + n2 - 2 degrees of freedom.
The other measures of that file (MN, COR, ZCOR, SMCC) are not ones ``meta`` computes.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from tests.conftest import shared_data

from neuroprotect.meta.effect_sizes import compute_effect_sizes, hedges_correction


def _reference() -> tuple[pd.DataFrame, dict]:
    folder = shared_data("stats", "pymare-metafor-reference")
    inputs = pd.read_csv(folder / "metafor_escalc_inputs.csv")
    ref = json.loads((folder / "metafor_escalc_reference.json").read_text())
    return inputs, {c["case"]: c for c in ref["cases"]}


def _table(inputs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "study": inputs["case"],
            "mean_treat": inputs["m1"],
            "sd_treat": inputs["sd1"],
            "n_treat": inputs["n1"],
            "mean_ctrl": inputs["m2"],
            "sd_ctrl": inputs["sd2"],
            "n_ctrl": inputs["n2"],
        }
    )


@pytest.mark.parametrize("measure", ["MD", "SMD"])
def test_two_group_measures_match_escalc(measure: str) -> None:
    inputs, ref = _reference()
    out = compute_effect_sizes(_table(inputs), measure=measure.lower())  # type: ignore[arg-type]
    expected = pd.DataFrame([ref[c][measure] for c in inputs["case"]])
    np.testing.assert_allclose(out["yi"], expected["yi"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(out["vi"], expected["vi"], rtol=1e-12, atol=1e-14)


def test_exact_hedges_factor_matches_escalc() -> None:
    inputs, ref = _reference()
    j = hedges_correction(inputs["n1"] + inputs["n2"] - 2)
    np.testing.assert_allclose(j, [ref[c]["cm_two_sample"] for c in inputs["case"]], rtol=1e-12)
    j1 = hedges_correction(inputs["n1"] - 1)
    np.testing.assert_allclose(j1, [ref[c]["cm_one_sample"] for c in inputs["case"]], rtol=1e-12)
