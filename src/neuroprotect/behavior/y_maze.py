"""Y-maze spontaneous alternation: arm entries and the alternation score.

Two inputs give an arm-entry sequence:

* a **recorded sequence** (manual scoring), any single-character arm symbols: ``"ABCAB"``,
  ``"3 2 3 1"``, ``"1,2,3"`` (blanks and commas between symbols are ignored);
* a **track** (:mod:`neuroprotect.behavior.tracks`) and the maze's arm polygons, through
  :func:`detect_arm_entries`.

Scoring (:func:`score_alternation`) follows Galeano et al. 2014 and the sn-lab DeepLabCut
analysis: an *alternation* is a window of three consecutive entries into three different arms
(windows overlap), and

    spontaneous alternation % = 100 * alternations / (entries - 2).

Arm polygons are plain lists of ``(x, y)`` vertices in cm, in the track's coordinates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from neuroprotect.behavior.tracks import validate_tracks
from neuroprotect.errors import InputError

__all__ = [
    "parse_arm_sequence",
    "score_alternation",
    "make_y_maze_arms",
    "detect_arm_entries",
    "compute_y_maze",
]

Point = tuple[float, float]
Polygon = Sequence[Point]

_SEPARATORS = " ,;\t-"


def parse_arm_sequence(sequence: str | Sequence[str], *, arms: str | None = None) -> list[str]:
    """Turn a recorded arm-entry sequence into a list of one-character arm symbols.

    Parameters
    ----------
    sequence
        A string such as ``"ABCBA"`` or ``"3 2 3 1"`` (blanks, commas, semicolons, tabs and
        hyphens between symbols are ignored), or a list of one-character symbols.
    arms
        The allowed arm symbols (e.g. ``"ABC"``). Default: any, but at most three distinct.

    Raises
    ------
    InputError
        A symbol longer than one character, a symbol not in ``arms``, more than three arms.
    """
    if isinstance(sequence, str):
        symbols = [c for c in sequence.strip() if c not in _SEPARATORS]
    else:
        symbols = [str(s).strip() for s in sequence]
        for i, s in enumerate(symbols):
            if len(s) != 1:
                raise InputError(
                    f"Expected one character per arm entry, but entry {i + 1} is {s!r}",
                    field="sequence",
                )
    if arms is not None:
        allowed = [c for c in arms if c not in _SEPARATORS]
        for i, s in enumerate(symbols):
            if s not in allowed:
                raise InputError(
                    f"Expected arm symbols among {''.join(allowed)}, but entry {i + 1} is {s!r}",
                    field="sequence",
                )
    distinct = list(dict.fromkeys(symbols))
    if len(distinct) > 3:
        raise InputError(
            f"Expected at most three arm symbols in a Y-maze sequence, but got "
            f"{len(distinct)} ({''.join(distinct)})",
            field="sequence",
        )
    return symbols


def score_alternation(
    sequence: str | Sequence[str], *, arms: str | None = None, collapse_repeats: bool = False
) -> dict[str, object]:
    """Spontaneous alternation of one arm-entry sequence.

    Parameters
    ----------
    sequence
        Arm entries in order (see :func:`parse_arm_sequence`).
    arms
        Allowed arm symbols, optional.
    collapse_repeats
        Merge immediate re-entries into the same arm (``AAB`` -> ``AB``) before scoring, as the
        sn-lab tracking analysis does. Default False: a re-entry after a return to the centre is
        an entry (manual scoring).

    Returns
    -------
    dict
        ``entries`` (int), ``alternations`` (int), ``spontaneous_alternation_pct`` (float; NaN
        with fewer than three entries), ``same_arm_returns`` (``AA``), ``alternate_arm_returns``
        (``ABA``), ``sequence`` (the scored symbols as one string).

    Notes
    -----
    alternation = #{i : s_i, s_{i+1}, s_{i+2} all different}; SA% = 100 * alternations /
    (entries - 2) (Galeano et al. 2014, Neurobiol Learn Mem; sn-lab Deeplabcut_Analysis).
    Worked examples: ``ABCABC`` gives 4 / 4 = 100 %; sn-lab's ``323132313123123`` gives 15
    entries, 8 alternations, 61.54 %. Same-arm returns (``AA``) and alternate-arm returns
    (``ABA``) as defined in the Y-maze protocol of bio-protocol.org/prep650.
    """
    symbols = parse_arm_sequence(sequence, arms=arms)
    if not symbols:
        raise InputError(
            "Expected at least one arm entry, but the sequence is empty (an animal that never "
            "entered an arm has no alternation score: leave it out or record it as missing)",
            field="sequence",
        )
    if collapse_repeats:
        symbols = [s for i, s in enumerate(symbols) if i == 0 or s != symbols[i - 1]]
    s = np.asarray(symbols, dtype=object)
    n = len(s)
    if n >= 3:
        a, b, c = s[:-2], s[1:-1], s[2:]
        alternations = int(((a != b) & (b != c) & (a != c)).sum())
        aar = int(((a == c) & (a != b)).sum())
    else:
        alternations, aar = 0, 0
    sar = int((s[1:] == s[:-1]).sum()) if n >= 2 else 0
    pct = 100.0 * alternations / (n - 2) if n >= 3 else float("nan")
    return {
        "entries": n,
        "alternations": alternations,
        "spontaneous_alternation_pct": pct,
        "same_arm_returns": sar,
        "alternate_arm_returns": aar,
        "sequence": "".join(symbols),
    }


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


def _points_in_polygon(x: np.ndarray, y: np.ndarray, polygon: Polygon) -> np.ndarray:
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


def _distance_to_segments(x: np.ndarray, y: np.ndarray, segments: np.ndarray) -> np.ndarray:
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


def _entrances(arms: Mapping[str, Polygon], centre_zone: Polygon | None) -> dict[str, np.ndarray]:
    """Each arm's entrance: its edge whose midpoint is nearest the maze centre."""
    if centre_zone is not None:
        hub = np.asarray(centre_zone, dtype=float).mean(axis=0)
    else:
        hub = np.vstack([np.asarray(p, dtype=float) for p in arms.values()]).mean(axis=0)
    out = {}
    for label, poly in arms.items():
        e = _edges(poly)
        mid = (e[:, :2] + e[:, 2:]) / 2
        out[label] = e[int(np.argmin(np.hypot(*(mid - hub).T)))]
    return out


