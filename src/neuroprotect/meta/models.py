"""Fixed- and random-effects pooling of effect sizes (inverse-variance meta-analysis)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.meta._rma import METHODS, RmaFit, fit_rma, resolve_test, tau2_q_profile_ci

__all__ = ["RandomEffectsMeta", "check_yi_vi"]


def check_yi_vi(yi: Any, vi: Any, *, min_k: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Effect sizes and variances as float arrays, or an :class:`InputError` saying why not."""
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    if y.size != v.size:
        raise InputError(f"Expected as many variances as effect sizes ({y.size}), but got {v.size}")
    if y.size < min_k:
        raise InputError(f"Expected at least {min_k} studies to pool, but got {y.size}")
    if not (np.isfinite(y).all() and np.isfinite(v).all()):
        bad = int(np.flatnonzero(~(np.isfinite(y) & np.isfinite(v)))[0])
        raise InputError(
            f"Expected finite effect sizes and variances, but study {bad + 1} has none"
        )
    if (v <= 0).any():
        bad = int(np.flatnonzero(v <= 0)[0])
        raise InputError(
            f"Expected positive sampling variances, but study {bad + 1} has {v[bad]!r}"
        )
    return y, v


class RandomEffectsMeta:
    """Inverse-variance meta-analysis: fixed effect or random effects with a choice of tau^2.

    Parameters
    ----------
    method
        tau^2 estimator (metafor ``rma.uni(method=...)``; case-insensitive): ``"REML"`` (default;
        current CAMARADES practice), ``"ML"``, ``"DL"`` (DerSimonian-Laird, the classic CAMARADES
        choice), ``"HE"`` (Hedges), ``"SJ"`` (Sidik-Jonkman), ``"PM"`` (Paule-Mandel), ``"EB"``
        (empirical Bayes, the same equation as PM) or ``"FE"`` (fixed effect, tau^2 = 0).
    knapp_hartung
        Synonym of ``test="knha"``.
    test
        ``"z"`` (default), ``"knha"`` (Knapp-Hartung / HKSJ: the SE is scaled by the weighted
        residual variance and CIs/p-values use t(k - 1)) or ``"adhoc"`` (Knapp-Hartung with the
        scaling factor held at >= 1, so the CI is never narrower than the z-based one), as
        metafor's ``test=``.
    level
        Confidence level of the CI and prediction interval.

    Attributes
    ----------
    estimate_, se_, statistic_, p_val_ : float
        Pooled effect, its SE, z (or t with Knapp-Hartung) and two-sided p-value.
    ci_ : tuple of float
        Confidence interval of the pooled effect.
    pi_ : tuple of float
        Prediction interval for the true effect of a new study: ``estimate +- crit sqrt(se^2 +
        tau2)`` (metafor ``predict``; crit from t(k - 1) with Knapp-Hartung).
    tau2_, se_tau2_ : float
        Between-study variance and its SE (NaN for FE).
    tau2_ci_ : tuple of float
        Q-profile CI of tau^2 (Viechtbauer 2007; metafor ``confint``); NaN for FE.
    i2_ : float
        I^2 in percent. RE: ``100 tau2 / (tau2 + s2)`` with the typical within-study variance
        ``s2 = (k-1) sum w / ((sum w)^2 - sum w^2)``; FE: ``100 (Q - df) / Q``. Both as metafor;
        for DL the two coincide.
    h2_ : float
        H^2 = (tau2 + s2) / s2 (RE) or Q / df (FE).
    q_, q_dof_, q_p_val_ : float, int, float
        Cochran's Q (fixed-effect weights), its degrees of freedom and chi^2 p-value.
    weights_ : numpy.ndarray
        Percentage weight of each study, ``100 w_i / sum w`` with ``w_i = 1/(v_i + tau2)``.
    k_ : int
        Number of studies.
    warnings_ : list of str
        Convergence notes: several maxima of the (restricted) likelihood, a flat likelihood, no
        convergence. Empty when the estimate is clear.

    Notes
    -----
    ML and REML tau^2 are the global maximum of the (restricted) likelihood: Fisher scoring
    (Viechtbauer 2005) converged to 1e-10 from several starts (HE, DL, SJ, 0, ...) and checked by
    a scan over tau^2 >= 0; DL is ``max(0, (Q - (k-1)) / (sum w - sum w^2 / sum w))``. Numbers
    match metafor 3.8 ``rma.uni`` on ``dat.bcg`` (tests/meta/test_models.py) and metafor 4.6 on
    pymare's 180-fit grid (tests/meta/test_metafor_grid.py; docs/meta-analysis.md).

    Examples
    --------
    >>> fit = RandomEffectsMeta(method="DL").fit([0.1, 0.5, 0.9], [0.04, 0.05, 0.06])
    >>> round(fit.estimate_, 4)
    0.4834
    """

    def __init__(
        self,
        method: str = "REML",
        *,
        knapp_hartung: bool = False,
        test: str | None = None,
        level: float = 0.95,
    ):
        m = str(method).upper()
        if m not in METHODS:
            raise InputError(f"Expected method one of {', '.join(METHODS)}, but got {method!r}")
        if not 0 < level < 1:
            raise InputError(f"Expected a confidence level between 0 and 1, but got {level!r}")
        try:
            self.test = resolve_test(test, knapp_hartung)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        self.method = m
        self.knapp_hartung = self.test != "z"
        self.level = level

    def fit(
        self,
        yi: Sequence[float] | np.ndarray,
        vi: Sequence[float] | np.ndarray,
        *,
        labels: Sequence[str] | None = None,
    ) -> RandomEffectsMeta:
        """Pool effect sizes ``yi`` with sampling variances ``vi``; returns self.

        Parameters
        ----------
        yi, vi
            Effect sizes and their sampling variances (squared SEs), one per study; k >= 2.
        labels
            Study labels for :attr:`summary` and plots.

        Raises
        ------
        InputError
            Fewer than 2 studies, non-finite values, variances not positive.
        """
        y, v = check_yi_vi(yi, vi)
        self.yi_, self.vi_ = y, v
        self.labels_ = (
            [str(s) for s in labels] if labels is not None else [str(i + 1) for i in range(y.size)]
        )
        if len(self.labels_) != y.size:
            raise InputError(f"Expected {y.size} study labels, but got {len(self.labels_)}")
        fit: RmaFit = fit_rma(y, v, method=self.method, test=self.test)
        self.fit_ = fit
        self.k_ = int(y.size)
        self.estimate_ = float(fit.beta[0])
        self.se_ = float(fit.se[0])
        self.statistic_ = self.estimate_ / self.se_
        self.p_val_ = float(fit.p_values()[0])
        crit = fit.crit(self.level)
        self.ci_ = (self.estimate_ - crit * self.se_, self.estimate_ + crit * self.se_)
        half = crit * float(np.sqrt(self.se_**2 + fit.tau2))
        self.pi_ = (self.estimate_ - half, self.estimate_ + half)
        self.tau2_ = fit.tau2
        self.se_tau2_ = fit.se_tau2
        self.tau2_ci_ = (
            tau2_q_profile_ci(y, v, level=self.level)
            if self.method != "FE"
            else (float("nan"), float("nan"))
        )
        self.i2_ = fit.i2
        self.h2_ = fit.h2
        self.q_ = fit.q
        self.q_dof_ = fit.dof
        self.q_p_val_ = fit.q_p_val
        self.weights_ = 100 * fit.weights / fit.weights.sum()
        self.converged_ = fit.converged
        self.warnings_ = [f"{self.method}: {w}" for w in fit.warnings]
        return self

    @property
    def ci(self) -> tuple[float, float]:
        """Confidence interval of the pooled effect."""
        return self.ci_

    @property
    def h2(self) -> float:
        """H^2 (total / sampling variability)."""
        return self.h2_

    @property
    def params_(self) -> dict[str, float]:
        """Fitted parameters: pooled estimate and tau^2."""
        return {"estimate": self.estimate_, "tau2": self.tau2_}

    @property
    def summary(self) -> pd.DataFrame:
        """One-row results table.

        Columns: ``method, k, estimate, se, statistic, p_val, ci_low, ci_high, pi_low, pi_high,
        tau2, se_tau2, tau2_ci_low, tau2_ci_high, i2, h2, q, q_dof, q_p_val, knapp_hartung,
        test``.
        """
        return pd.DataFrame(
            [
                {
                    "method": self.method,
                    "k": self.k_,
                    "estimate": self.estimate_,
                    "se": self.se_,
                    "statistic": self.statistic_,
                    "p_val": self.p_val_,
                    "ci_low": self.ci_[0],
                    "ci_high": self.ci_[1],
                    "pi_low": self.pi_[0],
                    "pi_high": self.pi_[1],
                    "tau2": self.tau2_,
                    "se_tau2": self.se_tau2_,
                    "tau2_ci_low": self.tau2_ci_[0],
                    "tau2_ci_high": self.tau2_ci_[1],
                    "i2": self.i2_,
                    "h2": self.h2_,
                    "q": self.q_,
                    "q_dof": self.q_dof_,
                    "q_p_val": self.q_p_val_,
                    "knapp_hartung": self.knapp_hartung,
                    "test": self.test,
                }
            ]
        )

    @property
    def studies(self) -> pd.DataFrame:
        """Per-study table: ``study, yi, vi, se, ci_low, ci_high, weight`` (weight in percent)."""
        from scipy import stats

        z = float(stats.norm.ppf(0.5 + self.level / 2))
        se = np.sqrt(self.vi_)
        return pd.DataFrame(
            {
                "study": self.labels_,
                "yi": self.yi_,
                "vi": self.vi_,
                "se": se,
                "ci_low": self.yi_ - z * se,
                "ci_high": self.yi_ + z * se,
                "weight": self.weights_,
            }
        )

    def predict(self) -> dict[str, float]:
        """Pooled estimate with its CI and prediction interval (metafor ``predict.rma``)."""
        return {
            "pred": self.estimate_,
            "se": self.se_,
            "ci_low": self.ci_[0],
            "ci_high": self.ci_[1],
            "pi_low": self.pi_[0],
            "pi_high": self.pi_[1],
        }
