"""``neuroprotect behavior``: water maze metrics and search strategies from tracking files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from neuroprotect.cli._common import (
    batch_json,
    new_batch,
    note_skipped,
    print_json,
    strict_option,
    user_errors,
)
from neuroprotect.cli._track_options import (
    FILES_HELP,
    FORMAT_HELP,
    body_option,
    max_jump_option,
    min_likelihood_option,
    pose_options,
)

if TYPE_CHECKING:
    import pandas as pd


app = typer.Typer(
    name="behavior",
    help="Video tracking, water maze, strategies, Y-maze, open field, passive avoidance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ARENA_HELP = "Arena file: YAML (type: water_maze, pool, goal, old_goal, cm_per_unit) or an Rtrack arena .txt."


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", double_precision=15))


def _load(
    files: list[Path], arena_path: Path, fmt: str, pose: Any, batch: Any
) -> tuple[Any, pd.DataFrame, pd.DataFrame]:
    """The arena (its errors stop everything) and the tracks of the files and trials that can be
    analysed (the others are skipped into ``batch``; all skipped is an error)."""
    from neuroprotect.behavior.arena import ArenaWaterMaze, load_arena
    from neuroprotect.behavior.readers import read_many_tracks
    from neuroprotect.behavior.track_checks import usable_trials
    from neuroprotect.errors import InputError

    arena = load_arena(arena_path)
    if not isinstance(arena, ArenaWaterMaze):
        raise InputError(
            f"Expected a water_maze arena, but got type {arena.type!r}", file=arena_path
        )
    tracks, meta = read_many_tracks(files, format=fmt, pose=pose, batch=batch)
    tracks, meta = usable_trials(tracks, meta, batch=batch, arena=arena)
    batch.finish(what="trials")
    return arena, tracks, meta


@app.command("water-maze")
def water_maze(
    files: list[Path] = typer.Argument(..., help=FILES_HELP),
    arena: Path = typer.Option(..., "--arena", help=ARENA_HELP),
    fmt: str = typer.Option("auto", "--format", help=FORMAT_HELP),
    fps: float | None = typer.Option(None, "--fps", help="Frame rate of DeepLabCut/SLEAP files."),
    body: str | None = body_option(),
    min_likelihood: float = min_likelihood_option(),
    max_jump_px: float = max_jump_option(),
    trial_length: float | None = typer.Option(
        None,
        "--trial-length",
        help="Cut-off (s) at which unreached trials are censored (default: arena's trial_length_s, else the trial's duration).",
    ),
    scheme: str = typer.Option(
        "garthe2009", "--scheme", help="Strategy per trial: garthe2009, gehring2015 or none."
    ),
    as_json: bool = typer.Option(
        False,
        "--json",
        help='Print JSON: {"rows": [...] (one per trial), "skipped": [{"file", "reason"}]}.',
    ),
    plot_dir: Path | None = typer.Option(
        None,
        "--plot-dir",
        help="Also write swim_paths.png (up to 24 trials) and occupancy.png here.",
    ),
    strict: bool = strict_option(),
) -> None:
    """Per-trial water maze metrics and a search strategy per trial.

    Escape latency, path length, speed, proximity, heading error, quadrant and zone times,
    crossings and entropy. A file or trial that cannot be analysed (unreadable, no or too few
    samples, outside the pool) is skipped with a warning and listed in the JSON's "skipped";
    --strict refuses the batch instead. Exit code 2 when nothing could be analysed.

    Example: neuroprotect behavior water-maze day1/*.csv --arena arena.yaml --json
    """
    from neuroprotect.behavior.water_maze_trials import analyse_water_maze_trials

    batch = new_batch(strict, global_fields=("format",))
    with user_errors():
        pose = pose_options(fps, body, min_likelihood, max_jump_px)
        arena_obj, tracks, meta = _load(files, arena, fmt, pose, batch)
        table = analyse_water_maze_trials(
            tracks, meta, arena=arena_obj, trial_length_s=trial_length, scheme=scheme
        )
        info = meta.set_index("trial_id")
        for col in ("format", "dropped_fraction"):  # the input facts, as open-field/y-maze give
            if col in info:
                table[col] = table.trial_id.map(info[col])
    if plot_dir is not None:
        from neuroprotect.behavior.plots import plot_occupancy, plot_swim_paths
        from neuroprotect.cli._common import output_dir, save_figure

        output_dir(plot_dir)
        save_figure(plot_swim_paths(tracks, arena=arena_obj), plot_dir / "swim_paths.png")
        save_figure(plot_occupancy(tracks, arena=arena_obj), plot_dir / "occupancy.png")
    if as_json:
        print_json(batch_json(_records(table), batch))
        return
    cols = [
        "trial_id",
        "escape_latency_s",
        "goal_reached",
        "path_length_cm",
        "mean_speed_cm_s",
        "mean_distance_to_goal_cm",
        "time_in_target_quadrant_pct",
        "strategy",
    ]
    typer.echo(table[cols].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    note_skipped(batch, what="trials")
    missing = int(table.n_missing.sum())
    if missing:
        typer.echo(
            f"note: {missing} missing samples dropped (not interpolated); see n_missing", err=True
        )


@app.command("strategies")
def strategies(
    files: list[Path] = typer.Argument(..., help=FILES_HELP),
    arena: Path = typer.Option(..., "--arena", help=ARENA_HELP),
    scheme: str = typer.Option(
        "garthe2009",
        "--scheme",
        help="garthe2009 (rules, per trial) or gehring2015 (model, per segment).",
    ),
    segment_length_cm: float = typer.Option(
        250.0, "--segment-length-cm", help="Gehring segment length (cm)."
    ),
    overlap: float = typer.Option(0.9, "--overlap", help="Gehring segment overlap (0-1)."),
    fmt: str = typer.Option("auto", "--format", help=FORMAT_HELP),
    fps: float | None = typer.Option(None, "--fps", help="Frame rate of DeepLabCut/SLEAP files."),
    body: str | None = body_option(),
    min_likelihood: float = min_likelihood_option(),
    max_jump_px: float = max_jump_option(),
    as_json: bool = typer.Option(
        False, "--json", help='Print JSON: {"rows": [...], "skipped": [{"file", "reason"}]}.'
    ),
    strict: bool = strict_option(),
) -> None:
    """Water maze search strategies (Garthe 2009 per trial, or Gehring 2015 per path segment).

    Garthe et al. 2009 rules per trial, or Gehring et al. 2015 classes per overlapping path
    segment (codes TT, IC, SS, SC, FS, SO, CR, ST; "unclassified" when the model's probability
    of its best guess, shown in best_guess and confidence, is below 0.4). The Gehring features
    adapt to the pool as recorded in all the files given together: pass one rig's trials at once.
    A file or trial that cannot be analysed (unreadable, no or too few samples, outside the pool)
    is skipped with a warning and listed in the JSON's "skipped"; --strict refuses the batch
    instead. Exit code 2 when nothing could be analysed.

    Example: neuroprotect behavior strategies set1/*.csv --arena arena.yaml --scheme gehring2015 --json
    """
    from neuroprotect.behavior.water_maze_trials import classify_strategies

    batch = new_batch(strict, global_fields=("format",))
    with user_errors():
        pose = pose_options(fps, body, min_likelihood, max_jump_px)
        arena_obj, tracks, meta = _load(files, arena, fmt, pose, batch)
        rows = classify_strategies(
            tracks,
            arena=arena_obj,
            scheme=scheme,
            segment_length_cm=segment_length_cm,
            overlap=overlap,
            meta=meta,
        )
        rows.insert(1, "source_file", rows.trial_id.map(meta.set_index("trial_id")["source_file"]))
        rows = rows[
            [
                "trial_id",
                "source_file",
                "segment",
                "offset_cm",
                "length_cm",
                "strategy",
                "best_guess",
                "confidence",
            ]
        ]
    if as_json:
        print_json(batch_json(_records(rows), batch))
        return
    typer.echo(rows.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    note_skipped(batch, what="trials")
