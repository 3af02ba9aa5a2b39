"""``neuroprotect behavior y-maze | open-field | passive-avoidance``.

Track files are read as the documented generic track CSV (``time_s, x, y`` [, ``trial_id``]).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from neuroprotect.cli._common import (
    batch_json,
    new_batch,
    note_skipped,
    print_json,
    strict_option,
    user_errors,
)
from neuroprotect.errors import InputError

app = typer.Typer(
    help="Behaviour readouts from tracks and latency tables.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _clean(value: Any) -> Any:
    """JSON-friendly scalars: NaN -> None, numpy -> Python."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _rows(df: Any) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in r.items()} for r in df.to_dict("records")]


def _fmt(value: Any) -> str:
    value = _clean(value)
    if value is None:
        return "NA"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _read_tracks(files: list[Path], cm_per_unit: float, batch: Any) -> list[tuple[Path, Any]]:
    """The files that can be read, each with its tracks; the others are skipped into ``batch``."""
    from neuroprotect.behavior.readers.generic import read_generic_csv
    from neuroprotect.behavior.track_checks import check_track_samples

    out = []
    for f in files:
        with batch.item(f, count=False):
            tracks = read_generic_csv(f, cm_per_unit=cm_per_unit)
            check_track_samples(tracks, file=f)
            out.append((f, tracks))
    return out


def _trials(tracks: Any) -> list[tuple[str, Any]]:
    """One (trial id, track) per trial of a file, in file order."""
    return [(str(t), tracks[tracks["trial_id"] == t]) for t in tracks["trial_id"].unique()]


@app.command("y-maze")
def y_maze(
    files: list[Path] = typer.Argument(None, help="Track files (generic CSV), one or more."),
    sequence: list[str] = typer.Option(
        [],
        "--sequence",
        help="A recorded arm-entry sequence, e.g. ABCAB or '3 2 3 1' (repeatable).",
    ),
    arms: Path | None = typer.Option(
        None, "--arms", help="YAML with the arm polygons (needed with track files)."
    ),
    entry_depth: float = typer.Option(
        5.0, "--entry-depth", help="cm past an arm's entrance that make an entry (hysteresis)."
    ),
    start_arm: bool = typer.Option(
        True, "--start-arm/--no-start-arm", help="Count the arm occupied at the start as an entry."
    ),
    collapse_repeats: bool = typer.Option(
        False, "--collapse-repeats", help="Merge immediate re-entries into the same arm."
    ),
    cm_per_unit: float = typer.Option(1.0, "--cm-per-unit", help="cm per track unit."),
    as_json: bool = typer.Option(
        False, "--json", help='Print JSON: {"rows": [...], "skipped": [{"file", "reason"}]}.'
    ),
    strict: bool = strict_option(),
) -> None:
    """Spontaneous alternation: alternations / (entries - 2) x 100, per session.

    A track file or trial that cannot be analysed is skipped with a warning and listed in the
    JSON's "skipped"; --strict refuses the batch instead.

    Example: neuroprotect behavior y-maze --sequence ABCACBAB --json
    """
    from neuroprotect.behavior.readers.zones import read_y_maze_arms
    from neuroprotect.behavior.y_maze import compute_y_maze, score_alternation

    out: list[dict[str, Any]] = []
    batch = new_batch(strict, global_fields=("entry_depth_cm",))
    with user_errors():
        if not files and not sequence:
            raise InputError("Expected track files (with --arms) or --sequence, but got neither")
        for i, seq in enumerate(sequence, start=1):
            try:
                res = score_alternation(seq, collapse_repeats=collapse_repeats)
            except InputError as exc:
                raise InputError(exc.message, field=f"--sequence {i}") from None
            out.append({"session": f"sequence {i}", "source_file": None, **res})
        if files:
            if arms is None:
                raise InputError("Expected --arms ARMS.yaml with track files, but got none")
            polygons, centre = read_y_maze_arms(arms)
            for path, tracks in _read_tracks(files, cm_per_unit, batch):
                for trial, track in _trials(tracks):
                    with batch.item(path, trial=trial if trial != path.stem else None):
                        try:
                            table = compute_y_maze(
                                track,
                                arms=polygons,
                                centre_zone=centre,
                                entry_depth_cm=entry_depth,
                                count_start_arm=start_arm,
                                collapse_repeats=collapse_repeats,
                            )
                        except InputError as exc:
                            if exc.field in batch.global_fields:
                                raise
                            raise InputError(exc.message, file=path, field=exc.field) from None
                        for row in _rows(table):
                            session = row.pop("trial_id")
                            out.append({"session": session, "source_file": str(path), **row})
            if not sequence:
                batch.finish(what="track files or trials")
            else:  # the sequences were analysed: skipped track files are warnings only
                batch.analysed += len(sequence)
                batch.finish()
    out = [{k: _clean(v) for k, v in r.items()} for r in out]
    if as_json:
        print_json(batch_json(out, batch))
        return
    for r in out:
        typer.echo(
            f"{r['session']}: {r['entries']} entries, {r['alternations']} alternations, "
            f"SA = {_fmt(r['spontaneous_alternation_pct'])} % ({r['sequence']})"
        )
    note_skipped(batch, what="track files or trials")