def detect_arm_entries(
    tracks: pd.DataFrame,
    *,
    arms: Mapping[str, Polygon],
    centre_zone: Polygon | None = None,
    entry_depth_cm: float = 5.0,
    count_start_arm: bool = True,
) -> pd.DataFrame:
    """Arm entries of every trial, with hysteresis so that jitter at the centre is not an entry.

    Parameters
    ----------
    tracks
        Track table (one body point per sample; missing samples are ignored, the state holds).
    arms
        Arm symbol (one character) -> polygon of ``(x, y)`` vertices in cm.
    centre_zone
        Polygon of the central zone. Default: the convex hull of the arms' entrances (each arm's
        edge nearest the maze centre), i.e. the central triangle of a Y-maze.
    entry_depth_cm
        How far past its entrance a point must be to count as inside an arm.
    count_start_arm
        Count the arm the animal is in when the trial starts (placed at the end of an arm) as the
        first entry. Default True.

    Returns
    -------
    pandas.DataFrame
        One row per entry: ``trial_id, entry`` (1, 2, ... within the trial), ``arm``,
        ``time_s`` (time of the sample at which the entry was counted).

    Notes
    -----
    Rule (a Schmitt trigger on the zones): a sample is *deep in arm k* when it lies inside arm
    k's polygon and at least ``entry_depth_cm`` from arm k's entrance (the polygon edge nearest
    the maze centre); it is *in the centre* when it lies inside the centre zone. Every other
    sample (inside an arm but shallower, outside the maze, missing) leaves the state unchanged.
    The state is the last arm-or-centre label; an entry into arm k is counted when the state
    becomes k from the centre or from another arm. Hence a point hovering around an entrance
    never makes an entry, and leaving an arm requires reaching the centre zone (or going deep
    into another arm), as in ANY-maze practice with a centre zone. Re-entering the same arm after
    a visit to the centre is an entry (a same-arm return).
    """
    if entry_depth_cm < 0:
        raise InputError(
            f"Expected entry_depth_cm >= 0, but got {entry_depth_cm!r}", field="entry_depth_cm"
        )
    if len(arms) < 2:
        raise InputError(f"Expected at least two arms, but got {len(arms)}", field="arms")
    for label, poly in arms.items():
        if len(str(label)) != 1:
            raise InputError(f"Expected one-character arm symbols, but got {label!r}", field="arms")
        _check_polygon(poly, f"arms.{label}")
    entrances = _entrances(arms, centre_zone)
    if centre_zone is None:
        centre_zone = _convex_hull(np.vstack([e.reshape(2, 2) for e in entrances.values()]))
    _check_polygon(centre_zone, "centre_zone")
    t = validate_tracks(tracks)
    x, y = t["x_cm"].to_numpy(), t["y_cm"].to_numpy()
    valid = np.isfinite(x)
    zone = np.full(len(t), None, dtype=object)
    zone[valid & _points_in_polygon(x, y, centre_zone)] = "."
    for arm, poly in arms.items():
        deep = _points_in_polygon(x, y, poly) & (
            _distance_to_segments(x, y, entrances[arm][None, :]) >= entry_depth_cm
        )
        zone[valid & deep] = str(arm)
    state = pd.Series(zone).groupby(t["trial_id"].to_numpy(), sort=False).ffill()
    prev = state.groupby(t["trial_id"].to_numpy(), sort=False).shift(1)
    is_arm = state.notna() & (state != ".")
    entered = is_arm & (state != prev)
    if not count_start_arm:
        entered &= prev.notna()
    rows = t.loc[entered.to_numpy(), ["trial_id", "time_s"]].copy()
    rows["arm"] = state[entered].to_numpy()
    rows.insert(1, "entry", rows.groupby("trial_id", sort=False).cumcount() + 1)
    return rows[["trial_id", "entry", "arm", "time_s"]].reset_index(drop=True)


