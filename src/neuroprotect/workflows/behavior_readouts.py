"""Registration of the tracked-behaviour readouts: ``water_maze``.

``study.yaml`` entry::

    - id: mwm
      type: water_maze
      files: [tracks/*.csv]            # one track file per trial (any registered format)
      params:
        arena: arena.yaml              # water maze arena (YAML or Rtrack arena .txt)
        trials: trials.csv             # file, animal_id, day, trial[, probe]
        format: auto                   # optional track format
        fps: 30                        # pose files (also body, min_likelihood, max_jump_px)
        trial_length_s: 90             # optional cut-off for censored latencies

The trial table maps every track file (by its path relative to the manifest, or its file name) to
``animal_id``, ``day`` and ``trial``; ``probe`` (true/false, default false) marks probe trials
(platform removed). Per animal the readout produces:

* ``escape_latency_last_day_s``: mean escape latency over the acquisition trials of the last
  acquisition day (unreached trials count at the cut-off and are flagged ``censored``);
* ``path_length_last_day_cm``: mean path length over the same trials;
* ``probe_target_quadrant_pct``: mean % time in the target quadrant over the probe trials;
* ``probe_mean_distance_to_goal_cm``: mean distance to the former platform over the probe trials
  (Gallagher proximity; Maei et al. 2009 found it the most sensitive probe measure).

The probe variables appear only when the trial table has probe trials. The per-trial metrics
(all of :func:`~neuroprotect.behavior.water_maze.compute_water_maze_metrics`, with a strategy per
trial: ``scheme: garthe2009`` (default), ``gehring2015`` or ``none``) and the strategy proportions
per group and day are kept as details.
Repeated-measures analysis of the acquisition days is not done here yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.behavior.arena import ArenaWaterMaze, load_arena
from neuroprotect.behavior.plots import (
    compute_strategy_proportions,
    plot_learning_curves,
    plot_strategy_proportions,
)
from neuroprotect.behavior.readers import read_tracks
from neuroprotect.behavior.track_checks import usable_trials
from neuroprotect.behavior.water_maze_trials import analyse_water_maze_trials
from neuroprotect.errors import InputError
from neuroprotect.io.tables import Column, read_table
from neuroprotect.report.figures import group_legend
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Readout, Study
from neuroprotect.stats.repeated import fit_mixed_model, rm_anova
from neuroprotect.workflows.readouts import (
    ReadoutData,
    ReadoutType,
    VariableSpec,
    readout_batch,
    register,
)
from neuroprotect.workflows.table_io import (
    REQUIRED,
    check_animal_ids,
    details_frame,
    display_path,
    missing_data_warning,
    param_file,
    readout_params,
)
from neuroprotect.workflows.track_sessions import TRACK_PARAMS, track_input_from_params

__all__ = ["WATER_MAZE_VARIABLES", "load_water_maze"]

ACQUISITION_VARIABLES = (
    VariableSpec("escape_latency_last_day_s", "Escape latency, last acquisition day", "s"),
    VariableSpec("path_length_last_day_cm", "Path length, last acquisition day", "cm"),
)
PROBE_VARIABLES = (
    VariableSpec(
        "probe_target_quadrant_pct", "Probe: time in target quadrant", "%", lower_is_better=False
    ),
    VariableSpec("probe_mean_distance_to_goal_cm", "Probe: mean distance to platform site", "cm"),
)
WATER_MAZE_VARIABLES = ACQUISITION_VARIABLES + PROBE_VARIABLES

TRIAL_COLUMNS = [
    Column("file", "str", aliases=("track_file", "track", "path")),
    Column(C.ANIMAL_ID, "str"),
    Column("day", "float"),
    Column(C.TRIAL, "float"),
    Column("probe", "str", required=False, allow_missing=True),
]

_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f", "", "nan", "none"}


def _acquisition_statistics(
    study: Study, acquisition: pd.DataFrame
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Repeated measures over acquisition days: latency (animal mean per day) ~ group x day.

    A linear mixed model (random intercept per animal, REML, Satterthwaite t-tests; day numeric,
    vehicle as reference) and a mixed-design RM ANOVA with Greenhouse-Geisser correction (day
    categorical), both from :mod:`neuroprotect.stats.repeated`.
    """
    per_day = acquisition.groupby([C.ANIMAL_ID, "group", "day"], as_index=False)[
        "escape_latency_s"
    ].mean()
    if per_day["day"].nunique() < 2 or per_day["group"].nunique() < 2:
        return {}, []
    groups = set(per_day["group"].astype(str))
    control = study.vehicle.id if study.vehicle.id in groups else None
    out: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    try:
        model = fit_mixed_model(
            per_day,
            dv="escape_latency_s",
            subject=C.ANIMAL_ID,
            within="day",
            between="group",
            control=control,
        )
        out["acquisition_mixed_model"] = model.fixed_effects
        notes += model.warnings
        out["acquisition_rm_anova"] = rm_anova(
            per_day, dv="escape_latency_s", subject=C.ANIMAL_ID, within="day", between="group"
        )
    except InputError as exc:
        notes.append(f"no repeated-measures statistics for acquisition ({exc.message})")
    except (ArithmeticError, np.linalg.LinAlgError) as exc:  # degenerate data (e.g. no variance)
        notes.append(
            f"no repeated-measures statistics for acquisition (the model cannot be fitted: {exc})"
        )
    return out, notes


