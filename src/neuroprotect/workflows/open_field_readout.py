"""Readout type ``open_field`` for study.yaml: locomotor activity from one track file per animal.

``study.yaml`` entries::

    - {id: activity, type: open_field, files: [tracks/of_*.csv],
       params: {rectangle: [0, 0, 40, 40], bin_s: 300}}              # or circle: [x, y, radius]
    - {id: of_dlc, type: open_field, files: [dlc/*.csv],
       params: {fps: 30, bounds_from_keypoints: [tl, tr, br, bl], box_size_cm: [40, 40]}}

Track files in any registered format (``format``, default auto; pose files: ``fps``, ``body``,
``min_likelihood``, ``max_jump_px``); the trial id (else the file name) is the animal id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from neuroprotect.behavior.open_field import compute_distance_by_bin, compute_open_field
from neuroprotect.errors import InputError
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Readout, Study
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
    readout_params,
    tidy_measurements,
)
from neuroprotect.workflows.track_readouts import (
    input_qc,
    n_missing_by_trial,
    per_animal,
    track_input_for,
    track_tables,
)
from neuroprotect.workflows.track_sessions import TRACK_PARAMS

__all__ = ["OPEN_FIELD_VARIABLES", "load_open_field"]

OPEN_FIELD_VARIABLES = (
    VariableSpec("distance_cm", "Distance travelled", "cm"),
    VariableSpec("mean_speed_cm_s", "Mean speed", "cm/s"),
    VariableSpec("time_mobile_pct", "Time mobile", "%"),
    VariableSpec("time_in_centre_pct", "Time in centre", "%", lower_is_better=False),
)


def _field(readout: Readout, name: str) -> str:
    return f"readouts.{readout.id}.params.{name}"


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
            "wall_band_cm": (float, 5.0),
            "bounds_from_keypoints": (object, None),
            "box_size_cm": (object, None),
            **TRACK_PARAMS,
        },
    )
    from_keypoints = p["bounds_from_keypoints"] is not None
    given = {} if from_keypoints else _arena_param(study, readout, p)
    if from_keypoints and (p["rectangle"] is not None or p["circle"] is not None):
        raise InputError(
            "Expected either rectangle/circle (cm) or bounds_from_keypoints, not both",
            file=study.manifest_path,
            field=_field(readout, "bounds_from_keypoints"),
        )
    spec = track_input_for(
        study,
        readout,
        p,
        {"corners": p["bounds_from_keypoints"], "box_size_cm": p["box_size_cm"]},
    )
    parts, bins = [], []
    # option checks inside the analysis stop the readout, they are not about a file
    batch = readout_batch(
        readout,
        global_fields=(
            "centre_fraction",
            "wall_band_cm",
            "mobility_threshold_cm_s",
            "min_bout_s",
            "bin_s",
        ),  # fmt: skip
    )
    sessions = track_tables(study, readout, files, animals, spec, batch)
    for session in sessions:
        path, tracks = session.path, session.tracks
        arena = {"rectangle": session.box.rectangle} if session.box is not None else given
        with batch.item(path, name=display_path(path, study)):
            try:
                table = compute_open_field(
                    tracks,
                    rectangle=arena.get("rectangle"),
                    circle=arena.get("circle"),
                    wall_band_cm=p["wall_band_cm"],
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
                bins.append(per_animal(binned, path))
            table["n_missing"] = table["trial_id"].astype(str).map(n_missing_by_trial(session))
            parts.append(per_animal(table, path))
    batch.finish(what="track files")
    activity = pd.concat(parts, ignore_index=True)
    details = {"activity": details_frame(activity, study)}
    if bins:
        details["distance_by_bin"] = details_frame(pd.concat(bins, ignore_index=True), study)
    warnings = missing_data_warning(readout, animals, activity[C.ANIMAL_ID])
    gappy = activity.loc[activity["tracked_s"] < 0.9 * activity["duration_s"], C.ANIMAL_ID]
    if len(gappy):
        warnings.append(
            f"more than 10 % of the session untracked (gaps) for "
            f"{', '.join(map(str, gappy))}; distances cover tracked time only"
        )
    return ReadoutData(
        measurements=tidy_measurements(study, readout, animals, activity, OPEN_FIELD_VARIABLES),
        details=details,
        qc={
            "arena": {k: list(v) for k, v in given.items()}
            if given
            else f"box {p['box_size_cm']} cm from corner keypoints (homography, per file)",
            "wall_band_cm": p["wall_band_cm"],
            **input_qc(sessions),
            "centre_zone": f"arena shrunk to {p['centre_fraction']:g} of its area",
            "mobile": f"speed > {p['mobility_threshold_cm_s']:g} cm/s in bouts >= "
            f"{p['min_bout_s']:g} s",
            "gaps": "steps across missing samples are not counted (no interpolation)",
            "missing_samples": int(activity["n_missing"].sum()),
            **({"bin_s": p["bin_s"]} if p["bin_s"] else {}),
        },
        warnings=warnings,
        skipped=batch.skipped,
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