def _parse_bounds(text: str) -> dict[str, tuple[float, ...]]:
    try:
        values = tuple(float(v) for v in text.replace(";", ",").split(","))
    except ValueError:
        values = ()
    if len(values) == 4:
        return {"rectangle": values}
    if len(values) == 3:
        return {"circle": values}
    raise InputError(
        f"Expected --bounds 'x_min,y_min,x_max,y_max' (rectangle) or 'x,y,radius' (circle), "
        f"but got {text!r}",
        field="--bounds",
    )


@app.command("open-field")
def open_field(
    files: list[Path] = typer.Argument(..., help="Track files (generic CSV)."),
    bounds: str = typer.Option(
        ...,
        "--bounds",
        help="Arena in cm: 'x_min,y_min,x_max,y_max' (rectangle) or 'x,y,radius' (circle).",
    ),
    centre_fraction: float = typer.Option(
        0.25, "--centre-fraction", help="Centre zone area as a fraction of the arena."
    ),
    mobility_threshold: float = typer.Option(
        2.0, "--mobility-threshold", help="Speed (cm/s) above which a step is mobile."
    ),
    min_bout: float = typer.Option(
        1.0, "--min-bout", help="Shortest mobile bout (s) that counts as mobile time."
    ),
    bin_s: float | None = typer.Option(
        None, "--bin", help="Also report distance per time bin of this many seconds."
    ),
    cm_per_unit: float = typer.Option(1.0, "--cm-per-unit", help="cm per track unit."),
    as_json: bool = typer.Option(
        False, "--json", help='Print JSON: {"rows": [...], "skipped": [{"file", "reason"}]}.'
    ),
    strict: bool = strict_option(),
) -> None:
    """Distance, mean speed, time mobile, time in the centre (and distance per time bin).

    A track file or trial that cannot be analysed (unreadable, no or too few samples, outside
    the arena) is skipped with a warning and listed in the JSON's "skipped"; --strict refuses the
    batch instead. Exit code 2 when nothing could be analysed.

    Example: neuroprotect behavior open-field rat1.csv --bounds 0,0,40,40 --bin 300 --json
    """
    from neuroprotect.behavior.open_field import compute_distance_by_bin, compute_open_field

    out: list[dict[str, Any]] = []
    # option checks inside the analysis stop the whole batch, they are not about a file
    batch = new_batch(
        strict, global_fields=("centre_fraction", "mobility_threshold_cm_s", "min_bout_s", "bin_s")
    )
    with user_errors():
        arena = _parse_bounds(bounds)
        for path, tracks in _read_tracks(files, cm_per_unit, batch):
            for trial, track in _trials(tracks):
                with batch.item(path, trial=trial if trial != path.stem else None):
                    try:
                        table = compute_open_field(
                            track,
                            rectangle=arena.get("rectangle"),
                            circle=arena.get("circle"),
                            centre_fraction=centre_fraction,
                            mobility_threshold_cm_s=mobility_threshold,
                            min_bout_s=min_bout,
                        )
                        bins = compute_distance_by_bin(track, bin_s=bin_s) if bin_s else None
                    except InputError as exc:
                        if exc.field in batch.global_fields:
                            raise
                        raise InputError(exc.message, file=path, field=exc.field) from None
                    for row in _rows(table):
                        row["source_file"] = str(path)
                        if bins is not None:
                            mine = bins[bins["trial_id"] == row["trial_id"]]
                            row["bins"] = _rows(
                                mine[
                                    ["bin", "bin_start_s", "bin_end_s", "distance_cm", "tracked_s"]
                                ]
                            )
                        out.append(row)
        batch.finish(what="track files or trials")
    if as_json:
        print_json(batch_json(out, batch))
        return
    for r in out:
        typer.echo(
            f"{r['trial_id']}: {_fmt(r['distance_cm'])} cm, {_fmt(r['mean_speed_cm_s'])} cm/s, "
            f"mobile {_fmt(r['time_mobile_pct'])} %, centre {_fmt(r['time_in_centre_pct'])} %"
        )
    note_skipped(batch, what="track files or trials")


