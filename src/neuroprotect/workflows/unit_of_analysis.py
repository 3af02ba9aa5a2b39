"""The unit of analysis of an in vitro study: the independent experiment, not the culture.

Cultures (wells, dishes) of one group within one independent experiment are technical
replicates. ``design.unit_of_analysis`` chooses how they enter the statistics:

- ``experiment_mean`` (default): the cultures of each experiment are averaged per group, and the
  groups are compared on these means (one value per experiment and group) by the same automatic
  procedure as any other variable (:func:`neuroprotect.stats.compare_groups`).
- ``mixed_model``: every culture enters a linear mixed model with a random intercept per
  experiment, ``value ~ group + (1 | experiment)`` fitted by REML
  (:func:`neuroprotect.stats.repeated.fit_mixed_model`, which matches lme4/lmerTest), each group
  against vehicle by its t-test with Satterthwaite degrees of freedom, Holm-adjusted. It assumes
  the treatment effect is the same in every experiment (no experiment x group term).

Either way the figures show one dot per experiment and group (the experiment means).

References
----------
Lazic SE, Clarke-Williams CJ, Munafò MR (2018). What exactly is 'N' in cell culture and animal
experiments? PLoS Biol 16:e2005282.
Kuznetsova A, Brockhoff PB, Christensen RHB (2017). lmerTest package. J Stat Softw 82(13).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.io.cultures import EXPERIMENT
from neuroprotect.schema import columns as C
from neuroprotect.stats.descriptive import describe_groups
from neuroprotect.stats.multiplicity import p_adjust
from neuroprotect.stats.repeated import fit_mixed_model
from neuroprotect.stats.result import ComparisonResult

#: Column of the experiment means: how many cultures each mean averages.
N_CULTURES = "n_cultures"
#: ``ComparisonResult.method`` of the mixed-model analysis.
LMM_METHOD = "lmm-experiment"


def with_experiments(values: pd.DataFrame, cultures: pd.DataFrame) -> pd.DataFrame:
    """Per-culture values (``animal_id, group, value``) with each culture's ``experiment``."""
    experiment = dict(
        zip(cultures[C.ANIMAL_ID].astype(str), cultures[EXPERIMENT].astype(str), strict=True)
    )
    out = values.copy()
    out[EXPERIMENT] = out[C.ANIMAL_ID].astype(str).map(experiment)
    return out


def experiment_means(values: pd.DataFrame, cultures: pd.DataFrame) -> pd.DataFrame:
    """One row per independent experiment and group: the mean of its cultures.

    Parameters
    ----------
    values
        One row per analysed culture: ``animal_id`` (culture id), ``group``, ``value``.
    cultures
        The cultures table (:func:`neuroprotect.io.cultures.load_cultures`).

    Returns
    -------
    pandas.DataFrame
        ``animal_id`` (the experiment id, the unit shown in figures), ``group``, ``value``,
        ``experiment``, ``n_cultures``; in order of first appearance of experiment and group.
    """
    data = with_experiments(values, cultures)
    means = (
        data.groupby([EXPERIMENT, C.GROUP], sort=False)[C.VALUE]
        .agg(["mean", "size"])
        .reset_index()
        .rename(columns={"mean": C.VALUE, "size": N_CULTURES})
    )
    means[C.ANIMAL_ID] = means[EXPERIMENT]
    return means[[C.ANIMAL_ID, C.GROUP, C.VALUE, EXPERIMENT, N_CULTURES]]


def compare_mixed_model(
    cultures_values: pd.DataFrame,
    *,
    control: str,
    order: list[str],
    experiment_level: pd.DataFrame,
) -> ComparisonResult:
    """Each group of ``order`` (after ``control``) against ``control`` by a mixed model with a
    random intercept per experiment.

    Parameters
    ----------
    cultures_values
        One row per culture: ``group``, ``value``, ``experiment``.
    control
        The reference group (vehicle, or for the model check vehicle vs sham).
    order
        Groups in the family, ``control`` first.
    experiment_level
        The experiment means (:func:`experiment_means`), for the per-group summary (n =
        experiments).

    Returns
    -------
    ComparisonResult
        ``method`` :data:`LMM_METHOD`; one contrast per group (``estimate`` = group − control,
        t with Satterthwaite ``dof``, unadjusted 95 % CI, Holm ``p_adj``, ``n`` the group's
        experiments); no omnibus test.

    Raises
    ------
    InputError
        Fewer than 2 experiments, a group measured in no experiment alongside the control, a
        constant response.
    """
    data = cultures_values[cultures_values[C.GROUP].isin(order)].copy()
    # neutral level codes keep the reference first whatever the group ids look like
    code = {g: f"g{i:02d}" for i, g in enumerate(order)}
    data["_level"] = data[C.GROUP].map(code)
    data = data.sort_values("_level", kind="stable")
    try:
        fit = fit_mixed_model(
            data, dv=C.VALUE, subject=EXPERIMENT, within="_level", within_categorical=True
        )
    except InputError as exc:
        raise InputError(
            "Expected a mixed model of group + (1 | experiment) to be estimable (every group in "
            f"an experiment with the control, 2 or more experiments), but: {exc.message}"
        ) from None
    fixed = fit.fixed_effects.set_index("term")
    rows = []
    for g in order[1:]:
        term = f"_level[{code[g]}]"
        if term not in fixed.index:
            continue
        fe = fixed.loc[term]
        rows.append(
            {
                "test": "lmm-t",
                "contrast": f"{g} - {control}",
                "group": g,
                "control": control,
                "estimate": float(fe["estimate"]),
                "statistic": float(fe["statistic"]),
                "dof": float(fe["dof"]),
                "p_val": float(fe["p_val"]),
                "ci_low": float(fe["ci_low"]),
                "ci_high": float(fe["ci_high"]),
                "effect_size": np.nan,
                "effect_type": None,
                "n": int(data.loc[data[C.GROUP] == g, EXPERIMENT].nunique()),  # experiments
                "se": float(fe["se"]),
                "effect_ci_low": np.nan,
                "effect_ci_high": np.nan,
                "ci_level": 0.95,
            }
        )
    contrasts = pd.DataFrame(rows)
    if not contrasts.empty:
        contrasts["p_adj"] = p_adjust(contrasts["p_val"].to_numpy(float), method="holm")
        cols = [*C.RESULT_COLUMNS, "se", "effect_ci_low", "effect_ci_high", "ci_level"]
        contrasts = contrasts[cols]
    re_sd = float(fit.random_effects["sd"].iloc[0])
    n_exp = data[EXPERIMENT].nunique()
    reason = (
        "Linear mixed model with a random intercept per independent experiment, "
        f"{C.VALUE} ~ group + (1 | experiment), on {len(data)} cultures of "
        f"{n_exp} independent experiments (REML; SD between experiments {re_sd:.3g}, residual "
        f"SD {fit.sigma:.3g}); each group against {control} by its t-test with "
        f"{'Satterthwaite degrees of freedom' if fit.df_method == 'satterthwaite' else 'the normal distribution (Wald z)'}, "
        "Holm-adjusted."
    )
    summary = describe_groups(
        experiment_level[experiment_level[C.GROUP].isin(order)],
        dv=C.VALUE,
        group=C.GROUP,
        order=[g for g in order if g in set(experiment_level[C.GROUP])],
    )
    return ComparisonResult(
        method=LMM_METHOD,
        method_reason=reason,
        omnibus={},
        contrasts=contrasts,
        summary=summary,
        warnings=list(fit.warnings),
        dv=C.VALUE,
        group_col=C.GROUP,
        control=control,
    )
