"""Y-maze zone geometry: symmetric arm polygons, point-in-polygon, distances to edges.

Polygons are lists of ``(x, y)`` vertices in cm, in the track's coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neuroprotect.errors import InputError

__all__ = ["Point", "Polygon", "make_y_maze_arms", "points_in_polygon", "distance_to_segments"]

Point = tuple[float, float]
Polygon = Sequence[Point]


def make_y_maze_arms(
    *,
    centre: Point = (0.0, 0.0),
    arm_length_cm: float,
    arm_width_cm: float,
    angles_deg: Sequence[float] = (90.0, 210.0, 330.0),
    labels: str = "ABC",
) -> tuple[dict[str, list[Point]], list[Point]]:
    """Polygons of a symmetric Y-maze: three rectangular arms around an equilateral centre.

    Parameters
    ----------
    centre
        Maze centre (cm).
    arm_length_cm, arm_width_cm
        Arm length (from the centre triangle's side to the arm end) and width.
    angles_deg
        Direction of each arm (counter-clockwise from +x), in the order of ``labels``.
    labels
        One character per arm.

    Returns
    -------
    arms : dict
        Arm symbol -> rectangle (4 vertices).
    centre_zone : list
        The central triangle (3 vertices) whose sides are the arms' entrances.
    """
    if len(labels) != len(angles_deg):
        raise InputError(
            f"Expected one label per arm, but got {len(labels)} labels for {len(angles_deg)} arms",
            field="labels",
        )
    if arm_length_cm <= 0 or arm_width_cm <= 0:
        raise InputError("Expected an arm length and width > 0", field="arm_length_cm")
    cx, cy = centre
    w = arm_width_cm
    apothem = w / (2.0 * np.sqrt(3.0))  # centre to the middle of a side of the triangle
    arms: dict[str, list[Point]] = {}
    for label, ang in zip(labels, angles_deg, strict=True):
        u = np.array([np.cos(np.radians(ang)), np.sin(np.radians(ang))])
        p = np.array([-u[1], u[0]])
        base = np.array([cx, cy]) + apothem * u
        far = base + arm_length_cm * u
        corners = [base + p * w / 2, far + p * w / 2, far - p * w / 2, base - p * w / 2]
        arms[label] = [(float(c[0]), float(c[1])) for c in corners]
    # triangle vertices lie between consecutive arms
    radius = w / np.sqrt(3.0)
    centre_zone = []
    for ang in angles_deg:
        a = np.radians(ang + 180.0)
        centre_zone.append((float(cx + radius * np.cos(a)), float(cy + radius * np.sin(a))))
    return arms, centre_zone


def points_in_polygon(x: np.ndarray, y: np.ndarray, polygon: Polygon) -> np.ndarray:
    """Even-odd ray casting, vectorised over points."""
    poly = np.asarray(polygon, dtype=float)
    inside = np.zeros(x.shape, dtype=bool)
    x0, y0 = poly[:, 0], poly[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    for xa, ya, xb, yb in zip(x0, y0, x1, y1, strict=True):
        crosses = (ya > y) != (yb > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = xa + (y - ya) * (xb - xa) / (yb - ya)
        inside ^= crosses & (x < x_at)
    return inside


def distance_to_segments(x: np.ndarray, y: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Distance from each point to the nearest of ``segments`` (k x 4: xa, ya, xb, yb)."""
    best = np.full(x.shape, np.inf)
    for xa, ya, xb, yb in segments:
        dx, dy = xb - xa, yb - ya
        length2 = dx * dx + dy * dy
        t = np.clip(((x - xa) * dx + (y - ya) * dy) / length2, 0.0, 1.0) if length2 else 0.0
        best = np.minimum(best, np.hypot(x - (xa + t * dx), y - (ya + t * dy)))
    return best


def _edges(polygon: Polygon) -> np.ndarray:
    p = np.asarray(polygon, dtype=float)
    return np.column_stack([p, np.roll(p, -1, axis=0)])


def _check_polygon(polygon: Polygon, name: str) -> None:
    p = np.asarray(polygon, dtype=float)
    if p.ndim != 2 or p.shape[1] != 2 or len(p) < 3 or not np.isfinite(p).all():
        raise InputError(
            f"Expected a polygon of at least 3 (x, y) vertices, but got {polygon!r}", field=name
        )


def _convex_hull(points: np.ndarray) -> list[Point]:
    """Andrew's monotone chain."""
    pts = sorted({(float(a), float(b)) for a, b in points})

    def cross(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Point] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[Point] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]
