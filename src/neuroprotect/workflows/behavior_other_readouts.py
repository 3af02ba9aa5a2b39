"""Readout types ``y_maze`` and ``open_field`` for study.yaml (``passive_avoidance`` lives in
:mod:`neuroprotect.workflows.passive_avoidance_readout`, registered when this module is imported).

``study.yaml`` entries::

    - {id: ymaze, type: y_maze, files: [ymaze_sequences.csv]}        # animal_id, sequence
    - {id: ymaze_tracks, type: y_maze, files: [tracks/ymaze_*.csv],
       params: {arms: ymaze_arms.yaml, entry_depth_cm: 5}}           # one track file per animal
    - {id: activity, type: open_field, files: [tracks/of_*.csv],
       params: {rectangle: [0, 0, 40, 40], bin_s: 300}}              # or circle: [x, y, radius]

Track files are generic track CSVs (:mod:`neuroprotect.behavior.readers.generic`); the trial id
(the ``trial_id`` column, else the file name without extension) is the animal id.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pandas as pd

from neuroprotect.behavior.open_field import compute_distance_by_bin, compute_open_field
from neuroprotect.behavior.readers.generic import read_generic_csv
from neuroprotect.behavior.readers.zones import read_y_maze_arms
from neuroprotect.behavior.track_checks import check_track_samples
from neuroprotect.behavior.y_maze import compute_y_maze, detect_arm_entries, score_alternation
from neuroprotect.errors import InputError
from neuroprotect.io.batch import Batch
from neuroprotect.io.tables import Column
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Readout, Study
from neuroprotect.workflows import passive_avoidance_readout  # noqa: F401  (registers it)
from neuroprotect.workflows.readouts import (
    ReadoutData,
    ReadoutType,
    VariableSpec,
    readout_batch,
    register,
)
from neuroprotect.workflows.table_io import (
    check_animal_ids,
    details_frame,
    display_path,
    missing_data_warning,
    read_readout_files,
    readout_params,
    tidy_measurements,
)

__all__ = ["Y_MAZE_VARIABLES", "OPEN_FIELD_VARIABLES", "track_tables"]

Y_MAZE_VARIABLES = (
    VariableSpec(
        "spontaneous_alternation_pct", "Spontaneous alternation", "%", lower_is_better=False
    ),
    # activity: ischemia-induced hyperactivity raises it, so a fall counts as the better direction
    VariableSpec("entries", "Arm entries (activity)", "entries"),
)
OPEN_FIELD_VARIABLES = (
    VariableSpec("distance_cm", "Distance travelled", "cm"),
    VariableSpec("mean_speed_cm_s", "Mean speed", "cm/s"),
    VariableSpec("time_mobile_pct", "Time mobile", "%"),
    VariableSpec("time_in_centre_pct", "Time in centre", "%", lower_is_better=False),
)

#: Fewer arm entries than this make the alternation percentage unreliable (warning only).
MIN_ENTRIES = 8


def _field(readout: Readout, name: str) -> str:
    return f"readouts.{readout.id}.params.{name}"


def _bool_param(study: Study, readout: Readout, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InputError(
            f"Expected true or false, but got {value!r}",
            file=study.manifest_path,
            field=_field(readout, name),
        )
    return value


def track_tables(
    study: Study,
    files: list[Path],
    animals: pd.DataFrame,
    cm_per_unit: float,
    batch: Batch | None = None,
) -> list[tuple[Path, pd.DataFrame]]:
    """Read every track file and check that its trial ids are animals of the study.

    With a ``batch``, a file that cannot be read or has too few samples is skipped (recorded in
    the batch); a trial id that is not an animal of the study still stops the readout (a
    mapping to fix, not a bad file).
    """
    out: list[tuple[Path, pd.DataFrame]] = []
    seen: dict[str, Path] = {}
    for path in files:
        read: list[pd.DataFrame] = []
        with (
            batch.item(path, name=display_path(path, study), count=False)
            if batch
            else nullcontext()
        ):
            read.append(read_generic_csv(path, cm_per_unit=cm_per_unit))
            check_track_samples(read[0], file=path)
        if not read:
            continue
        tracks = read[0]
        ids = pd.DataFrame({C.ANIMAL_ID: pd.unique(tracks["trial_id"])})
        ids[C.SOURCE_ROW] = 2
        try:
            check_animal_ids(ids, animals, path)
        except InputError as exc:
            raise InputError(
                exc.message + " (the trial id, or the file name, is the animal id)",
                file=path,
                field="trial_id",
            ) from None
        for animal in ids[C.ANIMAL_ID]:
            if animal in seen:
                raise InputError(
                    f"Expected one track per animal, but {animal!r} is also in "
                    f"{display_path(seen[animal], study)}",
                    file=path,
                    field="trial_id",
                )
            seen[animal] = path
        out.append((path, tracks))
    return out


def _per_animal(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    table = table.rename(columns={"trial_id": C.ANIMAL_ID})
    table[C.SOURCE_FILE] = [path] * len(table)
    table[C.SOURCE_ROW] = 2
    return table


# --- Y-maze --------------------------------------------------------------------------------------
SEQUENCE_COLUMNS = [
    Column(C.ANIMAL_ID, "str"),
    Column("sequence", "str", allow_missing=True, aliases=("arm_sequence", "entries_sequence")),
    Column(C.TIMEPOINT, "str", required=False, allow_missing=True),
]


def _is_sequence_table(path: Path) -> bool:
    """True when the file's header has a sequence column (else it is a track file)."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        header = [str(c) for c in pd.read_excel(path, nrows=0).columns]
    else:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            line = fh.readline()
        header = line.replace(";", ",").replace("\t", ",").split(",")
    names = {c.strip().strip('"').lower() for c in header}
    return bool(names & {"sequence", "arm_sequence", "entries_sequence"})