def compute_y_maze(
    tracks: pd.DataFrame,
    *,
    arms: Mapping[str, Polygon],
    centre_zone: Polygon | None = None,
    entry_depth_cm: float = 5.0,
    count_start_arm: bool = True,
    collapse_repeats: bool = False,
) -> pd.DataFrame:
    """Arm entries and spontaneous alternation of every trial of a track table.

    Parameters are those of :func:`detect_arm_entries` and :func:`score_alternation`.

    Returns
    -------
    pandas.DataFrame
        One row per trial (input order): ``trial_id, entries, alternations,
        spontaneous_alternation_pct, same_arm_returns, alternate_arm_returns, sequence``.
    """
    entries = detect_arm_entries(
        tracks,
        arms=arms,
        centre_zone=centre_zone,
        entry_depth_cm=entry_depth_cm,
        count_start_arm=count_start_arm,
    )
    rows = []
    for trial in pd.unique(validate_tracks(tracks)["trial_id"]):
        seq = entries.loc[entries["trial_id"] == trial, "arm"].tolist()
        if not seq:
            raise InputError(
                f"Expected at least one arm entry in trial {trial!r}, but its track enters no "
                "arm (check the arm polygons, their units and entry_depth_cm)",
                field="arms",
            )
        rows.append(
            {"trial_id": trial, **score_alternation(seq, collapse_repeats=collapse_repeats)}
        )
    return pd.DataFrame(rows)
