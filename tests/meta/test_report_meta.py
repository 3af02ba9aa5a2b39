"""The report's pooled-evidence sentence names the tau^2 estimator, the test and any warning."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from neuroprotect.report import evidence


def test_pooled_text_carries_estimator_test_and_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    pooled = {
        "pooled": True, "outcome": "infarct_volume_mm3", "k": 3, "estimate": 1.2,
        "ci_low": 0.4, "ci_high": 2.0, "tau2": 0.31, "i2": 55.0, "method": "REML", "test": "z",
        "warnings": ["REML: the restricted likelihood has 2 local maxima"], "studies": [],
    }  # fmt: skip
    monkeypatch.setattr(evidence, "mechanism_table", lambda outcome: None)
    monkeypatch.setattr(evidence, "published_evidence", lambda outcome: pd.DataFrame())
    monkeypatch.setattr(evidence, "pooled_evidence", lambda outcome: dict(pooled))
    text = evidence.evidence_context(SimpleNamespace(blinded=False))["pooled"]["text"]  # type: ignore[arg-type]
    assert "random effects (REML tau², z test)" in text
    assert text.endswith("Warning: REML: the restricted likelihood has 2 local maxima.")
