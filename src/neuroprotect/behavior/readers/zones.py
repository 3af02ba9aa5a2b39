"""Y-maze arm polygons in cm: the arena YAML (read by :func:`~neuroprotect.behavior.arena.arena_from_dict`), or
the symmetric shorthand below.

Format (coordinates in the track's units, converted to cm by ``cm_per_unit``, default 1)::

    type: y_maze
    cm_per_unit: 1.0
    arms:
      A: [[-4, 2.31], [-4, 37.31], [4, 37.31], [4, 2.31]]
      B: [[...], ...]
      C: [[...], ...]
    centre: [[0, -4.62], [4, 2.31], [-4, 2.31]]   # optional: default, the hull of the entrances

Or, for a symmetric maze, the geometry of :func:`~neuroprotect.behavior.y_maze.make_y_maze_arms`::

    type: y_maze
    centre_point: [0, 0]
    arm_length: 35
    arm_width: 8
    angles_deg: [90, 210, 330]   # optional
    labels: ABC                  # optional
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from neuroprotect.behavior.arena import ArenaYMaze, arena_from_dict
from neuroprotect.behavior.y_maze import Point, make_y_maze_arms
from neuroprotect.errors import InputError

__all__ = ["read_y_maze_arms"]


def _number(doc: dict[str, Any], key: str, path: Path, default: float | None = None) -> float:
    value = doc.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InputError(f"Expected a number > 0, but got {value!r}", file=path, field=key)
    return float(value)


def read_y_maze_arms(path: str | Path) -> tuple[dict[str, list[Point]], list[Point] | None]:
    """Read Y-maze arm polygons (and the optional centre zone) from YAML, in cm.

    Returns
    -------
    arms : dict
        Arm symbol -> polygon.
    centre : list or None
        Centre-zone polygon, or None when the file has none (the default of
        :func:`~neuroprotect.behavior.y_maze.detect_arm_entries` then applies).

    Raises
    ------
    InputError
        Unreadable YAML, a type other than ``y_maze``, bad polygons, arm symbols that are not one
        character.
    """
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("Expected an existing file, but it does not exist", file=path) from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0]
        raise InputError(f"Expected readable YAML ({first})", file=path) from None
    if not isinstance(doc, dict):
        raise InputError("Expected a YAML mapping with 'arms'", file=path)
    kind = doc.get("type", "y_maze")
    if kind != "y_maze":
        raise InputError(f"Expected type: y_maze, but got {kind!r}", file=path, field="type")
    scale = _number(doc, "cm_per_unit", path, 1.0)
    if "arms" not in doc:
        if "arm_length" not in doc:
            raise InputError(
                "Expected 'arms' (polygons) or 'arm_length' and 'arm_width'",
                file=path,
                field="arms",
            )
        centre_point = doc.get("centre_point", [0.0, 0.0])
        try:
            cx, cy = (float(v) * scale for v in centre_point)
        except (TypeError, ValueError):
            raise InputError(
                f"Expected [x, y], but got {centre_point!r}", file=path, field="centre_point"
            ) from None
        try:
            arms, centre = make_y_maze_arms(
                centre=(cx, cy),
                arm_length_cm=_number(doc, "arm_length", path) * scale,
                arm_width_cm=_number(doc, "arm_width", path) * scale,
                angles_deg=[float(a) for a in doc.get("angles_deg", (90.0, 210.0, 330.0))],
                labels=str(doc.get("labels", "ABC")),
            )
        except InputError as exc:
            raise InputError(exc.message, file=path, field=exc.field) from None
        return arms, centre
    # Polygon form: the arena module reads and checks it (one reader of arena files).
    arena = arena_from_dict({**doc, "type": kind}, file=path)
    if not isinstance(arena, ArenaYMaze):  # pragma: no cover - type checked above
        raise InputError("Expected a y_maze arena", file=path, field="type")
    for label in arena.arms:
        if len(label) != 1:
            raise InputError(
                f"Expected one-character arm symbols, but got {label!r}", file=path, field="arms"
            )
    k = arena.cm_per_unit
    arms = {label: [(x * k, y * k) for x, y in poly] for label, poly in arena.arms.items()}
    hub = [(x * k, y * k) for x, y in arena.centre] if arena.centre else None
    return arms, hub
