"""Raw behaviour files of the simulated model demos: tracks, sequences, latencies.

Every writer takes the demo's units (animal id and *protection*: 0 = the untreated insult,
1 = the sham animal) and writes the raw files a lab would have, in the formats the readouts
read; the readouts then compute the variables from these files. A unit's true behaviour is
interpolated between the insult's and the sham's level (:func:`between`), so dose-dependent
protection in the design becomes dose-dependent behaviour in the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.datasets.behavior_synthetic import make_open_field_track, make_y_maze_track

__all__ = [
    "DemoUnit",
    "between",
    "write_open_field",
    "write_passive_avoidance",
    "write_water_maze",
    "write_y_maze",
]

#: Water maze geometry (cm): pool of 150 cm diameter, platform of 12 cm in the NE quadrant.
POOL_RADIUS, GOAL_XY, GOAL_RADIUS = 75.0, (30.0, 30.0), 6.0
MAZE_FPS, SWIM_SPEED, TRIAL_MAX_S, PROBE_S = 5.0, 20.0, 60.0, 60.0
MAZE_DAYS, TRIALS_PER_DAY = 3, 2


@dataclass(frozen=True)
class DemoUnit:
    """One simulated animal or culture: its id, group and protection (0 insult .. 1 sham)."""

    id: str
    group: str
    protection: float


def between(protection: float, insult: float, sham: float) -> float:
    """The level of a unit with ``protection`` between the insult's and the sham's level."""
    return insult + protection * (sham - insult)


def _csv(table: pd.DataFrame, path: Path) -> None:
    """Write a table; track tables in the generic track format (``trial_id, time_s, x, y``)."""
    table = table.rename(columns={"x_cm": "x", "y_cm": "y"})
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, lineterminator="\n", float_format="%.3f")


def _with_rests(track: pd.DataFrame, rest_s: float, rng: np.random.Generator) -> pd.DataFrame:
    """Insert resting bouts (the animal sits still, tracker jitter only) into a walk."""
    fps = 1.0 / float(track["time_s"].iloc[1] - track["time_s"].iloc[0])
    xy = track[["x_cm", "y_cm"]].to_numpy()
    cuts = np.sort(rng.choice(np.arange(1, len(xy) - 1), size=4, replace=False))
    bouts = rng.dirichlet(np.ones(4)) * rest_s
    parts, start = [], 0
    for cut, bout in zip(cuts, bouts, strict=True):
        parts.append(xy[start:cut])
        still = np.repeat(xy[cut - 1 : cut], int(round(bout * fps)), axis=0)
        parts.append(still + rng.normal(0.0, 0.05, still.shape))
        start = cut
    parts.append(xy[start:])
    out = np.concatenate(parts)
    return pd.DataFrame(
        {
            "trial_id": track["trial_id"].iloc[0],
            "time_s": np.arange(len(out)) / fps,
            "x_cm": out[:, 0],
            "y_cm": out[:, 1],
        }
    )


def write_open_field(
    out: Path, entry: dict[str, Any], units: list[DemoUnit], rng: np.random.Generator
) -> None:
    """Open-field tracks of 3 min at 4 frames/s in a 40 cm box. Ischemic gerbils are
    hyperactive (seed 000): after the untreated insult the animal walks faster (8 vs 4 cm/s)
    and rests less (15 % vs 45 % of the session, in four bouts) than sham."""
    folder = out / entry["files"][0].rsplit("/", 1)[0]
    session = 180.0
    for u in units:
        speed = between(u.protection, 8.0, 4.0) * float(np.exp(rng.normal(0.0, 0.12)))
        rest = float(np.clip(between(u.protection, 0.15, 0.45) + rng.normal(0, 0.05), 0.02, 0.8))
        track, _ = make_open_field_track(
            seed=int(rng.integers(2**31)),
            duration_s=session * (1.0 - rest),
            fps=4.0,
            box_cm=40.0,
            speed_cm_s=max(speed, 0.5),
            trial_id=u.id,
        )
        _csv(_with_rests(track, session * rest, rng), folder / f"{u.id}.csv")
    entry["params"]["rectangle"] = [0, 0, 40, 40]


def write_passive_avoidance(
    out: Path, entry: dict[str, Any], units: list[DemoUnit], rng: np.random.Generator
) -> None:
    """Step-through retention latencies, 24 h after training: log-normal around a median of
    40 s after scopolamine and 240 s without it, censored at the 300 s cut-off."""
    rows = []
    for u in units:
        log_median = between(u.protection, np.log(40.0), np.log(240.0))
        latency = min(round(float(np.exp(log_median + rng.normal(0.0, 0.5))), 1), 300.0)
        train = round(float(rng.exponential(15.0)) + 3.0, 1)
        rows.append((u.id, train, latency, 300))
    columns = ["animal_id", "training_latency_s", "retention_latency_s", "cutoff_s"]
    _csv(pd.DataFrame(rows, columns=columns), out / entry["files"][0])


def _y_sequence(alternation: float, entries: int, rng: np.random.Generator) -> str:
    """Arm entries where each third entry completes an alternation with probability
    ``alternation`` (otherwise the animal re-enters the arm it came from before)."""
    seq = list(rng.permutation(list("ABC"))[:2])
    while len(seq) < entries:
        third = next(a for a in "ABC" if a not in seq[-2:])
        seq.append(third if rng.random() < alternation else seq[-2])
    return "".join(seq)


def write_y_maze(
    out: Path, entry: dict[str, Any], units: list[DemoUnit], rng: np.random.Generator
) -> None:
    """Y-maze tracks (8 min session reduced to 14-20 arm entries) with spontaneous alternation
    about 50 % (chance) after scopolamine and 75 % without it, and the arms file."""
    entry["files"] = ["tracks/y_maze/*.csv"]
    entry["params"]["arms"] = "y_maze_arms.yaml"
    for u in units:
        rate = float(np.clip(between(u.protection, 0.5, 0.78) + rng.normal(0.0, 0.06), 0.2, 1.0))
        seq = _y_sequence(rate, int(rng.integers(14, 21)), rng)
        track, _ = make_y_maze_track(
            seq, seed=int(rng.integers(2**31)), fps=10.0, centre_excursions=1, trial_id=u.id
        )
        _csv(track, out / "tracks" / "y_maze" / f"{u.id}.csv")
    (out / "y_maze_arms.yaml").write_text(
        "type: y_maze\narm_length: 35\narm_width: 8\nlabels: ABC\n", encoding="utf-8"
    )


def _sample(points: list[np.ndarray], duration_s: float) -> np.ndarray:
    """Positions at MAZE_FPS along a polyline walked at constant speed in ``duration_s``."""
    xy = np.array(points)
    seg = np.r_[0.0, np.cumsum(np.hypot(*np.diff(xy, axis=0).T))]
    t = np.arange(0.0, duration_s + 1e-9, 1.0 / MAZE_FPS)
    s = t / duration_s * seg[-1]
    return np.column_stack([np.interp(s, seg, xy[:, 0]), np.interp(s, seg, xy[:, 1])])


def _in_pool(rng: np.random.Generator, radius: float = POOL_RADIUS - 5) -> np.ndarray:
    r, a = radius * np.sqrt(rng.random()), rng.uniform(0, 2 * np.pi)
    return np.array([r * np.cos(a), r * np.sin(a)])


def _search(rng: np.random.Generator, length_cm: float, start: np.ndarray) -> list[np.ndarray]:
    """Search waypoints away from the platform until about ``length_cm`` of path."""
    points, total = [start], 0.0
    while total < length_cm:
        p = _in_pool(rng)
        if np.hypot(*(p - GOAL_XY)) < 3 * GOAL_RADIUS:
            continue
        total += float(np.hypot(*(p - points[-1])))
        points.append(p)
    return points


def write_water_maze(
    out: Path, entry: dict[str, Any], units: list[DemoUnit], rng: np.random.Generator
) -> None:
    """Morris water maze: 3 acquisition days of 2 trials (60 s cut-off) and a 60 s probe
    (a short demo protocol: real ones run 4-5 days of 4 trials).

    Escape latency falls with the days at a rate set by the unit's memory (sham: from 60 s to
    about 20 s; the insult: to about 45 s); in the probe the share of waypoints near the former
    platform rises with memory. Tracks: ``time_s, x, y`` in cm, pool centred at (0, 0).
    """
    folder = out / entry["files"][0].rsplit("/", 1)[0]
    folder.mkdir(parents=True, exist_ok=True)
    starts = [np.array([0.0, -70.0]), np.array([-70.0, 0.0]), np.array([0.0, 70.0])]
    trials = []
    for u in units:
        rate = max(between(u.protection, 0.18, 0.6), 0.02)
        for day in range(1, MAZE_DAYS + 1):
            for trial in range(1, TRIALS_PER_DAY + 1):
                latency = 60.0 * np.exp(-rate * (day - 1)) * float(np.exp(rng.normal(0, 0.18)))
                start = starts[int(rng.integers(len(starts)))]
                if latency >= TRIAL_MAX_S:  # not found: searched until the cut-off
                    pts = _search(rng, SWIM_SPEED * TRIAL_MAX_S, start)
                    xy, duration = _sample(pts, TRIAL_MAX_S), TRIAL_MAX_S
                else:
                    duration = max(latency, 4.0)
                    direct = float(np.hypot(*(start - GOAL_XY)))
                    pts = _search(rng, max(SWIM_SPEED * duration - direct, 0.0), start)
                    xy = _sample([*pts, np.array(GOAL_XY)], duration)
                name = f"{u.id}_d{day}_t{trial}.csv"
                _write_track(folder / name, xy)
                trials.append((name, u.id, day, trial, "false"))
        memory = between(u.protection, 0.1, 0.55)
        pts = [starts[0]]
        while len(pts) < 24:
            near = rng.random() < memory
            pts.append(np.array(GOAL_XY) + rng.normal(0, 10, 2) if near else _in_pool(rng))
        name = f"{u.id}_probe.csv"
        _write_track(folder / name, _sample(pts, PROBE_S))
        trials.append((name, u.id, MAZE_DAYS + 1, 1, "true"))
    _csv(
        pd.DataFrame(trials, columns=["file", "animal_id", "day", "trial", "probe"]),
        out / entry["params"]["trials"],
    )
    (out / entry["params"]["arena"]).write_text(
        f"type: water_maze\npool: {{x: 0, y: 0, radius: {POOL_RADIUS:g}}}\n"
        f"goal: {{x: {GOAL_XY[0]:g}, y: {GOAL_XY[1]:g}, radius: {GOAL_RADIUS:g}}}\n",
        encoding="utf-8",
    )


def _write_track(path: Path, xy: np.ndarray) -> None:
    t = np.arange(len(xy)) / MAZE_FPS
    _csv(pd.DataFrame({"time_s": t, "x": xy[:, 0], "y": xy[:, 1]}), path)
