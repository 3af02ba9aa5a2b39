"""Background model of a behaviour video: per-pixel median and spread of sampled frames.

The median of frames spread over the session removes the moving animal; the per-pixel spread
(a robust standard deviation, 1.4826 x the median absolute deviation) is large where water
ripples or a wobbling light reflection change the image, so a pixel there must change by more
before it counts as the animal. The contrast (animal darker or lighter than the background) is
chosen from the same samples when not given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neuroprotect.errors import InputError

__all__ = ["Background", "build_background", "MIN_CONTRAST", "Z_THRESHOLD"]

#: A pixel is foreground when it differs from the background by more than Z_THRESHOLD of its
#: own spread and by at least MIN_CONTRAST grey levels (0-255), whichever is larger.
Z_THRESHOLD = 4.0
MIN_CONTRAST = 12.0


@dataclass
class Background:
    """The background image, the per-pixel threshold and the animal's contrast.

    ``image`` (float32, HxW grey levels) is updated slowly during tracking (lighting drift);
    ``threshold`` (float32) is the difference a pixel needs to count as the animal; ``sign`` is
    +1 for a dark animal on a light background, -1 for a light animal on a dark one;
    ``animal_area`` (px) is the typical size of the animal's blob in the samples.
    """

    image: np.ndarray
    threshold: np.ndarray
    sign: int
    animal_area: float
    samples: int
    gain: float = 1.0

    @property
    def polarity(self) -> str:
        return "dark" if self.sign > 0 else "light"

    def difference(self, luma: np.ndarray, rows: slice, cols: slice) -> np.ndarray:
        """How much more animal-like than the background each pixel of a window is (grey
        levels; positive = towards the animal's contrast)."""
        window = luma[rows, cols].astype(np.float32)
        return (self.gain * self.image[rows, cols] - window) * self.sign

    def measure_gain(self, luma: np.ndarray, step: int = 8) -> None:
        """Follow a global lighting change: the median ratio frame / background on a sparse grid
        of pixels (the animal covers too few of them to move the median)."""
        grid = luma[::step, ::step].astype(np.float32)
        ref = self.image[::step, ::step]
        ok = ref > 8
        if ok.any():
            self.gain = float(np.median(grid[ok] / ref[ok]))

    def follow(self, luma: np.ndarray, keep_out: tuple[slice, slice] | None, rate: float) -> None:
        """Blend the frame into the background (lighting drift), except around the animal."""
        frame = luma.astype(np.float32) / self.gain
        if keep_out is not None:
            frame[keep_out] = self.image[keep_out]
        self.image += rate * (frame - self.image)


def build_background(
    samples: list[np.ndarray],
    *,
    polarity: str = "auto",
    allowed: np.ndarray | None = None,
    file: str | None = None,
) -> Background:
    """Median background, spread-based threshold and contrast from sampled frames.

    Parameters
    ----------
    samples
        Luma frames (uint8, same shape) spread over the session.
    polarity
        ``"dark"`` (animal darker than the background), ``"light"`` or ``"auto"``: the contrast
        whose largest blob per sample is the more consistent animal-sized object.
    allowed
        Optional boolean mask of pixels where the animal may be (arena minus exclusions).

    Raises
    ------
    InputError
        Fewer than 3 samples, or frames of different sizes.
    """
    if len(samples) < 3:
        raise InputError(
            f"Expected at least 3 frames to model the background, but got {len(samples)}",
            file=file,
        )
    if len({s.shape for s in samples}) != 1:
        raise InputError("Expected frames of one size, but the sizes differ", file=file)
    stack = np.stack(samples).astype(np.float32)
    # a lighting drift over the session is not spread: bring each sample to a common level
    # (judged on a sparse grid of pixels, where the animal covers too few to matter)
    ref = np.median(stack[:, ::8, ::8], axis=0)
    ok = ref > 8
    if ok.any():
        gains = np.array([np.median(s[::8, ::8][ok] / ref[ok]) for s in stack], np.float32)
        stack /= np.maximum(gains, 1e-3)[:, None, None]
    median = np.median(stack, axis=0)
    spread = 1.4826 * np.median(np.abs(stack - median), axis=0)
    threshold = np.maximum(Z_THRESHOLD * spread, MIN_CONTRAST).astype(np.float32)
    if polarity not in ("auto", "dark", "light"):
        raise InputError(
            f"Expected polarity auto, dark or light, but got {polarity!r}", field="--polarity"
        )
    scores = {}
    areas = {}
    # judged on every k-th pixel (k = 1-4 by frame size): the animal stays many pixels large
    k = 4 if min(median.shape) >= 400 else 2 if min(median.shape) >= 200 else 1
    small_median, small_threshold = median[::k, ::k], threshold[::k, ::k]
    small_allowed = None if allowed is None else allowed[::k, ::k]
    for name, sign in (("dark", 1), ("light", -1)):
        found = [
            _largest_blob(
                (small_median - s[::k, ::k]) * sign > small_threshold, small_allowed, scale=k
            )
            for s in stack
        ]
        present = [(a, x, y) for a, x, y in found if a >= 9 * k * k]
        areas[name] = float(np.median([p[0] for p in present])) if present else 0.0
        # the animal is there in (nearly) every sample and travels; what the lighting or the
        # water leaves behind stays in place
        travel = float(np.hypot(*np.std([p[1:] for p in present], axis=0))) if present else 0.0
        size = areas[name]
        moved = min(1.0, travel / np.sqrt(size)) if size else 0.0
        scores[name] = len(present) / len(found) * size * moved
    if polarity == "auto":
        polarity = "dark" if scores["dark"] >= scores["light"] else "light"
    area = areas[polarity]
    if area <= 0:
        raise InputError(
            f"Expected the animal ({polarity} on the background) to differ from the background "
            "in the sampled frames, but nothing did: check --polarity and the arena",
            file=file,
        )
    return Background(
        image=median.astype(np.float32),
        threshold=threshold,
        sign=1 if polarity == "dark" else -1,
        animal_area=area,
        samples=len(samples),
    )


def _largest_blob(
    mask: np.ndarray, allowed: np.ndarray | None, *, scale: int
) -> tuple[float, float, float]:
    """Area and centroid (x, y) of the largest blob of a mask of every ``scale``-th pixel, in
    full-resolution pixels (area 0 when there is none)."""
    from scipy import ndimage

    if allowed is not None:
        mask &= allowed
    mask = ndimage.binary_opening(mask, iterations=1)
    labels, n = ndimage.label(mask)
    if n == 0:
        return 0.0, 0.0, 0.0
    areas = np.bincount(labels.ravel())
    areas[0] = 0
    label = int(np.argmax(areas))
    y, x = ndimage.center_of_mass(labels == label)
    return float(areas[label]) * scale * scale, float(x) * scale, float(y) * scale