def load_water_maze(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """Water maze tracks -> per-animal acquisition and probe measures (see the module docstring)."""
    p = readout_params(
        study,
        readout,
        {
            "arena": (str, REQUIRED),
            "trials": (str, REQUIRED),
            "trial_length_s": (float, None),
            "scheme": (str, "garthe2009"),
            **{k: v for k, v in TRACK_PARAMS.items() if k != "cm_per_unit"},  # the arena's scale
        },
    )
    try:
        pose = track_input_from_params(
            {**p, "cm_per_unit": 1.0}, where=f"readouts.{readout.id}.params"
        ).pose
    except InputError as exc:
        raise InputError(exc.message, file=study.manifest_path, field=exc.field) from None
    arena_path = param_file(study, readout, "arena", p["arena"])
    arena = load_arena(arena_path)
    if not isinstance(arena, ArenaWaterMaze):
        raise InputError(f"Expected a water_maze arena, but got {arena.type!r}", file=arena_path)
    trials_path = param_file(study, readout, "trials", p["trials"])
    trials = read_table(trials_path, TRIAL_COLUMNS)
    check_animal_ids(trials, animals, trials_path)
    probe_text = (
        trials["probe"].astype(str).str.strip().str.lower()
        if "probe" in trials
        else pd.Series("false", index=trials.index)
    )
    bad = ~probe_text.isin(_TRUE | _FALSE)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"Expected probe true/false, but got {trials['probe'].iloc[i]!r}",
            file=trials_path,
            row=int(trials[C.SOURCE_ROW].iloc[i]),
            field="probe",
        )
    trials["probe"] = probe_text.isin(_TRUE).to_numpy()
    # map trial-table entries to the readout's files (relative path, else file name)
    by_rel = {display_path(f, study): f for f in files}
    by_name: dict[str, list[Path]] = {}
    for f in files:
        by_name.setdefault(f.name, []).append(f)
    batch = readout_batch(readout, global_fields=("format",))
    track_parts, meta_parts, paths = [], [], {}
    for i, entry in enumerate(trials["file"].astype(str)):
        path = by_rel.get(entry) or by_rel.get(Path(entry).as_posix())
        if path is None and len(by_name.get(Path(entry).name, [])) == 1:
            path = by_name[Path(entry).name][0]
        if path is None:
            raise InputError(
                f"Expected a track file listed in the readout's files, but got {entry!r}",
                file=trials_path,
                row=int(trials[C.SOURCE_ROW].iloc[i]),
                field="file",
            )
        with batch.item(path, name=display_path(path, study), count=False):
            t, m = read_tracks(path, format=p["format"], trial_id=f"row{i + 1}", pose=pose)
            track_parts.append(t)
            meta_parts.append(m.assign(source_file=display_path(path, study)))
            paths[f"row{i + 1}"] = path
    if not meta_parts:
        batch.finish(what="track files")
    tracks = pd.concat(track_parts, ignore_index=True)
    meta = pd.concat(meta_parts, ignore_index=True)
    rows = [int(str(t)[3:]) - 1 for t in meta["trial_id"]]  # trial-table rows read
    meta["label"] = [  # names a trial in errors (track outside the pool)
        f"animal {a}, day {d:g}, trial {t:g} ({trials_path.name} row {r})"
        for a, d, t, r in zip(
            trials[C.ANIMAL_ID].iloc[rows],
            trials["day"].iloc[rows],
            trials[C.TRIAL].iloc[rows],
            trials[C.SOURCE_ROW].iloc[rows],
            strict=True,
        )
    ]
    tracks, meta = usable_trials(tracks, meta, batch=batch, arena=arena)
    batch.finish(what="trials")
    kept = [int(str(t)[3:]) - 1 for t in meta["trial_id"]]
    trials = trials.iloc[kept].reset_index(drop=True)
    per_trial = analyse_water_maze_trials(
        tracks, meta, arena=arena, trial_length_s=p["trial_length_s"], scheme=p["scheme"]
    )
    per_trial = per_trial.drop(columns="source_file")
    per_trial.insert(0, C.ANIMAL_ID, trials[C.ANIMAL_ID].astype(str).to_numpy())
    per_trial.insert(1, "day", trials["day"].to_numpy())
    per_trial.insert(2, C.TRIAL, trials[C.TRIAL].to_numpy())
    per_trial.insert(3, "probe", trials["probe"].to_numpy())
    per_trial.insert(4, C.SOURCE_FILE, [paths[t] for t in meta["trial_id"]])
    per_trial["source_row"] = trials[C.SOURCE_ROW].astype(int).to_numpy()

    acq = per_trial[~per_trial["probe"]]
    probe = per_trial[per_trial["probe"]]
    warnings: list[str] = []
    blocks = []
    info = animals.set_index(C.ANIMAL_ID)

    def block(
        frame: pd.DataFrame, var: str, column: str, unit: str, censored: pd.Series | None
    ) -> None:
        g = frame.groupby(C.ANIMAL_ID, sort=True)
        values = g[column].mean()
        first = g["source_row"].min()
        blocks.append(
            pd.DataFrame(
                {
                    C.STUDY_ID: study.study_id,
                    C.ANIMAL_ID: values.index.astype(str),
                    C.READOUT: readout.id,
                    C.VARIABLE: var,
                    C.VALUE: values.to_numpy(dtype=float),
                    C.UNIT: unit,
                    C.TIMEPOINT: None,
                    C.TRIAL: None,
                    C.CENSORED: censored.reindex(values.index).to_numpy(dtype=bool)
                    if censored is not None
                    else False,
                    C.SOURCE_FILE: [display_path(Path(trials_path), study)] * len(values),
                    C.SOURCE_ROW: first.to_numpy(dtype=int),
                }
            )
        )

    produced: list[VariableSpec] = []
    if len(acq):
        last_day = acq.groupby(C.ANIMAL_ID)["day"].transform("max")
        last = acq[acq["day"] == last_day]
        censored = (~last["goal_reached"].astype(bool)).groupby(last[C.ANIMAL_ID]).any()
        block(last, "escape_latency_last_day_s", "escape_latency_s", "s", censored)
        block(last, "path_length_last_day_cm", "path_length_cm", "cm", None)
        produced += list(ACQUISITION_VARIABLES)
        if censored.any():
            warnings.append(
                f"{int(censored.sum())} animal(s) missed the platform on a last-day "
                "trial; their latency counts the cut-off (censored)"
            )
    if len(probe):
        block(probe, "probe_target_quadrant_pct", "time_in_target_quadrant_pct", "%", None)
        block(probe, "probe_mean_distance_to_goal_cm", "mean_distance_to_goal_cm", "cm", None)
        produced += list(PROBE_VARIABLES)
    measurements = pd.concat(blocks, ignore_index=True)
    measurements[C.GROUP] = measurements[C.ANIMAL_ID].map(info[C.GROUP])
    measurements[C.DOSE_MG_KG] = measurements[C.ANIMAL_ID].map(info[C.DOSE_MG_KG]).astype(float)
    missing = int(per_trial["n_missing"].sum())
    if missing:
        warnings.append(f"{missing} missing track samples dropped (not interpolated)")
    warnings += missing_data_warning(readout, animals, per_trial[C.ANIMAL_ID])
    details = {"trials": details_frame(per_trial.drop(columns="source_row"), study)}
    with_group = per_trial.assign(group=per_trial[C.ANIMAL_ID].map(info[C.GROUP]))
    figures: dict[str, Any] = {}
    labels, colours = group_legend(study.groups, with_group["group"].dropna())
    if p["scheme"] != "none":
        details["strategy_proportions"] = compute_strategy_proportions(with_group)
        figures["Search strategies by day and group"] = plot_strategy_proportions(
            with_group, labels=labels
        )
    included = with_group[~with_group[C.ANIMAL_ID].map(info[C.EXCLUDED]).astype(bool)]
    acquisition = included[~included["probe"]]
    if len(acquisition):
        figures["Learning curves (escape latency, mean ± SEM)"] = plot_learning_curves(
            acquisition, ylabel="Escape latency (s)", labels=labels, colours=colours
        )
        rm_details, rm_warnings = _acquisition_statistics(study, acquisition)
        details.update(rm_details)
        warnings += rm_warnings
    return ReadoutData(
        measurements=measurements[list(C.MEASUREMENT_COLUMNS)],
        details=details,
        qc={
            "arena": display_path(arena_path, study),
            "n_trials": len(per_trial),
            "n_probe_trials": len(probe),
            "missing_samples": missing,
            "latency_definition": "first sample inside the platform circle (Rtrack); "
            "unreached trials count at the cut-off",
            "strategy_scheme": p["scheme"],
        },
        warnings=warnings,
        variables=tuple(produced),
        figures=figures,
        skipped=batch.skipped,
    )


WATER_MAZE = register(
    ReadoutType(
        name="water_maze",
        title="Morris water maze",
        variables=WATER_MAZE_VARIABLES,
        load=load_water_maze,
        description="Escape latency and path length on the last acquisition day; probe-trial "
        "target-quadrant time and proximity, from tracking files.",
    )
)
