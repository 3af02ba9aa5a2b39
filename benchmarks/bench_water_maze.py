"""Water maze throughput: all 1,096 Gehring et al. (2015) tracks, metrics + Gehring strategies.

Run: ``.venv/bin/python benchmarks/bench_water_maze.py [DATA_DIR] [--earlier REV] [--loop]``
(default ``../shared/data/behavior/gehring2015_mwm``). One row per hot path, each beside the
limit measured in the same run and the earlier implementation:

- the CLI as whole processes (``behavior water-maze --scheme gehring2015 --json``, one process per
  arena: set 1-2 and set 3), against the same bytes read from disk and parsed by pyarrow (the
  physical limit of reading) and against the CLI of revision ``--earlier`` (run from its ``src``,
  extracted with ``git archive``; issue 16's goal: <= 2.5 s here, unloaded);
- reading the 1,096 files in process (the batch fast path) against the pyarrow limit and the
  per-file readers (``read_many_tracks(fast=False)``);
- metrics + Gehring strategies in process against numpy's one-pass share on the same arrays.

``--loop`` adds the older comparison of the vectorised code with a plain per-trial pandas loop
(after checking the two agree). Single-threaded BLAS/FFT. The 12 'problem' tracks lie partly
outside the pool, so the arena check is switched off in process (the CLI skips them).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from importlib import resources  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _table import print_rows, write_rows  # noqa: E402

from neuroprotect.behavior.arena import ArenaWaterMaze, load_arena  # noqa: E402
from neuroprotect.behavior.readers import read_many_tracks  # noqa: E402
from neuroprotect.behavior.strategies import (  # noqa: E402
    classify_garthe2009,
    classify_gehring2015,
    load_gehring_model,
)
from neuroprotect.behavior.strategies.gehring2015 import predict_proba  # noqa: E402
from neuroprotect.behavior.water_maze import compute_water_maze_metrics  # noqa: E402

BIN = Path(sys.executable).parent
#: The revision before the fast track path (issue 16): the "earlier" column.
EARLIER = "15b246f"
DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "behavior" / "gehring2015_mwm"


def _arena(name: str) -> ArenaWaterMaze:
    arena = load_arena(
        str(resources.files("neuroprotect.behavior.strategies").joinpath("data", name))
    )
    assert isinstance(arena, ArenaWaterMaze)
    return arena


# --- baseline: a plain per-trial pandas implementation ------------------------------------------
def baseline_envelope(tracks: pd.DataFrame, arena: ArenaWaterMaze) -> np.ndarray:
    """Wall envelope of a batch: 99th percentile ('lower') of r per 10-degree sector (sectors with
    >= 20 samples), circular median of 3; with >= 30 such sectors its shape (over the median,
    clipped to 0.8-1.6) times max(median, 1), else max(envelope, 1)."""
    u = (tracks["x_cm"].to_numpy() - arena.pool.x) / arena.pool.radius
    v = (tracks["y_cm"].to_numpy() - arena.pool.y) / arena.pool.radius
    r = np.hypot(u, v)
    sector = np.floor((np.arctan2(v, u) + np.pi) / (2 * np.pi) * 36).astype(int) % 36
    env = np.full(36, np.nan)
    for k in range(36):
        rk = r[sector == k]
        if rk.size >= 20:
            env[k] = np.quantile(rk, 0.99, method="lower")
    smooth = np.full(36, np.nan)
    for k in range(36):
        w = [x for x in (env[k - 1], env[k], env[(k + 1) % 36]) if np.isfinite(x)]
        if w:
            smooth[k] = np.median(w)
    ok = np.isfinite(smooth)
    if ok.sum() < 30:
        return np.maximum(np.where(ok, smooth, 1.0), 1.0)
    level = np.median(smooth[ok])
    return np.clip(np.where(ok, smooth / level, 1.0), 0.8, 1.6) * max(level, 1.0)


def baseline_trial(
    df: pd.DataFrame, arena: ArenaWaterMaze, model: dict, envelope: np.ndarray
) -> dict:
    pool, goal = arena.pool, arena.goal
    assert goal is not None
    u = (df["x_cm"] - pool.x) / pool.radius
    v = (df["y_cm"] - pool.y) / pool.radius
    s = pool.radius * arena.cm_per_unit
    gx, gy, gr = (
        (goal.x - pool.x) / pool.radius,
        (goal.y - pool.y) / pool.radius,
        goal.radius / pool.radius,
    )
    t = df["time_s"]
    dt = t.diff()
    step = np.hypot(u.diff(), v.diff())
    gap = dt > 1.5 * dt.median()
    step[gap] = 0.0
    d = np.hypot(u - gx, v - gy)
    r = np.hypot(u, v)
    inside = d <= gr
    latency = (t[inside].iloc[0] - t.iloc[0]) if inside.any() else arena.trial_length_s
    vel = (step / dt)[(dt > 0) & ~gap] * s
    phi = np.arctan2(gx, gy)
    rel = np.mod(np.arctan2(u, v) - phi + np.pi, 2 * np.pi) - np.pi
    out = {
        "path_length_cm": step.sum() * s,
        "escape_latency_s": latency,
        "median_speed_cm_s": vel.median(),
        "mean_distance_to_goal_cm": d.mean() * s,
        "time_in_target_quadrant_pct": 100 * (rel.abs() < np.pi / 4).mean(),
        "time_in_wall_zone_pct": 100 * (r >= 0.8).mean(),
        "goal_crossings": int(np.ceil((inside.astype(int).diff().abs() == 1).sum() / 2)),
    }
    # Garthe features (subset that drives the rules)
    ax, ay = gx - u, gy - v
    bx, by = u.shift(-1) - u, v.shift(-1) - v
    cosang = (ax * bx + ay * by) / (np.hypot(ax, ay) * np.hypot(bx, by))
    alpha = np.degrees(np.arccos(cosang.clip(-1, 1)))
    alpha = alpha[~gap.shift(-1, fill_value=False)].dropna()  # no angle across a gap
    out["meanalpha"] = alpha.mean()
    out["dtCENTER"] = r.mean()
    # Gehring segments: pool frame (wall envelope of the batch), then a Python loop over segments
    # of 250 cm every 25 cm
    env = envelope  # per 10-degree sector, from baseline_envelope over the whole batch
    centres = -np.pi + (np.arange(env.size) + 0.5) * 2 * np.pi / env.size
    edge = np.interp(np.arctan2(v, u), centres, env, period=2 * np.pi)
    rho = np.hypot(u, v)
    c0 = np.quantile(env, 0.1)  # scale at the centre: the 10th percentile of the envelope
    rt = rho / (c0 * (1 + (edge / c0 - 1) * np.minimum(rho / edge, 1) ** 2))
    fu, fv = u * rt / np.maximum(rho, 1e-12), v * rt / np.maximum(rho, 1e-12)
    rg = np.hypot(gx, gy)
    eg = np.interp(np.arctan2(gy, gx), centres, env, period=2 * np.pi)
    k = 1 / (c0 * (1 + (eg / c0 - 1) * min(rg / eg, 1) ** 2))
    fgx, fgy, fgr = gx * k, gy * k, gr * k
    fstep = np.hypot(fu.diff(), fv.diff())
    fstep[gap] = 0.0
    cum = fstep.fillna(0).cumsum() * s
    fr = np.hypot(fu, fv)
    cu, cv = fu / np.maximum(fr, 1), fv / np.maximum(fr, 1)  # clipped to the pool
    cr, cd = np.hypot(cu, cv), np.hypot(cu - fgx, cv - fgy)
    cstep = np.hypot(cu.diff(), cv.diff())
    cstep[gap] = 0.0
    total = cum.iloc[-1]
    nseg = int(np.floor((total - 250) / 25 + 1e-9)) + 1 if total >= 250 else 1
    feats = []
    for k in range(nseg):
        i0 = int(np.searchsorted(cum.to_numpy(), k * 25 - 1e-4))
        i1 = min(int(np.searchsorted(cum.to_numpy(), cum.iloc[i0] + 250 - 1e-4)), len(df) - 1)
        su, sv = cu.iloc[i0 : i1 + 1], cv.iloc[i0 : i1 + 1]
        sr, sd = cr.iloc[i0 : i1 + 1], cd.iloc[i0 : i1 + 1]
        cx, cy = su.mean(), sv.mean()
        cov = np.cov(np.vstack([su, sv]), bias=True)
        lam = np.linalg.eigvalsh(cov)
        steps = cstep.iloc[i0 + 1 : i1 + 1].to_numpy()
        moved = steps > 0  # headings of non-zero steps only
        h = np.where(moved, np.arctan2(sv.diff().iloc[1:], su.diff().iloc[1:]), np.nan)
        turn = np.angle(np.exp(1j * np.diff(h)))
        turn = turn[np.isfinite(turn)]
        length = max(steps.sum(), 1e-9)
        # angle at each sample between the step taken and the direction to the goal
        ax_, ay_ = fgx - su.iloc[:-1].to_numpy(), fgy - sv.iloc[:-1].to_numpy()
        bx_, by_ = np.diff(su.to_numpy()), np.diff(sv.to_numpy())
        with np.errstate(invalid="ignore", divide="ignore"):
            c = (ax_ * bx_ + ay_ * by_) / (np.hypot(ax_, ay_) * np.hypot(bx_, by_))
        ang = np.degrees(np.arccos(np.clip(c, -1, 1)))[moved & np.isfinite(c)]
        d0 = np.hypot(su.iloc[0] - fgx, sv.iloc[0] - fgy)
        d1 = np.hypot(su.iloc[-1] - fgx, sv.iloc[-1] - fgy)
        feats.append(
            [
                sr.mean(),
                sr.std(ddof=0),
                sd.mean(),
                sd.min(),
                (sd <= 3 * fgr).mean(),
                np.hypot(cx, cy),
                np.hypot(cx - fgx, cy - fgy),
                np.hypot(su - cx, sv - cy).mean(),
                np.sqrt(1 - lam[0] / lam[1]) if lam[1] > 0 else 0.0,
                (sr >= 0.8).mean(),
                (np.abs(sr - np.hypot(fgx, fgy)) <= fgr).mean(),
                np.mean(ang) / 180 if ang.size else 0.5,
                np.hypot(su.iloc[-1] - su.iloc[0], sv.iloc[-1] - sv.iloc[0]) / length,
                np.abs(turn).sum() / (2 * np.pi) / length,
                abs(turn[np.abs(turn) <= np.pi - 1e-6].sum()) / (2 * np.pi) / length,
                (d0 - d1) / length,
            ]
        )
    proba = predict_proba(np.nan_to_num(np.array(feats)), model)
    out["n_segments"] = nseg
    out["segment_strategy_first"] = model["classes"][int(proba[0].argmax())]
    return out


def loop_comparison(data_dir: Path) -> None:
    """The vectorised code against the per-trial pandas loop (``--loop``), after checking they agree."""
    files = sorted(p for p in data_dir.rglob("*.csv") if p.name.startswith("day"))
    t0 = time.perf_counter()
    tracks, meta = read_many_tracks(files)
    t_read = time.perf_counter() - t0
    is_set3 = meta["source_file"].str.contains("/set3/").to_numpy()
    parts = {
        "set1-2": (
            tracks[tracks.trial_id.isin(meta.trial_id[~is_set3])],
            _arena("gehring2015_set12.yaml"),
        ),
        "set3": (
            tracks[tracks.trial_id.isin(meta.trial_id[is_set3])],
            _arena("gehring2015_set3.yaml"),
        ),
    }
    model = load_gehring_model()
    n = len(meta)
    print(f"{n} tracks, {len(tracks)} samples; reading: {t_read:.2f} s")

    t0 = time.perf_counter()
    fast = {}
    for name, (tr, arena) in parts.items():
        m = compute_water_maze_metrics(tr, arena=arena, check_arena=False)
        g = classify_garthe2009(tr, arena=arena, check_arena=False)
        s = classify_gehring2015(tr, arena=arena, check_arena=False, model=model)
        fast[name] = (m, g, s)
    t_fast = time.perf_counter() - t0

    t0 = time.perf_counter()
    slow = []
    for _name, (tr, arena) in parts.items():
        env = baseline_envelope(tr, arena)
        for tid, df in tr.groupby("trial_id", sort=False):
            row = baseline_trial(df.reset_index(drop=True), arena, model, env)
            slow.append({"trial_id": tid, **row})
    t_slow = time.perf_counter() - t0
    slow_df = pd.DataFrame(slow).set_index("trial_id")

    print(f"vectorised {t_fast:.2f} s, baseline {t_slow:.2f} s", flush=True)
    metrics = pd.concat([fast[k][0] for k in fast]).set_index("trial_id")
    garthe = pd.concat([fast[k][1] for k in fast]).set_index("trial_id")
    segs = pd.concat([fast[k][2] for k in fast])
    for col in (
        "path_length_cm",
        "escape_latency_s",
        "median_speed_cm_s",
        "mean_distance_to_goal_cm",
        "time_in_target_quadrant_pct",
        "time_in_wall_zone_pct",
        "goal_crossings",
    ):
        np.testing.assert_allclose(
            metrics.loc[slow_df.index, col], slow_df[col], rtol=1e-9, atol=1e-9, err_msg=col
        )
    np.testing.assert_allclose(
        garthe.loc[slow_df.index, "meanalpha"], slow_df["meanalpha"], rtol=1e-9
    )
    nseg = segs.groupby("trial_id").size()
    assert (nseg.loc[slow_df.index] == slow_df["n_segments"]).all()
    first = segs[segs.segment == 0].set_index("trial_id")["best_guess"]
    agree = (first.loc[slow_df.index] == slow_df["segment_strategy_first"]).mean()
    print(
        f"baseline and vectorised agree (metrics to 1e-9; first-segment class {100 * agree:.1f}%)"
    )
    print(f"{len(segs)} Gehring segments")
    print(f"{'implementation':<32}{'seconds':>10}{'trials/s':>12}")
    print(f"{'vectorised (numpy/pandas)':<32}{t_fast:>10.2f}{n / t_fast:>12.0f}")
    print(f"{'per-trial pandas loop':<32}{t_slow:>10.2f}{n / t_slow:>12.0f}")
    print(f"speed-up: {t_slow / t_fast:.1f}x; vectorised incl. reading: {t_read + t_fast:.2f} s")


# --- the limit: the same bytes read from disk and parsed by pyarrow ------------------------------
def pyarrow_limit(files: list[Path]) -> float | None:
    """Seconds to read every file and parse its sample rows (time, x, y as float) with pyarrow.

    The sample rows of all files are joined and parsed by one multi-threaded ``pyarrow.csv`` call
    (the header lines are found with ``bytes.find``): what reading these files cannot beat.
    None when pyarrow is not installed (it comes with the ``dev`` extra).
    """
    try:
        import pyarrow as pa
        from pyarrow import csv as pacsv
    except ImportError:
        return None
    pa.BufferReader(b"")  # imports and set-up outside the timing
    t0 = time.perf_counter()
    groups: dict[bytes, list[bytes]] = {}  # sample rows by column header (it varies by set)
    for p in files:
        raw = p.read_bytes()
        i = raw.find(b"\nSample no.") + 1
        j = raw.find(b"\n", i) + 1
        groups.setdefault(raw[i:j], []).append(raw[j:])
    rows = 0
    for header, bodies in groups.items():
        names = [c.strip() for c in header.decode("latin-1").strip().split(",")]
        table = pacsv.read_csv(
            pa.BufferReader(b"".join(bodies)),
            read_options=pacsv.ReadOptions(column_names=names),
            convert_options=pacsv.ConvertOptions(
                include_columns=["Time", "X", "Y"],
                column_types={c: pa.float64() for c in ("Time", "X", "Y")},
                null_values=["-", "", "NA"],
            ),
        )
        rows += table.num_rows
    assert rows > 0
    return time.perf_counter() - t0


def numpy_limit(tracks: pd.DataFrame) -> float:
    """Seconds for numpy's share of the analysis on the same arrays: step lengths, distance to a
    point and per-trial sums (one pass each) — the floor under any per-trial metric."""
    x, y = tracks["x_cm"].to_numpy(), tracks["y_cm"].to_numpy()
    codes = pd.factorize(tracks["trial_id"])[0]
    t0 = time.perf_counter()
    step = np.hypot(np.diff(x, prepend=x[0]), np.diff(y, prepend=y[0]))
    dist = np.hypot(x - 100.0, y - 100.0)
    np.bincount(codes, weights=step)
    np.bincount(codes, weights=dist)
    return time.perf_counter() - t0


def _cli(files: list[Path], arena: str, src: Path | None = None) -> float:
    """Wall seconds of ``neuroprotect behavior water-maze`` as a whole process (``src``: run the
    code in that source tree instead, e.g. an earlier revision)."""
    env = dict(os.environ)
    cmd = [str(BIN / "neuroprotect")]
    if src is not None:
        env["PYTHONPATH"] = str(src)
        cmd = [sys.executable, "-m", "neuroprotect.cli.main"]
    arena_file = resources.files("neuroprotect.behavior.strategies").joinpath("data", arena)
    cmd += ["behavior", "water-maze", *map(str, files), "--arena", str(arena_file)]
    cmd += ["--scheme", "gehring2015", "--json"]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} ... failed: {out.stderr.decode()[-300:]}")
    return wall


def earlier_source(rev: str) -> Path | None:
    """``src`` of an earlier revision of this repository, extracted to a temporary folder."""
    repo = Path(__file__).resolve().parents[1]
    dest = Path(tempfile.mkdtemp(prefix="np-earlier-"))
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", rev, "src"], capture_output=True, check=False
    )
    if archive.returncode != 0:
        return None
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest / "src"


def rows(data_dir: Path = DEFAULT, earlier_rev: str | None = EARLIER) -> list[dict]:
    """One row per hot path: seconds, the limit measured in the same run, the earlier version."""
    files = sorted(p for p in data_dir.rglob("*.csv") if p.name.startswith("day"))
    sets = {
        "gehring2015_set12.yaml": [p for p in files if p.parent.name != "set3"],
        "gehring2015_set3.yaml": [p for p in files if p.parent.name == "set3"],
    }
    n = len(files)
    limit_read = pyarrow_limit(files)  # also warms the file cache
    t0 = time.perf_counter()
    tracks, meta = read_many_tracks(files)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    read_many_tracks(files, fast=False)
    t_read_old = time.perf_counter() - t0
    t0 = time.perf_counter()
    is_set3 = meta["source_file"].str.contains("/set3/").to_numpy()
    model = load_gehring_model()
    for arena_name, ids in (
        ("gehring2015_set12.yaml", meta.trial_id[~is_set3]),
        ("gehring2015_set3.yaml", meta.trial_id[is_set3]),
    ):
        tr, arena = tracks[tracks.trial_id.isin(ids)], _arena(arena_name)
        compute_water_maze_metrics(tr, arena=arena, check_arena=False)
        classify_gehring2015(tr, arena=arena, check_arena=False, model=model)
    t_analyse = time.perf_counter() - t0
    limit_numpy = numpy_limit(tracks)
    t_cli = sum(_cli(fs, arena) for arena, fs in sets.items())
    src = earlier_source(earlier_rev) if earlier_rev else None
    t_cli_old = sum(_cli(fs, arena, src) for arena, fs in sets.items()) if src else None
    return [
        {
            "hot path": f"water-maze CLI, {n} tracks (processes)",
            "seconds": t_cli,
            "limit": "pyarrow read+parse",
            "limit_s": limit_read,
            "earlier": f"CLI at {earlier_rev}" if src else None,
            "earlier_s": t_cli_old,
        },
        {
            "hot path": f"read {n} track files",
            "seconds": t_read,
            "limit": "pyarrow read+parse",
            "limit_s": limit_read,
            "earlier": "per-file readers",
            "earlier_s": t_read_old,
        },
        {
            "hot path": f"metrics + Gehring strategies, {n} trials",
            "seconds": t_analyse,
            "limit": "numpy on the arrays",
            "limit_s": limit_numpy,
            "earlier_s": None,
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument(
        "--earlier", default=EARLIER, help="git revision to compare with ('' = none)"
    )
    parser.add_argument("--loop", action="store_true", help="also the per-trial pandas loop")
    parser.add_argument(
        "--json", type=Path, help="write the rows to this file (benchmarks/run_all.py)"
    )
    args = parser.parse_args()
    if not args.data_dir.is_dir():
        raise SystemExit(f"no Gehring tracks at {args.data_dir}")
    table = rows(args.data_dir, args.earlier or None)
    write_rows(table, args.json)
    print_rows(table)
    if args.loop:
        loop_comparison(args.data_dir)


if __name__ == "__main__":
    main()
