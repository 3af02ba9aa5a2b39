"""Study readouts from track files: reading every file through the shared input layer, animal-id
checks, and the QC facts about the input (formats, pose drops, how the cm scale was found).

Used by the ``y_maze`` (:mod:`neuroprotect.workflows.behavior_other_readouts`) and
``open_field`` (:mod:`neuroprotect.workflows.open_field_readout`) readouts.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pandas as pd

from neuroprotect.behavior.track_checks import check_track_samples
from neuroprotect.errors import InputError
from neuroprotect.io.batch import Batch
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Readout, Study
from neuroprotect.workflows.table_io import check_animal_ids, display_path
from neuroprotect.workflows.track_sessions import (
    Session,
    TrackInput,
    keypoint_arena,
    read_session,
    track_input_from_params,
)

__all__ = ["track_tables", "track_input_for", "input_qc", "n_missing_by_trial", "per_animal"]


def track_tables(
    study: Study,
    readout: Readout,
    files: list[Path],
    animals: pd.DataFrame,
    spec: TrackInput,
    batch: Batch | None = None,
) -> list[Session]:
    """Read every track file (any registered format) and check that its trial ids are animals.

    With a ``batch``, a file that cannot be read or has too few samples is skipped (recorded in
    the batch); a trial id that is not an animal of the study still stops the readout (a mapping
    to fix, not a bad file).
    """
    out: list[Session] = []
    seen: dict[str, Path] = {}
    for path in files:
        read: list[Session] = []
        with (
            batch.item(path, name=display_path(path, study), count=False)
            if batch is not None
            else nullcontext()
        ):
            read.append(read_session(path, spec))
            check_track_samples(read[0].tracks, file=path)
        if not read:
            continue
        session = read[0]
        ids = pd.DataFrame({C.ANIMAL_ID: pd.unique(session.tracks["trial_id"])})
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
        out.append(session)
    return out


def track_input_for(
    study: Study, readout: Readout, p: dict[str, Any], arena: dict[str, Any]
) -> TrackInput:
    """The readout's input options (format, pose, scale, keypoint arena); errors name the field."""
    where = f"readouts.{readout.id}.params"
    try:
        return track_input_from_params(
            p, where=where, arena=keypoint_arena(prefix=f"{where}.", **arena)
        )
    except InputError as exc:
        raise InputError(exc.message, file=study.manifest_path, field=exc.field) from None


def input_qc(sessions: list[Session]) -> dict[str, Any]:
    if not sessions:
        return {}
    meta = pd.concat([s.meta for s in sessions], ignore_index=True)
    qc: dict[str, Any] = {"formats": sorted(set(meta["format"].astype(str)))}
    if "dropped_fraction" in meta:
        qc["pose_dropped_fraction_max"] = float(meta["dropped_fraction"].max())
        qc["pose_body_point"] = sorted(set(meta["body_point"].dropna().astype(str)))
    scales = [s.scale.get("from") for s in sessions if s.scale.get("from")]
    if scales:
        qc["scale_from"] = sorted(set(scales))
    return qc


def n_missing_by_trial(session: Session) -> dict[str, int]:
    return dict(
        zip(
            session.meta["trial_id"].astype(str), session.meta["n_missing"].astype(int), strict=True
        )
    )


def per_animal(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    table = table.rename(columns={"trial_id": C.ANIMAL_ID})
    table[C.SOURCE_FILE] = [path] * len(table)
    table[C.SOURCE_ROW] = 2
    return table
