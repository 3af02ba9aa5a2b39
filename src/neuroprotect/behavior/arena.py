"""Arena geometry for tracked behaviour: water maze, Y-maze, open field.

Arenas are small frozen dataclasses loaded from YAML (:func:`load_arena`) or from Rtrack's
``key = value`` arena files (:func:`read_rtrack_arena`). Coordinates are in the track's own units;
``cm_per_unit`` converts them to centimetres (default 1: the tracker already exports cm).

Water maze YAML::

    type: water_maze
    cm_per_unit: 1.0
    pool: {x: 100.0, y: 100.0, radius: 100.0}
    goal: {x: 46.2, y: 113.4, radius: 7.6}
    old_goal: null          # reversal trials: the former platform
    trial_length_s: 90      # optional: the cut-off at which unreached trials are censored

Y-maze YAML (arms as polygons, vertices in order; the centre polygon is optional)::

    type: y_maze
    cm_per_unit: 1.0
    arms:
      A: [[0, 0], [10, 0], [10, 40], [0, 40]]
      B: [...]
      C: [...]
    centre: [[...], ...]

Open field YAML (an axis-aligned rectangle)::

    type: open_field
    cm_per_unit: 1.0
    bounds: {x_min: 0, y_min: 0, x_max: 40, y_max: 40}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from neuroprotect.errors import InputError

__all__ = [
    "Circle",
    "ArenaWaterMaze",
    "ArenaYMaze",
    "ArenaOpenField",
    "Arena",
    "load_arena",
    "read_rtrack_arena",
    "arena_from_dict",
    "check_track_in_arena",
]


@dataclass(frozen=True)
class Circle:
    """A circle in track units."""

    x: float
    y: float
    radius: float


@dataclass(frozen=True)
class ArenaWaterMaze:
    """A circular pool with a goal (platform) and optionally the former goal (reversal).

    Notes
    -----
    Zones follow Rtrack (``read_arena.R``): with the pool scaled to radius 1, the wall zone is the
    annulus 0.8-1.0, the goal annulus spans |goal| ± r_goal, and quadrants are centred on the goal
    (the target quadrant is the quarter of the pool centred on the goal's bearing).
    """

    pool: Circle
    goal: Circle | None
    old_goal: Circle | None = None
    cm_per_unit: float = 1.0
    trial_length_s: float | None = None
    wall_zone_inner: float = 0.8
    name: str = ""
    type: str = "water_maze"


@dataclass(frozen=True)
class ArenaYMaze:
    """A Y-maze: one polygon per arm (label -> vertices in track units), optional centre polygon."""

    arms: dict[str, tuple[tuple[float, float], ...]]
    centre: tuple[tuple[float, float], ...] | None = None
    cm_per_unit: float = 1.0
    name: str = ""
    type: str = "y_maze"


@dataclass(frozen=True)
class ArenaOpenField:
    """A rectangular open field (track units)."""

    x_min: float
    y_min: float
    x_max: float
    y_max: float
    cm_per_unit: float = 1.0
    name: str = ""
    type: str = "open_field"
    extra: dict[str, Any] = field(default_factory=dict)


Arena = ArenaWaterMaze | ArenaYMaze | ArenaOpenField

_TYPE_ALIASES = {
    "water_maze": "water_maze",
    "mwm": "water_maze",
    "y_maze": "y_maze",
    "ymaze": "y_maze",
    "open_field": "open_field",
    "oft": "open_field",
}


def _number(value: Any, *, file: str | None, field_path: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InputError(
            f"Expected a number, but got {value!r}", file=file, field=field_path
        ) from None
    if not math.isfinite(out):
        raise InputError(
            f"Expected a finite number, but got {value!r}", file=file, field=field_path
        )
    return out


def _circle(value: Any, *, file: str | None, field_path: str) -> Circle:
    if not isinstance(value, dict):
        raise InputError(
            f"Expected a mapping {{x, y, radius}}, but got {value!r}", file=file, field=field_path
        )
    missing = [k for k in ("x", "y", "radius") if k not in value]
    if missing:
        raise InputError(
            f"Expected keys x, y, radius, but {', '.join(missing)} missing",
            file=file,
            field=field_path,
        )
    circle = Circle(
        *(
            _number(value[k], file=file, field_path=f"{field_path}.{k}")
            for k in ("x", "y", "radius")
        )
    )
    if circle.radius <= 0:
        raise InputError(
            f"Expected a positive radius, but got {circle.radius}",
            file=file,
            field=f"{field_path}.radius",
        )
    return circle


def _polygon(value: Any, *, file: str | None, field_path: str) -> tuple[tuple[float, float], ...]:
    if not isinstance(value, list | tuple) or len(value) < 3:
        raise InputError(
            f"Expected a polygon as a list of at least 3 [x, y] vertices, but got {value!r}",
            file=file,
            field=field_path,
        )
    out = []
    for i, vertex in enumerate(value):
        if not isinstance(vertex, list | tuple) or len(vertex) != 2:
            raise InputError(
                f"Expected an [x, y] vertex, but got {vertex!r}",
                file=file,
                field=f"{field_path}[{i}]",
            )
        out.append(
            (
                _number(vertex[0], file=file, field_path=f"{field_path}[{i}]"),
                _number(vertex[1], file=file, field_path=f"{field_path}[{i}]"),
            )
        )
    return tuple(out)


def arena_from_dict(data: Any, *, file: str | PathLike[str] | None = None) -> Arena:
    """Build an arena from a parsed YAML mapping (see the module docstring for the layout).

    Raises
    ------
    InputError
        On an unknown type, a missing or non-numeric field, or a non-positive radius or scale.
    """
    f = str(file) if file is not None else None
    if not isinstance(data, dict):
        raise InputError(
            f"Expected a mapping with a 'type' key, but got {type(data).__name__}", file=f
        )
    kind = _TYPE_ALIASES.get(str(data.get("type", "")).lower())
    if kind is None:
        raise InputError(
            f"Expected type water_maze, y_maze or open_field, but got {data.get('type')!r}",
            file=f,
            field="type",
        )
    scale = _number(data.get("cm_per_unit", 1.0), file=f, field_path="cm_per_unit")
    if scale <= 0:
        raise InputError(f"Expected cm_per_unit > 0, but got {scale}", file=f, field="cm_per_unit")
    name = str(data.get("name") or (Path(f).stem if f else ""))
    if kind == "water_maze":
        if "pool" not in data:
            raise InputError("Expected a 'pool' circle, but it is missing", file=f, field="pool")
        goal = data.get("goal")
        old_goal = data.get("old_goal")
        if goal is None and old_goal is None:
            raise InputError(
                "Expected at least one of 'goal' or 'old_goal', but both are missing",
                file=f,
                field="goal",
            )
        trial_length = data.get("trial_length_s")
        return ArenaWaterMaze(
            pool=_circle(data["pool"], file=f, field_path="pool"),
            goal=None if goal is None else _circle(goal, file=f, field_path="goal"),
            old_goal=None if old_goal is None else _circle(old_goal, file=f, field_path="old_goal"),
            cm_per_unit=scale,
            trial_length_s=None
            if trial_length is None
            else _number(trial_length, file=f, field_path="trial_length_s"),
            name=name,
        )
    if kind == "y_maze":
        arms = data.get("arms")
        if not isinstance(arms, dict) or len(arms) < 2:
            raise InputError(
                f"Expected 'arms' as a mapping label -> polygon with >= 2 arms, but got {arms!r}",
                file=f,
                field="arms",
            )
        centre = data.get("centre", data.get("center"))
        return ArenaYMaze(
            arms={str(k): _polygon(v, file=f, field_path=f"arms.{k}") for k, v in arms.items()},
            centre=None if centre is None else _polygon(centre, file=f, field_path="centre"),
            cm_per_unit=scale,
            name=name,
        )
    bounds = data.get("bounds")
    if not isinstance(bounds, dict):
        raise InputError(
            f"Expected 'bounds' {{x_min, y_min, x_max, y_max}}, but got {bounds!r}",
            file=f,
            field="bounds",
        )
    vals = {
        k: _number(bounds.get(k), file=f, field_path=f"bounds.{k}")
        for k in ("x_min", "y_min", "x_max", "y_max")
    }
    if vals["x_max"] <= vals["x_min"] or vals["y_max"] <= vals["y_min"]:
        raise InputError(
            f"Expected x_max > x_min and y_max > y_min, but got {vals}", file=f, field="bounds"
        )
    return ArenaOpenField(
        x_min=vals["x_min"],
        y_min=vals["y_min"],
        x_max=vals["x_max"],
        y_max=vals["y_max"],
        cm_per_unit=scale,
        name=name,
    )


def read_rtrack_arena(path: str | PathLike[str]) -> ArenaWaterMaze:
    """Read an Rtrack arena description (``key = value`` lines, ``#`` comments), type ``mwm``.

    Reads ``arena.bounds = circle x y r``, ``goal = circle x y r``, ``old.goal = circle x y r``
    and ``trial.length`` (Rtrack v1). Rtrack's ``time.units`` other than ``s`` are rejected.
    """
    path = Path(path)
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(
            f"Expected a readable arena file, but got {exc.strerror}", file=path
        ) from None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" not in line:
            raise InputError(f"Expected 'key = value', but got {raw!r}", file=path, row=lineno)
        key, value = (s.strip() for s in line.split("=", 1))
        values[key] = value
    if values.get("type", "").lower() != "mwm":
        raise InputError(
            f"Expected an Rtrack arena of type mwm, but got {values.get('type')!r}",
            file=path,
            field="type",
        )
    units = values.get("time.units", "s")
    if units != "s":
        raise InputError(
            f"Expected time.units = s, but got {units!r}", file=path, field="time.units"
        )

    def circle(key: str) -> dict[str, float] | None:
        if key not in values:
            return None
        parts = values[key].split()
        if len(parts) != 4 or parts[0] != "circle":
            raise InputError(
                f"Expected 'circle x y radius', but got {values[key]!r}", file=path, field=key
            )
        return {"x": parts[1], "y": parts[2], "radius": parts[3]}  # type: ignore[dict-item]

    data: dict[str, Any] = {
        "type": "water_maze",
        "pool": circle("arena.bounds"),
        "goal": circle("goal"),
        "old_goal": circle("old.goal"),
        "name": path.stem,
    }
    if data["pool"] is None:
        raise InputError("Expected 'arena.bounds = circle x y r', but it is missing", file=path)
    if "trial.length" in values:
        data["trial_length_s"] = values["trial.length"]
    arena = arena_from_dict(data, file=path)
    assert isinstance(arena, ArenaWaterMaze)
    return arena


def load_arena(path: str | PathLike[str]) -> Arena:
    """Load an arena from YAML (``.yaml``/``.yml``) or an Rtrack arena text file.

    Parameters
    ----------
    path
        The arena file. Files whose first meaningful line is ``type = ...`` are read as Rtrack
        arena descriptions; everything else as YAML.

    Raises
    ------
    InputError
        When the file cannot be read or does not describe a valid arena.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(
            f"Expected a readable arena file, but got {exc.strerror}", file=path
        ) from None
    first = next(
        (ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")),
        "",
    )
    if first.replace(" ", "").startswith("type=") or path.suffix.lower() == ".txt":
        return read_rtrack_arena(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"Expected valid YAML, but got a parse error: {exc}", file=path) from None
    return arena_from_dict(data, file=path)


def check_track_in_arena(
    x: np.ndarray,
    y: np.ndarray,
    *,
    arena: ArenaWaterMaze,
    trial_ids: np.ndarray | None = None,
    max_radius: float = 2.5,
    max_fraction_outside: float = 0.6,
    file: str | None = None,
    sources: Mapping[Any, str] | None = None,
    labels: Mapping[Any, str] | None = None,
) -> None:
    """Raise a readable error when a track falls far outside its pool.

    ``sources`` (trial id -> track file) and ``labels`` (trial id -> e.g. "animal R3, day 2,
    trial 1") name the offending trial's file and animal in the message; ``file`` is the
    fallback file.

    A track is rejected when any sample lies beyond ``max_radius`` pool radii from the centre, or
    when more than ``max_fraction_outside`` of its samples lie beyond 1.1 radii: both usually
    mean the wrong arena file, the wrong units (``cm_per_unit``) or swapped coordinates. (Real
    tracks do leave the pool a little: lens distortion, the animal being put in from outside.)
    """
    r = np.hypot(x - arena.pool.x, y - arena.pool.y) / arena.pool.radius
    if r.size == 0:
        return
    ids = np.zeros(r.size, dtype=int) if trial_ids is None else np.asarray(trial_ids)

    def trial(tid: Any) -> str:
        return (labels or {}).get(tid) or f"trial {tid}"

    def source(tid: Any) -> str | None:
        return (sources or {}).get(tid) or file

    far = r > max_radius
    if far.any():
        i = int(np.argmax(far))
        raise InputError(
            f"Expected the track of {trial(ids[i])} inside the pool (centre {arena.pool.x:g}, "
            f"{arena.pool.y:g}, radius {arena.pool.radius:g}), but a sample at ({x[i]:g}, {y[i]:g}) "
            f"is {r[i]:.2f} radii from the centre; check the arena file, cm_per_unit and the track units",
            file=source(ids[i]),
        )
    uniq, inv = np.unique(ids, return_inverse=True)
    frac = np.bincount(inv, weights=(r > 1.1).astype(float)) / np.bincount(inv)
    bad = np.flatnonzero(frac > max_fraction_outside)
    if bad.size:
        raise InputError(
            f"Expected the track of {trial(uniq[bad[0]])} inside the pool, but "
            f"{100 * frac[bad[0]]:.0f}% of its samples lie more than 1.1 radii from the centre; check the arena file "
            "(pool centre and radius) and cm_per_unit",
            file=source(uniq[bad[0]]),
        )
