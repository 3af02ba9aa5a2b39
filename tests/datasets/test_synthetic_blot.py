"""Synthetic blot generator: exact volumes, seeding, geometry."""

from __future__ import annotations

import numpy as np
import pytest

from neuroprotect.datasets.synthetic_blot import make_synthetic_blot


def test_band_pixel_sums_are_exact() -> None:
    """Analytic: image − background sums to the total of the requested volumes (noise-free)."""
    vol = [[1000.0, 3000.0], [500.0, 2500.0]]
    blot = make_synthetic_blot(vol, targets=("a", "b"), gradient=0.3)
    assert (blot.image - blot.background).sum() == pytest.approx(np.sum(vol), rel=1e-12)
    assert blot.volumes["volume"].tolist() == [1000.0, 3000.0, 500.0, 2500.0]
    assert blot.lane_centers == (20.0, 60.0)


def test_seeded_noise_and_film() -> None:
    a = make_synthetic_blot([[100.0]], noise_sd=1.0, seed=5).image
    b = make_synthetic_blot([[100.0]], noise_sd=1.0, seed=5).image
    c = make_synthetic_blot([[100.0]], noise_sd=1.0, seed=6).image
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    film = make_synthetic_blot([[5000.0]], film=True)
    assert np.median(film.image) > film.image.min() + 0.5 * np.ptp(film.image)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="target names"):
        make_synthetic_blot([[1.0, 2.0]], targets=("a",))
    with pytest.raises(ValueError, match=">= 0"):
        make_synthetic_blot([[-1.0]])
