"""One call from a table of comparisons to the full meta-analysis (pooling, strata, bias)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.meta.bias import egger_test, trim_and_fill
from neuroprotect.meta.effect_sizes import SmdVariance, compute_effect_sizes
from neuroprotect.meta.models import RandomEffectsMeta
from neuroprotect.meta.regression import design_matrix, meta_regression
from neuroprotect.meta.subgroups import compute_subgroups

__all__ = ["meta_analyse"]

AnalysisMeasure = Literal["smd", "nmd", "md", "rom", "given"]


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


def _given_effects(data: pd.DataFrame) -> pd.DataFrame:
    """Precomputed ``yi``/``vi`` columns (e.g. log risk ratios from another tool)."""
    missing = [c for c in ("study", "yi", "vi") if c not in data.columns]
    if missing:
        raise InputError(
            f"Expected columns study, yi, vi for --measure given, but {', '.join(missing)} missing"
        )
    out = data.copy()
    rows = out["source_row"] if "source_row" in out else pd.Series(np.arange(len(out)) + 2)
    for col in ("yi", "vi"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
        bad = out[col].isna() | (out[col] <= 0 if col == "vi" else False)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            what = "a positive variance" if col == "vi" else "a number"
            raise InputError(
                f"Expected {what}, but got {data[col].iloc[i]!r}",
                row=int(rows.iloc[i]),
                field=col,
            )
    out["sei"] = np.sqrt(out["vi"])
    return out


def meta_analyse(
    data: pd.DataFrame,
    *,
    measure: AnalysisMeasure = "smd",
    method: str = "REML",
    by: Sequence[str] = (),
    knapp_hartung: bool = False,
    smd_variance: SmdVariance = "metafor",
    lower_is_better: bool = False,
    egger_model: Literal["rma", "lm"] = "rma",
    egger_predictor: Literal["sei", "sqrtninv"] = "sei",
    moderators: Sequence[str] = (),
    mods: Sequence[str] = (),
    test: str | None = None,
) -> tuple[dict[str, Any], RandomEffectsMeta, pd.DataFrame]:
    """Effect sizes, pooled model, stratified analyses and small-study tests of a table.

    Parameters
    ----------
    data
        One row per treatment-vs-control comparison; see
        :func:`neuroprotect.meta.effect_sizes.compute_effect_sizes` for the columns. With
        ``measure="given"`` the columns are ``study, yi, vi`` (precomputed effect sizes). Rows
        are labelled by ``comparison`` when that column exists, else by ``study``.
    measure, smd_variance, lower_is_better
        Effect-size choices (passed to ``compute_effect_sizes``); ``"given"`` uses ``yi, vi``.
    method
        tau^2 estimator: REML, ML, DL, HE, SJ, PM, EB or FE (metafor's names and definitions).
    by
        Stratifying columns; each gives one entry of ``subgroups``. With several, each entry
        also carries ``p_between_bonferroni`` (p times the number of stratifying variables,
        capped at 1), the CAMARADES correction for testing several variables.
    knapp_hartung
        Synonym of ``test="knha"``.
    test
        ``"z"`` (default), ``"knha"`` (Knapp-Hartung) or ``"adhoc"`` (Knapp-Hartung with the
        scaling factor >= 1) for the pooled estimate, strata, meta-regressions and the Egger
        ``rma`` test. The trim-and-fill refit stays z-based, as metafor ``trimfill``.
    egger_model
        ``"rma"`` (metafor ``regtest`` default) or ``"lm"`` (classic Egger).
    moderators
        Columns for univariable meta-regressions (numeric: slope; text: dummies); each gives
        one entry of ``regressions`` (see
        :class:`~neuroprotect.meta.regression.MetaRegressionResult`).
    mods
        Columns of one multivariable meta-regression (metafor ``mods = ~ a + b``; intercept
        first, text columns as treatment-coded dummies). It is ``regressions[0]``, with
        ``moderator`` ``"a + b"``, before the univariable ``moderators`` fits.
    egger_predictor
        ``"sei"`` (default) or ``"sqrtninv"`` (1/sqrt(n_treat + n_ctrl); suggested for SMDs,
        whose SE depends on the effect itself; Zwetsloot et al. 2017).

    Returns
    -------
    result, model, effects
        ``result`` is JSON-ready with keys ``measure, method, test, knapp_hartung, k, estimate, se,
        statistic, p_val, ci_low, ci_high, pi_low, pi_high, tau2, se_tau2, tau2_ci_low,
        tau2_ci_high, i2`` (percent) ``h2, q, q_dof, q_p_val, studies`` (``study, yi, vi,
        weight`` in percent), ``subgroups`` (one per ``by`` column, see
        :class:`~neuroprotect.meta.subgroups.SubgroupResult`), ``regressions`` (one per
        moderator), ``egger`` and ``trimfill``
        (None when k < 3) and ``warnings`` (convergence notes of every fit, group sizes below
        2). ``model`` is the fitted :class:`RandomEffectsMeta`; ``effects`` the
        effect-size table.
    """
    if measure == "given":
        effects = _given_effects(data)
    else:
        effects = compute_effect_sizes(
            data, measure=measure, smd_variance=smd_variance, lower_is_better=lower_is_better
        )
    labels = effects["study"].astype(str)
    if "comparison" in effects.columns:
        labels = effects["comparison"].astype(str)
    model = RandomEffectsMeta(method, knapp_hartung=knapp_hartung, test=test).fit(
        effects["yi"], effects["vi"], labels=list(labels)
    )
    test = model.test
    warnings: list[str] = list(effects.attrs.get("warnings", []))
    warnings += [f"pooled model: {w}" for w in model.warnings_]
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
            test=test,
            by=col,
        ).to_dict()
        warnings += [f"by {col}: {w}" for w in sub["warnings"]]
        if len(by) > 1:
            sub["p_between_bonferroni"] = min(1.0, sub["p_between"] * len(by))
        subgroups.append(sub)
    result["subgroups"] = subgroups
    regressions = []
    fits = [(" + ".join(mods), list(mods))] if mods else []
    fits += [(col, [col]) for col in moderators]
    for label, cols in fits:
        reg = meta_regression(
            effects["yi"],
            effects["vi"],
            design_matrix(effects, cols),
            method=method,
            test=test,
        ).to_dict()
        warnings += [f"meta-regression on {label}: {w}" for w in reg["warnings"]]
        regressions.append({"moderator": label, **reg})
    result["regressions"] = regressions
    if model.k_ >= 3:
        ni = None
        if egger_predictor == "sqrtninv":
            if "n_treat" not in effects.columns:
                raise InputError("Expected n_treat and n_ctrl for the sqrtninv Egger predictor")
            ni = (effects["n_treat"] + effects["n_ctrl_effective"]).to_numpy(float)
        egger = egger_test(
            effects["yi"],
            effects["vi"],
            model=egger_model,
            predictor=egger_predictor,
            method=model.method,
            test=test,
            ni=ni,
        )
        result["egger"] = egger.to_dict()
        # metafor 3.8 trimfill() refits with z-based inference even for test="knha"; so do we
        tf = trim_and_fill(effects["yi"], effects["vi"], method=model.method)
        result["trimfill"] = tf.to_dict()
    else:
        result["egger"] = None
        result["trimfill"] = None
    result["warnings"] = warnings
    return _clean(result), model, effects
