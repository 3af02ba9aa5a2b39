"""Track one animal through a video: background, detection in a search window, continuity.

Per frame: the animal is looked for in a window around the position predicted from the last two
placed frames (constant velocity); when it was lost, the whole allowed area is searched
(re-acquisition). A blob is accepted only when its size is plausible (0.4-2.5 x the animal's
typical area: a hand holding the animal at release, or a reflection, is refused) and its
contrast clears the background's per-pixel threshold. A frame without an acceptable blob is left
empty (NaN position, quality 0), never filled with the nearest bright or dark thing. The
background follows slow lighting changes (blended every few frames away from the animal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.behavior.video.background import Background, build_background
from neuroprotect.behavior.video.decode import VideoSource
from neuroprotect.behavior.video.detect import Blob, find_blobs

__all__ = ["TrackOptions", "VideoTrack", "track_source", "fill_gaps"]

MIN_QUALITY = 0.5


@dataclass(frozen=True)
class TrackOptions:
    """Tracker settings (recorded with each track).

    polarity: ``auto``, ``dark`` (animal darker than the background) or ``light``;
    samples: frames sampled for the background; start_s/end_s: the part of the video tracked;
    fill_gap_s: interpolate gaps up to this long (0 = never); follow_every: frames between
    background updates; gain_every: frames between global lighting
    measurements; follow_rate: blending weight of each update.
    """

    polarity: str = "auto"
    samples: int = 60
    start_s: float | None = None
    end_s: float | None = None
    fill_gap_s: float = 0.0
    follow_every: int = 30
    gain_every: int = 10
    follow_rate: float = 0.05

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class VideoTrack:
    """The result: a table ``frame, time_s, x_px, y_px, quality`` and what the tracker saw."""

    name: str
    table: pd.DataFrame
    background: Background
    fps: float
    low_quality_frames: list[tuple[int, np.ndarray]] = field(default_factory=list)

    @property
    def frames_decoded(self) -> int:
        return len(self.table)

    @property
    def frames_placed(self) -> int:
        return int(self.table["x_px"].notna().sum())

    @property
    def frames_lost(self) -> int:
        return self.frames_decoded - self.frames_placed


def _quality(blob: Blob, area: float) -> float:
    """1 for an animal-sized blob of clear contrast; falls to 0 at the size gate (0.4-2.5 x the
    typical area: a rodent stretches, curls and rears, so 0.5-2 x counts as fully plausible) and
    as the contrast nears the noise threshold."""
    size = blob.area / area
    if size < 0.5:
        q_size = max(0.0, (size - 0.4) / 0.1)
    else:
        q_size = 1.0 if size <= 2.0 else max(0.0, (2.5 - size) / 0.5)
    q_contrast = min(1.0, max(0.0, (blob.contrast - 1.0) / 0.5))
    return round(min(q_size, q_contrast), 3)


def track_source(
    source: VideoSource,
    options: TrackOptions = TrackOptions(),
    *,
    allowed: np.ndarray | Callable[[np.ndarray], np.ndarray] | None = None,
    progress: Callable[[int], None] | None = None,
    keep_low_quality: int = 8,
) -> VideoTrack:
    """Track the animal in every decoded frame of ``source``.

    Parameters
    ----------
    allowed
        Boolean mask (frame size) of pixels where the animal may be (arena minus exclusions),
        or a function of the background image giving it (e.g. ``pool: auto``).
    progress
        Called with the number of frames decoded so far (every 50 frames).
    keep_low_quality
        How many frames where the animal was lost to keep (copies) for the QC images.
    """
    samples = source.key_frames(options.samples)
    if callable(allowed):
        median = build_background(samples, polarity=options.polarity, file=str(source.path))
        allowed = allowed(median.image)
    bg = build_background(
        samples, polarity=options.polarity, allowed=allowed, file=str(source.path)
    )
    del samples
    area = bg.animal_area
    detect = _Detector(bg, allowed if isinstance(allowed, np.ndarray) else None)
    frames, times, xs, ys, quality = [], [], [], [], []
    kept: list[tuple[int, np.ndarray]] = []
    last: list[tuple[float, float]] = []  # the last two placed positions (for the prediction)
    lost_before = True
    for frame in source.frames(options.start_s, options.end_s):
        luma = frame.luma
        if frame.index % options.gain_every == 0:
            bg.measure_gain(luma)
        length = 2.0 * np.sqrt(area)
        if last and not lost_before:
            (x1, y1) = last[-1]
            vx, vy = (x1 - last[-2][0], y1 - last[-2][1]) if len(last) > 1 else (0.0, 0.0)
            centre: tuple[float, float] | None = (x1 + vx, y1 + vy)
            half = int(length + 2.0 * np.hypot(vx, vy) + 8)
        else:
            centre, half = None, 0
        blob = detect(luma, centre, half, area)
        if blob is None and centre is not None:  # re-acquire in the whole frame
            blob = detect(luma, None, 0, area)
        q = 0.0 if blob is None else _quality(blob, area)
        frames.append(frame.index)
        times.append(frame.time_s)
        if blob is not None and q >= MIN_QUALITY:
            xs.append(blob.x)
            ys.append(blob.y)
            last = [*last[-1:], (blob.x, blob.y)]
            lost_before = False
            area += 0.02 * (blob.area - area)  # follow the animal's size (posture, drift)
            if frame.index % options.follow_every == 0:
                bg.follow(luma, _grow(blob.box, int(length), luma.shape), options.follow_rate)
        else:
            xs.append(np.nan)
            ys.append(np.nan)
            if not lost_before and len(kept) < keep_low_quality:
                kept.append((frame.index, luma.copy()))
            lost_before = True
        quality.append(q)
        if progress is not None and len(frames) % 50 == 0:
            progress(len(frames))
    table = pd.DataFrame(
        {"frame": frames, "time_s": times, "x_px": xs, "y_px": ys, "quality": quality}
    )
    if options.fill_gap_s > 0:
        table = fill_gaps(table, options.fill_gap_s)
    return VideoTrack(source.name, table, bg, source.fps, kept)


def _grow(box: tuple[slice, slice], by: int, shape: tuple[int, ...]) -> tuple[slice, slice]:
    rows, cols = box
    return (
        slice(max(0, rows.start - by), min(shape[0], rows.stop + by)),
        slice(max(0, cols.start - by), min(shape[1], cols.stop + by)),
    )


class _Detector:
    """Detection at a coarse step over the background, refined at full resolution."""

    def __init__(self, bg: Background, allowed: np.ndarray | None) -> None:
        self.bg = bg
        # the animal stays >= ~10 coarse pixels across (its area ~ 150 coarse pixels or more)
        self.step = max(1, int(np.sqrt(bg.animal_area / 150.0)))
        k = self.step
        self.image = bg.image[::k, ::k]  # views: background updates reach them
        self.threshold = bg.threshold[::k, ::k]
        self.allowed = None if allowed is None else allowed[::k, ::k]

    def __call__(
        self, luma: np.ndarray, centre: tuple[float, float] | None, half: int, area: float
    ) -> Blob | None:
        k, bg = self.step, self.bg
        coarse = luma[::k, ::k]
        if centre is None:
            rows, cols = slice(0, coarse.shape[0]), slice(0, coarse.shape[1])
        else:
            x, y, h = centre[0] / k, centre[1] / k, half / k + 1
            rows = slice(max(0, int(y - h)), max(0, int(y + h) + 1))
            cols = slice(max(0, int(x - h)), max(0, int(x + h) + 1))
        window = coarse[rows, cols].astype(np.float32)
        diff = (bg.gain * self.image[rows, cols] - window) * bg.sign

        def full(fr: slice, fc: slice) -> tuple[np.ndarray, np.ndarray]:
            return bg.difference(luma, fr, fc), bg.threshold[fr, fc]

        blobs = find_blobs(
            diff,
            self.threshold[rows, cols],
            full,
            origin=(rows.start * k, cols.start * k),
            step=k,
            allowed=None if self.allowed is None else self.allowed[rows, cols],
            min_area=0.4 * area,
            max_area=2.5 * area,
        )
        if not blobs:
            return None
        if centre is None:  # re-acquisition: the most animal-like blob (size, then contrast)
            return min(blobs, key=lambda b: (abs(np.log(b.area / area)), -b.contrast))
        return min(blobs, key=lambda b: np.hypot(b.x - centre[0], b.y - centre[1]))


def fill_gaps(table: pd.DataFrame, max_gap_s: float) -> pd.DataFrame:
    """Interpolate x, y linearly over gaps of at most ``max_gap_s`` between placed frames.

    Filled frames keep quality 0 and get ``filled = True``; longer gaps stay empty.
    """
    out = table.copy()
    placed = out["x_px"].notna().to_numpy()
    out["filled"] = False
    idx = np.nonzero(placed)[0]
    t = out["time_s"].to_numpy()
    for a, b in zip(idx[:-1], idx[1:], strict=True):
        if b - a > 1 and t[b] - t[a] <= max_gap_s:
            gap = np.arange(a + 1, b)
            w = (t[gap] - t[a]) / (t[b] - t[a])
            for col in ("x_px", "y_px"):
                v = out[col].to_numpy()
                out.loc[gap, col] = v[a] + w * (v[b] - v[a])
            out.loc[gap, "filled"] = True
    return out
