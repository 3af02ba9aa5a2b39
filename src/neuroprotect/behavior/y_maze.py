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

from neuroprotect.behavior.tracks import compute_speed, validate_tracks
from neuroprotect.behavior.y_maze_zones import (
    Point,
    Polygon,
    _check_polygon,
    _convex_hull,
    _edges,
    distance_to_segments,
    make_y_maze_arms,
    points_in_polygon,
)
from neuroprotect.errors import InputError

__all__ = [
    "Point",
    "parse_arm_sequence",
    "score_alternation",
    "make_y_maze_arms",
    "detect_arm_entries",
    "compute_y_maze",
]

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
    zone[valid & points_in_polygon(x, y, centre_zone)] = "."
    for arm, poly in arms.items():
        deep = points_in_polygon(x, y, poly) & (
            distance_to_segments(x, y, entrances[arm][None, :]) >= entry_depth_cm
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


def _zone_labels(
    x: np.ndarray, y: np.ndarray, arms: Mapping[str, Polygon], centre_zone: Polygon
) -> np.ndarray:
    """Zone of every point: an arm symbol, '.' for the centre, '' elsewhere (geometric, no
    hysteresis: time in a zone is where the animal is, entries are what it did)."""
    zone = np.full(x.shape, "", dtype=object)
    zone[points_in_polygon(x, y, centre_zone)] = "."
    for arm, poly in arms.items():
        zone[points_in_polygon(x, y, poly) & (zone == "")] = str(arm)
    return zone


def compute_y_maze(
    tracks: pd.DataFrame,
    *,
    arms: Mapping[str, Polygon],
    centre_zone: Polygon | None = None,
    entry_depth_cm: float = 5.0,
    count_start_arm: bool = True,
    collapse_repeats: bool = False,
) -> pd.DataFrame:
    """Arm entries, spontaneous alternation, distance and zone times of every trial.

    Parameters are those of :func:`detect_arm_entries` and :func:`score_alternation`.

    Returns
    -------
    pandas.DataFrame
        One row per trial (input order): ``trial_id, entries, alternations,
        spontaneous_alternation_pct, same_arm_returns, alternate_arm_returns, sequence,
        distance_cm`` (path length of the counted steps; steps across gaps are not counted),
        ``duration_s`` (first to last valid sample), ``time_in_arm_<X>_s`` for every arm,
        ``time_in_centre_s``.

    Notes
    -----
    A step (from sample i-1 to i) belongs to the zone of its start sample; a zone's time is the
    sum of the durations of its counted steps, as in :func:`~neuroprotect.behavior.open_field.
    compute_open_field`. Zones are the arm polygons and the centre triangle themselves (no
    entry depth).
    """
    entries = detect_arm_entries(
        tracks,
        arms=arms,
        centre_zone=centre_zone,
        entry_depth_cm=entry_depth_cm,
        count_start_arm=count_start_arm,
    )
    hub = centre_zone
    if hub is None:
        hub = _convex_hull(
            np.vstack([e.reshape(2, 2) for e in _entrances(arms, centre_zone).values()])
        )
    steps = compute_speed(validate_tracks(tracks))
    zone = _zone_labels(steps["x_cm"].to_numpy(), steps["y_cm"].to_numpy(), arms, hub)
    trial = steps["trial_id"].to_numpy()
    start_zone = np.concatenate([np.array([""], dtype=object), zone[:-1]])
    counted = steps["step_cm"].notna().to_numpy()
    rows = []
    for tid in pd.unique(trial):
        seq = entries.loc[entries["trial_id"] == tid, "arm"].tolist()
        if not seq:
            raise InputError(
                f"Expected at least one arm entry in trial {tid!r}, but its track enters no "
                "arm (check the arm polygons, their units and entry_depth_cm)",
                field="arms",
            )
        mine = (trial == tid) & counted
        dt = steps["dt_s"].to_numpy()[mine]
        where = start_zone[mine]
        times = steps["time_s"].to_numpy()[trial == tid]
        row: dict[str, object] = {
            "trial_id": tid,
            **score_alternation(seq, collapse_repeats=collapse_repeats),
            "distance_cm": float(steps["step_cm"].to_numpy()[mine].sum()),
            "duration_s": float(times.max() - times.min()),
        }
        for arm in arms:
            row[f"time_in_arm_{arm}_s"] = float(dt[where == str(arm)].sum())
        row["time_in_centre_s"] = float(dt[where == "."].sum())
        rows.append(row)
    return pd.DataFrame(rows)
