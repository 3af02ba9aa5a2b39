"""One call from a table of comparisons to the full meta-analysis (pooling, strata, bias)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.meta.bias import egger_test, trim_and_fill
from neuroprotect.meta.effect_sizes import Measure, SmdVariance, compute_effect_sizes
from neuroprotect.meta.models import RandomEffectsMeta
from neuroprotect.meta.subgroups import compute_subgroups

__all__ = ["meta_analyse"]


def _clean(value: Any) -> Any:
    """JSON-safe: NaN/inf become None, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def meta_analyse(
    data: pd.DataFrame,
    *,
    measure: Measure = "smd",
    method: str = "REML",
    by: Sequence[str] = (),
    knapp_hartung: bool = False,
    smd_variance: SmdVariance = "metafor",
    lower_is_better: bool = False,
    egger_model: Literal["rma", "lm"] = "rma",
) -> tuple[dict[str, Any], RandomEffectsMeta, pd.DataFrame]:
    """Effect sizes, pooled model, stratified analyses and small-study tests of a table.

    Parameters
    ----------
    data
        One row per treatment-vs-control comparison; see
        :func:`neuroprotect.meta.effect_sizes.compute_effect_sizes` for the columns.
    measure, smd_variance, lower_is_better
        Effect-size choices (passed to ``compute_effect_sizes``).
    method
        tau^2 estimator: REML, DL, PM or FE.
    by
        Stratifying columns; each gives one entry of ``subgroups``.
    knapp_hartung
        Knapp-Hartung inference for the pooled estimate, strata and trim-and-fill.
    egger_model
        ``"rma"`` (metafor ``regtest`` default) or ``"lm"`` (classic Egger).

    Returns
    -------
    result, model, effects
        ``result`` is JSON-ready with keys ``measure, method, knapp_hartung, k, estimate, se,
        statistic, p_val, ci_low, ci_high, tau2, tau2_ci_low, tau2_ci_high, i2`` (percent)``,
        h2, q, q_dof, q_p_val, pi_low, pi_high, studies`` (``study, yi, vi, weight`` in percent),
        ``subgroups`` (one per ``by`` column), ``egger`` and ``trimfill`` (None when k < 3).
        ``model`` is the fitted :class:`RandomEffectsMeta`; ``effects`` the effect-size table.
    """
    effects = compute_effect_sizes(
        data, measure=measure, smd_variance=smd_variance, lower_is_better=lower_is_better
    )
    labels = effects["study"].astype(str)
    if "comparison" in effects.columns:
        labels = effects["comparison"].astype(str)
    model = RandomEffectsMeta(method, knapp_hartung=knapp_hartung).fit(
        effects["yi"], effects["vi"], labels=list(labels)
    )
    summary = model.summary.iloc[0].to_dict()
    result: dict[str, Any] = {"measure": measure}
    if measure == "smd":
        result["smd_variance"] = smd_variance
    result.update(summary)
    result["studies"] = [
        {"study": s, "yi": y, "vi": v, "weight": w}
        for s, y, v, w in zip(model.labels_, model.yi_, model.vi_, model.weights_, strict=True)
    ]
    subgroups = []
    for col in by:
        if col not in effects.columns:
            raise InputError(
                f"Expected a stratifying column {col!r}, but the table has "
                f"{', '.join(repr(c) for c in data.columns if c != 'source_row')}",
                field=col,
            )
        sub = compute_subgroups(
            effects["yi"],
            effects["vi"],
            effects[col],
            method=method,
            knapp_hartung=knapp_hartung,
            by=col,
        )
        subgroups.append(sub.to_dict())
    result["subgroups"] = subgroups
    if model.k_ >= 3:
        egger = egger_test(
            effects["yi"],
            effects["vi"],
            model=egger_model,
            method=model.method,
            knapp_hartung=knapp_hartung,
        )
        result["egger"] = egger.to_dict()
        tf = trim_and_fill(
            effects["yi"], effects["vi"], method=model.method, knapp_hartung=knapp_hartung
        )
        result["trimfill"] = tf.to_dict()
    else:
        result["egger"] = None
        result["trimfill"] = None
    return _clean(result), model, effects
