"""``neuroprotect behavior y-maze | open-field | passive-avoidance``.

Track files are read by the registered readers (:mod:`neuroprotect.behavior.readers`) through
:func:`neuroprotect.workflows.track_sessions.read_session`, as in the study readouts.
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
from neuroprotect.cli._track_options import (
    FILES_HELP,
    body_option,
    format_option,
    fps_option,
    max_jump_option,
    min_likelihood_option,
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


def _track_input(
    fmt: str,
    fps: float | None,
    body: str | None,
    min_likelihood: float,
    max_jump_px: float,
    cm_per_unit: float,
    **arena: Any,
) -> Any:
    from neuroprotect.cli._track_options import pose_options
    from neuroprotect.workflows.track_sessions import TrackInput, keypoint_arena

    if not cm_per_unit > 0:
        raise InputError(
            f"Expected cm per unit > 0, but got {cm_per_unit!r}", field="--cm-per-unit"
        )
    return TrackInput(
        format=fmt,
        pose=pose_options(fps, body, min_likelihood, max_jump_px),
        cm_per_unit=cm_per_unit,
        arena=keypoint_arena(prefix="--", **arena),
    )


def _session_fields(session: Any, trial_id: str) -> dict[str, Any]:
    """Per-trial input facts for the JSON: format, missing samples, pose drops, the cm scale."""
    meta = session.meta.set_index("trial_id").loc[trial_id]
    out: dict[str, Any] = {
        "source_file": str(session.path),
        "format": meta["format"],
        "n_missing": int(meta["n_missing"]),
    }
    for key in ("fps", "body_point", "n_low_likelihood", "n_jumps", "dropped_fraction"):
        if key in meta and meta[key] is not None:
            out[key] = _clean(meta[key])
    out["scale"] = session.scale
    return out


def _read_sessions(files: list[Path], spec: Any, batch: Any) -> list[Any]:
    """The sessions of the files that can be read; the others are skipped into ``batch``."""
    from neuroprotect.behavior.track_checks import check_track_samples
    from neuroprotect.workflows.track_sessions import read_session

    out = []
    for f in files:
        with batch.item(f, count=False):
            session = read_session(f, spec)
            check_track_samples(session.tracks, file=f)
            out.append(session)
    return out


def _trials(tracks: Any) -> list[tuple[str, Any]]:
    """One (trial id, track) per trial of a file, in file order."""
    return [(str(t), tracks[tracks["trial_id"] == t]) for t in tracks["trial_id"].unique()]


@app.command("y-maze")
def y_maze(
    files: list[Path] = typer.Argument(None, help=FILES_HELP),
    sequence: list[str] = typer.Option(
        [],
        "--sequence",
        help="A recorded arm-entry sequence, e.g. ABCAB or '3 2 3 1' (repeatable).",
    ),
    arms: Path | None = typer.Option(
        None, "--arms", help="YAML with the arm polygons (cm), for track files without keypoints."
    ),
    arms_from_keypoints: str | None = typer.Option(
        None,
        "--arms-from-keypoints",
        help="Pose files: the arm-end keypoints LEFT,RIGHT,MIDDLE (arms A, B, C); the maze and "
        "px -> cm follow from their medians, with --arm-length-cm and --arm-width-cm.",
    ),
    arm_length_cm: float | None = typer.Option(
        None, "--arm-length-cm", help="Arm length (centre to arm end side), cm."
    ),
    arm_width_cm: float | None = typer.Option(None, "--arm-width-cm", help="Arm width, cm."),
    entry_depth: float = typer.Option(
        5.0, "--entry-depth", help="cm past an arm's entrance that make an entry (hysteresis)."
    ),
    start_arm: bool = typer.Option(
        True, "--start-arm/--no-start-arm", help="Count the arm occupied at the start as an entry."
    ),
    collapse_repeats: bool = typer.Option(
        False, "--collapse-repeats", help="Merge immediate re-entries into the same arm."
    ),
    fmt: str = format_option(),
    fps: float | None = fps_option(),
    body: str | None = body_option(),
    min_likelihood: float = min_likelihood_option(),
    max_jump_px: float = max_jump_option(),
    cm_per_unit: float = typer.Option(1.0, "--cm-per-unit", help="cm per track unit."),
    as_json: bool = typer.Option(
        False, "--json", help='Print JSON: {"rows": [...], "skipped": [{"file", "reason"}]}.'
    ),
    strict: bool = strict_option(),
) -> None:
    """Spontaneous alternation: alternations / (entries - 2) x 100, per session.

    Also the distance travelled and the time in each arm and in the centre (track files). A track
    file or trial that cannot be analysed is skipped with a warning and listed in the JSON's
    "skipped"; --strict refuses the batch instead.

    Examples: neuroprotect behavior y-maze --sequence ABCACBAB --json;
    neuroprotect behavior y-maze mouse1DLC.h5 --fps 30 --arms-from-keypoints armL,armR,armM
    --arm-length-cm 35 --arm-width-cm 5 --json
    """
    from neuroprotect.behavior.readers.zones import read_y_maze_arms
    from neuroprotect.behavior.y_maze import compute_y_maze, score_alternation

    out: list[dict[str, Any]] = []
    batch = new_batch(strict, global_fields=("entry_depth_cm", "format"))
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
            spec = _track_input(
                fmt,
                fps,
                body,
                min_likelihood,
                max_jump_px,
                cm_per_unit,
                arms=arms_from_keypoints,
                arm_length_cm=arm_length_cm,
                arm_width_cm=arm_width_cm,
            )
            if (arms is None) == (arms_from_keypoints is None):
                raise InputError(
                    "Expected one of --arms ARMS.yaml or --arms-from-keypoints with track files",
                    field="--arms",
                )
            polygons, centre = read_y_maze_arms(arms) if arms is not None else (None, None)
            for session in _read_sessions(files, spec, batch):
                path = session.path
                hub: list[tuple[float, float]] | None
                if session.y_maze is not None:
                    arm_polygons, hub = session.y_maze.arms, session.y_maze.centre_zone
                else:
                    assert polygons is not None
                    arm_polygons, hub = polygons, centre
                for trial, track in _trials(session.tracks):
                    with batch.item(path, trial=trial if trial != path.stem else None):
                        try:
                            table = compute_y_maze(
                                track,
                                arms=arm_polygons,
                                centre_zone=hub,
                                entry_depth_cm=entry_depth,
                                count_start_arm=start_arm,
                                collapse_repeats=collapse_repeats,
                            )
                        except InputError as exc:
                            if exc.field in batch.global_fields:
                                raise
                            raise InputError(exc.message, file=path, field=exc.field) from None
                        for row in _rows(table):
                            session_id = row.pop("trial_id")
                            out.append(
                                {
                                    "session": session_id,
                                    **row,
                                    **_session_fields(session, session_id),
                                }
                            )
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
    files: list[Path] = typer.Argument(..., help=FILES_HELP),
    bounds: str | None = typer.Option(
        None,
        "--bounds",
        help="Arena in cm: 'x_min,y_min,x_max,y_max' (rectangle) or 'x,y,radius' (circle).",
    ),
    bounds_from_keypoints: str | None = typer.Option(
        None,
        "--bounds-from-keypoints",
        help="Pose files: the box-corner keypoints TL,TR,BR,BL; with --box-size-cm the box and a "
        "perspective-correct px -> cm mapping (homography) follow from their medians.",
    ),
    box_size_cm: str | None = typer.Option(
        None, "--box-size-cm", help="Box floor W,H in cm (W along top-left -> top-right)."
    ),
    centre_fraction: float = typer.Option(
        0.25, "--centre-fraction", help="Centre zone area as a fraction of the arena."
    ),
    wall_band_cm: float = typer.Option(
        5.0, "--wall-band-cm", help="Width (cm) of the zone along the walls (thigmotaxis)."
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
    fmt: str = format_option(),
    fps: float | None = fps_option(),
    body: str | None = body_option(),
    min_likelihood: float = min_likelihood_option(),
    max_jump_px: float = max_jump_option(),
    cm_per_unit: float = typer.Option(1.0, "--cm-per-unit", help="cm per track unit."),
    as_json: bool = typer.Option(
        False, "--json", help='Print JSON: {"rows": [...], "skipped": [{"file", "reason"}]}.'
    ),
    strict: bool = strict_option(),
) -> None:
    """Distance, speed, time mobile, time and distance in the centre and near the wall.

    A track file or trial that cannot be analysed (unreadable, no or too few samples, outside
    the arena) is skipped with a warning and listed in the JSON's "skipped"; --strict refuses the
    batch instead. Exit code 2 when nothing could be analysed.

    Examples: neuroprotect behavior open-field rat1.csv --bounds 0,0,40,40 --bin 300 --json;
    neuroprotect behavior open-field m1DLC.h5 --fps 30 --bounds-from-keypoints tl,tr,br,bl
    --box-size-cm 40,40 --json
    """
    from neuroprotect.behavior.open_field import compute_distance_by_bin, compute_open_field

    out: list[dict[str, Any]] = []
    # option checks inside the analysis stop the whole batch, they are not about a file
    batch = new_batch(
        strict,
        global_fields=(
            "centre_fraction",
            "wall_band_cm",
            "mobility_threshold_cm_s",
            "min_bout_s",
            "bin_s",
            "format",
        ),  # fmt: skip
    )
    with user_errors():
        spec = _track_input(
            fmt,
            fps,
            body,
            min_likelihood,
            max_jump_px,
            cm_per_unit,
            corners=bounds_from_keypoints,
            box_size_cm=box_size_cm,
        )
        if (bounds is None) == (bounds_from_keypoints is None):
            raise InputError(
                "Expected exactly one of --bounds (cm) or --bounds-from-keypoints (pose files)",
                field="--bounds",
            )
        given = _parse_bounds(bounds) if bounds is not None else {}
        for session in _read_sessions(files, spec, batch):
            path = session.path
            arena = {"rectangle": session.box.rectangle} if session.box is not None else given
            for trial, track in _trials(session.tracks):
                with batch.item(path, trial=trial if trial != path.stem else None):
                    try:
                        table = compute_open_field(
                            track,
                            rectangle=arena.get("rectangle"),
                            circle=arena.get("circle"),
                            centre_fraction=centre_fraction,
                            wall_band_cm=wall_band_cm,
                            mobility_threshold_cm_s=mobility_threshold,
                            min_bout_s=min_bout,
                        )
                        bins = compute_distance_by_bin(track, bin_s=bin_s) if bin_s else None
                    except InputError as exc:
                        if exc.field in batch.global_fields:
                            raise
                        raise InputError(exc.message, file=path, field=exc.field) from None
                    for row in _rows(table):
                        row.pop("n_missing", None)
                        row.update(_session_fields(session, row["trial_id"]))
                        row["arena"] = {k: list(v) for k, v in arena.items()}
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
            f"mobile {_fmt(r['time_mobile_pct'])} %, centre {_fmt(r['time_in_centre_pct'])} %, "
            f"wall {_fmt(r['time_near_wall_pct'])} %"
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
