"""p-value adjustment against R p.adjust."""

from __future__ import annotations

import numpy as np
import pytest

from neuroprotect.errors import InputError
from neuroprotect.stats.multiplicity import p_adjust

P = [0.01, 0.04, 0.03, 0.005, 0.2]


def test_against_r_p_adjust():
    """R: p <- c(0.01, 0.04, 0.03, 0.005, 0.2); p.adjust(p, "holm") -> 0.04 0.09 0.09 0.025 0.2;
    p.adjust(p, "bonferroni") -> 0.05 0.2 0.15 0.025 1; p.adjust(p, "BH") -> 0.025 0.05 0.05
    0.025 0.2."""
    np.testing.assert_allclose(p_adjust(P, method="holm"), [0.04, 0.09, 0.09, 0.025, 0.2])
    np.testing.assert_allclose(p_adjust(P, method="bonferroni"), [0.05, 0.2, 0.15, 0.025, 1])
    np.testing.assert_allclose(p_adjust(P, method="bh"), [0.025, 0.05, 0.05, 0.025, 0.2])
    np.testing.assert_allclose(p_adjust(P, method="none"), P)


def test_nan_kept_and_bad_method():
    out = p_adjust([0.01, np.nan, 0.02], method="holm")
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2]], [0.02, 0.02])
    with pytest.raises(InputError, match="holm"):
        p_adjust(P, method="fdr")
