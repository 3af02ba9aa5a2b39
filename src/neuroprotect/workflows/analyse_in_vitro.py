"""Analysis of one variable of an in vitro study, with the independent experiment as the unit of
analysis (:mod:`neuroprotect.workflows.unit_of_analysis`); called by
:func:`neuroprotect.workflows.analyse.analyse_study` for ``setting: in_vitro``."""

from __future__ import annotations

import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.io.cultures import EXPERIMENT, MIN_EXPERIMENTS
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Study, UnitOfAnalysis
from neuroprotect.workflows.analyse import (
    _family_order,
    analyse_variable,
    analyse_variable_blinded,
    no_statistics,
)
from neuroprotect.workflows.outcome import VariableResult
from neuroprotect.workflows.readouts import VariableSpec
from neuroprotect.workflows.unit_of_analysis import (
    compare_mixed_model,
    experiment_means,
    with_experiments,
)


def analyse_variable_in_vitro(
    study: Study,
    readout_id: str,
    readout_type: str,
    spec: VariableSpec,
    values: pd.DataFrame,
    cultures: pd.DataFrame,
    *,
    blinded: bool,
) -> VariableResult:
    """An in vitro variable, with the independent experiment as the unit of analysis
    (:mod:`neuroprotect.workflows.unit_of_analysis`): ``values`` holds one row per culture; the
    result's data are the experiment means (one per experiment and group)."""
    means = experiment_means(values, cultures)
    result = _in_vitro_result(
        study, readout_id, readout_type, spec, values, means, cultures, blinded=blinded
    )
    n_variable = means[EXPERIMENT].nunique()
    kept = cultures.loc[~cultures[C.EXCLUDED].astype(bool), EXPERIMENT].nunique()
    if n_variable < MIN_EXPERIMENTS <= kept:  # the study-wide warning does not cover it
        result.warnings.insert(
            0,
            f"values from only {n_variable} independent experiment(s); at least "
            f"{MIN_EXPERIMENTS} are needed (pseudo-replication).",
        )
    return result


def _in_vitro_result(
    study: Study,
    readout_id: str,
    readout_type: str,
    spec: VariableSpec,
    values: pd.DataFrame,
    means: pd.DataFrame,
    cultures: pd.DataFrame,
    *,
    blinded: bool,
) -> VariableResult:
    if blinded:  # all pairs of coded groups on the experiment means (mixed model once unblinded)
        return analyse_variable_blinded(study, readout_id, readout_type, spec, means, cultures)
    if study.unit_of_analysis != UnitOfAnalysis.MIXED_MODEL:
        return analyse_variable(study, readout_id, readout_type, spec, means, cultures)
    result = VariableResult(readout_id, readout_type, spec, means, None, None)
    per_culture = with_experiments(values, cultures)
    vehicle, sham = study.vehicle.id, study.sham
    present = set(values[C.GROUP])
    if vehicle not in present:
        raise InputError(
            f"Expected values for the vehicle group {vehicle!r}, but there are none",
            file=study.manifest_path,
            field=f"readouts.{readout_id}.{spec.name}",
        )
    try:
        family = _family_order(study, present)
        if len(family) >= 2:
            result.comparison = compare_mixed_model(
                per_culture, control=vehicle, order=family, experiment_level=means
            )
        if sham is not None and sham.id in present:
            result.model_check = compare_mixed_model(
                per_culture, control=vehicle, order=[vehicle, sham.id], experiment_level=means
            )
    except InputError as exc:
        result.warnings.append(no_statistics(exc))
        result.comparison = result.model_check = None
    return result