def load_y_maze(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """Spontaneous alternation from sequence tables or from track files plus arm polygons."""
    p = readout_params(
        study,
        readout,
        {
            "arms": (str, None),
            "entry_depth_cm": (float, 5.0),
            "count_start_arm": (object, True),
            "collapse_repeats": (object, False),
            "cm_per_unit": (float, 1.0),
        },
    )
    start_arm = _bool_param(study, readout, "count_start_arm", p["count_start_arm"])
    collapse = _bool_param(study, readout, "collapse_repeats", p["collapse_repeats"])
    sequence_files = [f for f in files if _is_sequence_table(f)]
    track_files = [f for f in files if f not in sequence_files]
    parts: list[pd.DataFrame] = []
    details: dict[str, pd.DataFrame] = {}
    batch = readout_batch(readout, global_fields=("entry_depth_cm",))
    if sequence_files:

        def score(table: pd.DataFrame, path: Path) -> pd.DataFrame:
            rows = []
            for _, row in table.iterrows():
                try:
                    res = score_alternation(row["sequence"] or "", collapse_repeats=collapse)
                except InputError as exc:
                    raise InputError(
                        f"animal {row[C.ANIMAL_ID]}: {exc.message}",
                        file=path,
                        row=int(row[C.SOURCE_ROW]),
                        field="sequence",
                    ) from None
                rows.append(
                    {
                        C.ANIMAL_ID: row[C.ANIMAL_ID],
                        C.TIMEPOINT: row.get(C.TIMEPOINT),
                        C.SOURCE_ROW: row[C.SOURCE_ROW],
                        **res,
                    }
                )
            return pd.DataFrame(rows)

        parts.append(
            read_readout_files(
                sequence_files,
                SEQUENCE_COLUMNS,
                animals,
                score,
                [C.ANIMAL_ID, C.TIMEPOINT],
                batch=batch,
                study=study,
            )
        )
    arms_info: dict[str, Any] = {}
    if track_files:
        if p["arms"] is None:
            raise InputError(
                "Expected params.arms (a YAML file of arm polygons) for track files, or a "
                "sequence table (animal_id, sequence)",
                file=study.manifest_path,
                field=_field(readout, "arms"),
            )
        arms_path = study.resolve(p["arms"])
        polygons, centre = read_y_maze_arms(arms_path)
        entries = []
        kwargs = dict(
            arms=polygons,
            centre_zone=centre,
            entry_depth_cm=p["entry_depth_cm"],
            count_start_arm=start_arm,
        )
        for path, tracks in track_tables(study, track_files, animals, p["cm_per_unit"], batch):
            with batch.item(path, name=display_path(path, study)):
                try:
                    table = compute_y_maze(tracks, collapse_repeats=collapse, **kwargs)
                    found = detect_arm_entries(tracks, **kwargs)
                except InputError as exc:
                    if exc.field in batch.global_fields:
                        raise
                    raise InputError(exc.message, file=path, field=exc.field) from None
                parts.append(_per_animal(table, path))
                entries.append(_per_animal(found, path))
        batch.finish(what="track files")
        details["arm_entries"] = details_frame(pd.concat(entries, ignore_index=True), study)
        arms_info = {
            "arms_file": display_path(arms_path, study),
            "entry_depth_cm": p["entry_depth_cm"],
        }
    sessions = pd.concat(parts, ignore_index=True)
    if sessions[C.ANIMAL_ID].duplicated().any() and (
        C.TIMEPOINT not in sessions or sessions[C.TIMEPOINT].isna().all()
    ):
        animal = sessions.loc[sessions[C.ANIMAL_ID].duplicated(), C.ANIMAL_ID].iloc[0]
        raise InputError(
            f"Expected one Y-maze session per animal, but {animal!r} has several",
            file=study.manifest_path,
            field=f"readouts.{readout.id}.files",
        )
    warnings = missing_data_warning(readout, animals, sessions[C.ANIMAL_ID])
    few = sessions.loc[sessions["entries"] < MIN_ENTRIES, C.ANIMAL_ID]
    if len(few):
        warnings.append(
            f"fewer than {MIN_ENTRIES} arm entries for {', '.join(map(str, few))}: "
            "their alternation percentage is unreliable (fewer than 3 entries: not computed)"
        )
    sessions["entries"] = sessions["entries"].astype(float)
    return ReadoutData(
        measurements=tidy_measurements(study, readout, animals, sessions, Y_MAZE_VARIABLES),
        details={"sessions": details_frame(sessions, study), **details},
        qc={
            "formula": "alternations / (entries - 2) x 100; alternation = 3 consecutive entries "
            "into 3 different arms (overlapping windows)",
            "entry_rule": "deep in an arm (past its entrance by the entry depth) to enter; back in "
            "the centre zone to leave"
            if track_files
            else "recorded sequence",
            "start_arm_counted": start_arm,
            "repeats_collapsed": collapse,
            **arms_info,
        },
        warnings=warnings,
        skipped=batch.skipped,
    )


# --- open field ----------------------------------------------------------------------------------
def _arena_param(study: Study, readout: Readout, p: dict[str, Any]) -> dict[str, tuple[float, ...]]:
    given = {k: p[k] for k in ("rectangle", "circle") if p[k] is not None}
    if len(given) != 1:
        raise InputError(
            "Expected exactly one of rectangle: [x_min, y_min, x_max, y_max] or "
            "circle: [x, y, radius] (cm)",
            file=study.manifest_path,
            field=_field(readout, "rectangle"),
        )
    ((name, value),) = given.items()
    size = 4 if name == "rectangle" else 3
    if (
        not isinstance(value, list)
        or len(value) != size
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        raise InputError(
            f"Expected a list of {size} numbers, but got {value!r}",
            file=study.manifest_path,
            field=_field(readout, name),
        )
    return {name: tuple(float(v) for v in value)}


def load_open_field(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """Locomotor activity from one track file per animal."""
    p = readout_params(
        study,
        readout,
        {
            "rectangle": (object, None),
            "circle": (object, None),
            "centre_fraction": (float, 0.25),
            "mobility_threshold_cm_s": (float, 2.0),
            "min_bout_s": (float, 1.0),
            "bin_s": (float, None),
            "duration_s": (float, None),
            "cm_per_unit": (float, 1.0),
        },
    )
    arena = _arena_param(study, readout, p)
    parts, bins = [], []
    batch = readout_batch(
        readout,
        global_fields=("centre_fraction", "mobility_threshold_cm_s", "min_bout_s", "bin_s"),
    )
    for path, tracks in track_tables(study, files, animals, p["cm_per_unit"], batch):
        with batch.item(path, name=display_path(path, study)):
            try:
                table = compute_open_field(
                    tracks,
                    rectangle=arena.get("rectangle"),
                    circle=arena.get("circle"),
                    centre_fraction=p["centre_fraction"],
                    mobility_threshold_cm_s=p["mobility_threshold_cm_s"],
                    min_bout_s=p["min_bout_s"],
                )
                binned = (
                    compute_distance_by_bin(tracks, bin_s=p["bin_s"], duration_s=p["duration_s"])
                    if p["bin_s"]
                    else None
                )
            except InputError as exc:
                if exc.field in batch.global_fields:
                    raise
                raise InputError(exc.message, file=path, field=exc.field) from None
            if binned is not None:
                bins.append(_per_animal(binned, path))
            parts.append(_per_animal(table, path))
    batch.finish(what="track files")
    per_animal = pd.concat(parts, ignore_index=True)
    details = {"activity": details_frame(per_animal, study)}
    if bins:
        details["distance_by_bin"] = details_frame(pd.concat(bins, ignore_index=True), study)
    warnings = missing_data_warning(readout, animals, per_animal[C.ANIMAL_ID])
    gappy = per_animal.loc[per_animal["tracked_s"] < 0.9 * per_animal["duration_s"], C.ANIMAL_ID]
    if len(gappy):
        warnings.append(
            f"more than 10 % of the session untracked (gaps) for "
            f"{', '.join(map(str, gappy))}; distances cover tracked time only"
        )
    return ReadoutData(
        measurements=tidy_measurements(study, readout, animals, per_animal, OPEN_FIELD_VARIABLES),
        details=details,
        qc={
            "arena": {k: list(v) for k, v in arena.items()},
            "centre_zone": f"arena shrunk to {p['centre_fraction']:g} of its area",
            "mobile": f"speed > {p['mobility_threshold_cm_s']:g} cm/s in bouts >= "
            f"{p['min_bout_s']:g} s",
            "gaps": "steps across missing samples are not counted (no interpolation)",
            "missing_samples": int(per_animal["n_missing"].sum()),
            **({"bin_s": p["bin_s"]} if p["bin_s"] else {}),
        },
        warnings=warnings,
        skipped=batch.skipped,
    )


register(
    ReadoutType(
        name="y_maze",
        title="Y-maze spontaneous alternation",
        variables=Y_MAZE_VARIABLES,
        load=load_y_maze,
        description="Alternations / (entries - 2) x 100 from recorded sequences or tracks.",
    )
)
register(
    ReadoutType(
        name="open_field",
        title="Open field (locomotor activity)",
        variables=OPEN_FIELD_VARIABLES,
        load=load_open_field,
        description="Distance, speed, mobile time and centre time from tracks.",
    )
)