@app.command("passive-avoidance")
def passive_avoidance(
    table: Path = typer.Argument(..., help="CSV/TSV/XLSX, one row per animal."),
    cutoff: float | None = typer.Option(
        None, "--cutoff", help="Retention cut-off (s); a latency equal to it is censored."
    ),
    group: str = typer.Option(..., "--group", help="Group column."),
    control: str | None = typer.Option(
        None, "--control", help="Control group for pairwise log-rank (default: first)."
    ),
    animal: str = typer.Option("animal_id", "--animal", help="Animal id column."),
    retention: str = typer.Option(
        "retention_latency_s", "--retention", help="Retention latency column (s)."
    ),
    training: str = typer.Option(
        "training_latency_s", "--training", help="Training latency column (s), optional."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Passive avoidance: censored step-through latencies, Kaplan-Meier medians and log-rank.

    Log-rank of each group vs control (Holm). A per-animal 'cutoff_s' column overrides --cutoff.

    Example: neuroprotect behavior passive-avoidance pa.csv --cutoff 300 --group group --json
    """
    from neuroprotect.behavior.passive_avoidance import (
        analyse_passive_avoidance,
        prepare_passive_avoidance,
    )
    from neuroprotect.io.tables import Column, read_table

    with user_errors():
        cols = [Column(animal, "str"), Column(group, "str"), Column(retention, "float", min=0)]
        data = read_table(table, cols)
        records = prepare_passive_avoidance(
            data,
            cutoff_s=cutoff,
            animal=animal,
            group=group,
            training=training,
            retention=retention,
            file=table,
        )
        try:
            res = analyse_passive_avoidance(records, control=control)
        except InputError as exc:
            raise InputError(exc.message, file=table, field=exc.field or group) from None
    out = {
        "records": _rows(records),
        "logrank": {k: _clean(res["logrank"][k]) for k in ("statistic", "dof", "p_val")},
        "pairwise": _rows(
            res["pairwise"][["group", "control", "statistic", "dof", "p_val", "p_adj", "n"]]
        ),
        "medians": _rows(res["medians"]),
        "ceiling": _rows(res["ceiling"]),
        "control": res["control"],
    }
    if as_json:
        print_json(out)
        return
    lr = out["logrank"]
    typer.echo(
        f"log-rank: chi2 = {_fmt(lr['statistic'])} on {lr['dof']} df, p = {_fmt(lr['p_val'])}"
    )
    for row in out["pairwise"]:
        typer.echo(
            f"  {row['group']} vs {row['control']}: p = {_fmt(row['p_val'])}, "
            f"p_adj (Holm) = {_fmt(row['p_adj'])}"
        )
    for row in out["medians"]:
        typer.echo(
            f"  {row['group']}: median {_fmt(row['median'])} s ({_fmt(row['ci_low'])} to "
            f"{_fmt(row['ci_high'])}), n = {row['n']}, at cut-off = {row['n_censored']}"
        )
