"""The arena of a video, in the video's pixels: scale, ``pool: auto``, exclusion masks.

The arena file is the one the readouts use (:mod:`neuroprotect.behavior.arena`), with positions in
the video's pixels (origin top-left, y down) and ``cm_per_unit`` = cm per pixel. Video-only keys::

    pool: auto                       # water maze: the pool circle found in the background image
    calibration:                     # instead of cm_per_unit: two points a known distance apart
      points: [[12, 40], [610, 44]]
      distance_cm: 150
    exclude:                         # where the animal is never looked for (lamps, cue, cables)
      - {x: 300, y: 20, radius: 15}           # a circle
      - [[0, 0], [40, 0], [40, 30], [0, 30]]  # a polygon
"""

from __future__ import annotations

from dataclasses import replace
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from neuroprotect.behavior.arena import (
    Arena,
    ArenaOpenField,
    ArenaWaterMaze,
    ArenaYMaze,
    arena_from_dict,
)
from neuroprotect.errors import InputError

__all__ = ["VideoArena", "read_video_arena", "find_pool"]


class VideoArena:
    """An arena file read for a video: its raw mapping, exclusions and the resolved arena."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self.exclude = data.pop("exclude", None) or []
        calibration = data.pop("calibration", None)
        if calibration is not None:
            data["cm_per_unit"] = _calibrated_scale(calibration, path)
        self.pool_auto = str(data.get("pool", "")).lower() == "auto"

    def resolve(self, background: np.ndarray) -> Arena:
        """The arena, with ``pool: auto`` found in ``background``."""
        data = dict(self.data)
        if self.pool_auto:
            x, y, radius = find_pool(background, file=self.path)
            data["pool"] = {"x": x, "y": y, "radius": radius}
        return arena_from_dict(data, file=self.path)

    def allowed(self, arena: Arena, shape: tuple[int, int]) -> np.ndarray:
        """Pixels where the animal may be: inside the arena (a 3 % margin) minus exclusions."""
        from skimage.draw import polygon as fill_polygon

        yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
        if isinstance(arena, ArenaWaterMaze):
            p = arena.pool
            mask = np.hypot(xx - p.x, yy - p.y) <= 1.03 * p.radius
        elif isinstance(arena, ArenaOpenField):
            mx, my = 0.03 * (arena.x_max - arena.x_min), 0.03 * (arena.y_max - arena.y_min)
            mask = (xx >= arena.x_min - mx) & (xx <= arena.x_max + mx)
            mask &= (yy >= arena.y_min - my) & (yy <= arena.y_max + my)
        elif isinstance(arena, ArenaYMaze):
            mask = np.zeros(shape, bool)
            for poly in [*arena.arms.values(), *([arena.centre] if arena.centre else [])]:
                pts = np.array(poly)
                rr, cc = fill_polygon(pts[:, 1], pts[:, 0], shape)
                mask[rr, cc] = True
        else:  # pragma: no cover - Arena is a closed union
            mask = np.ones(shape, bool)
        for i, item in enumerate(self.exclude):
            where = f"exclude[{i}]"
            if isinstance(item, dict):
                try:
                    x, y, r = (float(item[k]) for k in ("x", "y", "radius"))
                except (KeyError, TypeError, ValueError):
                    raise InputError(
                        f"Expected a circle {{x, y, radius}}, but got {item!r}",
                        file=self.path,
                        field=where,
                    ) from None
                mask &= np.hypot(xx - x, yy - y) > r
            elif isinstance(item, list) and len(item) >= 3:
                try:
                    pts = np.array(item, dtype=float).reshape(-1, 2)
                except ValueError:
                    raise InputError(
                        f"Expected a polygon of [x, y] vertices, but got {item!r}",
                        file=self.path,
                        field=where,
                    ) from None
                rr, cc = fill_polygon(pts[:, 1], pts[:, 0], shape)
                mask[rr, cc] = False
            else:
                raise InputError(
                    f"Expected a circle {{x, y, radius}} or a polygon, but got {item!r}",
                    file=self.path,
                    field=where,
                )
        if not mask.any():
            raise InputError(
                "Expected the arena to cover part of the video's frame, but it covers none of it "
                f"({shape[1]}x{shape[0]} px): positions must be in the video's pixels",
                file=self.path,
            )
        return mask


def read_video_arena(path: str | PathLike[str]) -> VideoArena:
    """Read an arena YAML for a video (see the module docstring). Checked fully once the
    background is known (:meth:`VideoArena.resolve`)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(
            f"Expected a readable arena file, but got {exc.strerror}", file=path
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"Expected YAML, but it does not parse ({exc})", file=path) from None
    if not isinstance(data, dict):
        raise InputError("Expected a mapping with a 'type' key", file=path)
    if str(data.get("pool", "")).lower() != "auto":  # check everything else early
        arena_from_dict(
            {k: v for k, v in data.items() if k not in ("exclude",)}
            | ({"cm_per_unit": 1.0} if "calibration" in data else {}),
            file=path,
        )
    return VideoArena(path, data)


def _calibrated_scale(calibration: Any, path: Path) -> float:
    try:
        (x1, y1), (x2, y2) = calibration["points"]
        distance = float(calibration["distance_cm"])
        pixels = float(np.hypot(float(x2) - float(x1), float(y2) - float(y1)))
    except (KeyError, TypeError, ValueError):
        raise InputError(
            "Expected calibration: {points: [[x1, y1], [x2, y2]], distance_cm: D}, but got "
            f"{calibration!r}",
            file=path,
            field="calibration",
        ) from None
    if not (pixels > 0 and distance > 0 and np.isfinite(distance)):
        raise InputError(
            "Expected two different points and distance_cm > 0", file=path, field="calibration"
        )
    return distance / pixels


def find_pool(background: np.ndarray, *, file: Path | None = None) -> tuple[float, float, float]:
    """The pool's circle (x, y, radius px) in a background image (Hough transform of its edges).

    The pool is the largest circle whose rim is a strong edge; radii from 25 % to 50 % of the
    frame's shorter side are tried, on an image reduced to about 200 px.
    """
    from skimage.feature import canny
    from skimage.transform import hough_circle, hough_circle_peaks, rescale

    scale = min(1.0, 200.0 / min(background.shape))
    small = rescale(background.astype(float) / 255.0, scale, anti_aliasing=True)
    edges = canny(small, sigma=2.0)
    short = min(small.shape)
    radii = np.arange(int(0.25 * short), int(0.52 * short) + 1)
    accumulator = hough_circle(edges, radii)
    _, xs, ys, rs = hough_circle_peaks(accumulator, radii, total_num_peaks=1)
    if not len(rs):
        raise InputError(
            "Expected a pool rim (a circle) in the background image for pool: auto, but none was "
            "found: give pool: {x, y, radius} in pixels",
            file=file,
            field="pool",
        )
    return float(xs[0] / scale), float(ys[0] / scale), float(rs[0] / scale)


def with_scale(arena: Arena, cm_per_unit: float) -> Arena:
    """The same arena with another scale (used when a calibration gives it)."""
    return replace(arena, cm_per_unit=cm_per_unit)
