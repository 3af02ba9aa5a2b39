"""Readout type ``y_maze`` for study.yaml (``open_field`` and ``passive_avoidance`` live in
:mod:`neuroprotect.workflows.open_field_readout` and
:mod:`neuroprotect.workflows.passive_avoidance_readout`, registered when this module is imported).

``study.yaml`` entries::

    - {id: ymaze, type: y_maze, files: [ymaze_sequences.csv]}        # animal_id, sequence
    - {id: ymaze_tracks, type: y_maze, files: [tracks/ymaze_*.csv],
       params: {arms: ymaze_arms.yaml, entry_depth_cm: 5}}           # one track file per animal
    - {id: ymaze_dlc, type: y_maze, files: [dlc/*.h5],
       params: {fps: 30, arms_from_keypoints: [armL, armR, armM], arm_length_cm: 35,
                arm_width_cm: 5}}                                     # arena from keypoints

Track files are read by every registered reader (:mod:`neuroprotect.behavior.readers`, through
:func:`neuroprotect.workflows.track_sessions.read_session`): ``format`` (default auto), and for
pose files ``fps``, ``body``, ``min_likelihood`` (0.9), ``max_jump_px`` (20; 0 = off). The trial
id (the ``trial_id`` column, else the file name without extension) is the animal id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from neuroprotect.behavior.readers.zones import read_y_maze_arms
from neuroprotect.behavior.y_maze import compute_y_maze, detect_arm_entries, score_alternation
from neuroprotect.errors import InputError
from neuroprotect.io.tables import Column
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Readout, Study
from neuroprotect.workflows import (
    open_field_readout,  # noqa: F401  (registers it)
    passive_avoidance_readout,  # noqa: F401  (registers it)
)
from neuroprotect.workflows.open_field_readout import OPEN_FIELD_VARIABLES
from neuroprotect.workflows.readouts import (
    ReadoutData,
    ReadoutType,
    VariableSpec,
    readout_batch,
    register,
)
from neuroprotect.workflows.table_io import (
    details_frame,
    display_path,
    missing_data_warning,
    read_readout_files,
    readout_params,
    tidy_measurements,
)
from neuroprotect.workflows.track_readouts import (
    input_qc,
    per_animal,
    track_input_for,
    track_tables,
)
from neuroprotect.workflows.track_sessions import (
    TRACK_PARAMS,
)

__all__ = ["Y_MAZE_VARIABLES", "OPEN_FIELD_VARIABLES", "track_tables"]

Y_MAZE_VARIABLES = (
    VariableSpec(
        "spontaneous_alternation_pct", "Spontaneous alternation", "%", lower_is_better=False
    ),
    # activity: ischemia-induced hyperactivity raises it, so a fall counts as the better direction
    VariableSpec("entries", "Arm entries (activity)", "entries"),
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
            "arms_from_keypoints": (object, None),
            "arm_length_cm": (float, None),
            "arm_width_cm": (float, None),
            **TRACK_PARAMS,
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
        if (p["arms"] is None) == (p["arms_from_keypoints"] is None):
            raise InputError(
                "Expected params.arms (a YAML file of arm polygons) or params.arms_from_keypoints "
                "(pose files) for track files, or a sequence table (animal_id, sequence)",
                file=study.manifest_path,
                field=_field(readout, "arms"),
            )
        spec = track_input_for(
            study,
            readout,
            p,
            {
                "arms": p["arms_from_keypoints"],
                "arm_length_cm": p["arm_length_cm"],
                "arm_width_cm": p["arm_width_cm"],
            },
        )
        polygons, centre, arms_path = None, None, None
        if p["arms"] is not None:
            arms_path = study.resolve(p["arms"])
            polygons, centre = read_y_maze_arms(arms_path)
        entries = []
        sessions_read = track_tables(study, readout, track_files, animals, spec, batch)
        for session in sessions_read:
            path, tracks = session.path, session.tracks
            maze = session.y_maze
            kwargs: dict[str, Any] = dict(
                arms=maze.arms if maze is not None else polygons,
                centre_zone=maze.centre_zone if maze is not None else centre,
                entry_depth_cm=p["entry_depth_cm"],
                count_start_arm=start_arm,
            )
            with batch.item(path, name=display_path(path, study)):
                try:
                    table = compute_y_maze(tracks, collapse_repeats=collapse, **kwargs)
                    found = detect_arm_entries(tracks, **kwargs)
                except InputError as exc:
                    if exc.field in batch.global_fields:
                        raise
                    raise InputError(exc.message, file=path, field=exc.field) from None
                parts.append(per_animal(table, path))
                entries.append(per_animal(found, path))
        batch.finish(what="track files")
        details["arm_entries"] = details_frame(pd.concat(entries, ignore_index=True), study)
        arms_info = {
            "arms_file": display_path(arms_path, study) if arms_path is not None else None,
            "entry_depth_cm": p["entry_depth_cm"],
            **input_qc(sessions_read),
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


register(
    ReadoutType(
        name="y_maze",
        title="Y-maze spontaneous alternation",
        variables=Y_MAZE_VARIABLES,
        load=load_y_maze,
        description="Alternations / (entries - 2) x 100 from recorded sequences or tracks.",
    )
)
