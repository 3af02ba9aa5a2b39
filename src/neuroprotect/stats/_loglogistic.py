"""The log-logistic least-squares engine behind :mod:`neuroprotect.stats.dose_response`.

Curve ``f(x) = c + (d - c) / (1 + exp(b (log x - log e)))`` with analytic first and second
derivatives, a least-squares fit with some parameters fixed, drc's observed-Hessian covariance and
delta-method effective doses. See :mod:`neuroprotect.stats.dose_response` for the public fitters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Self

import numpy as np
import pandas as pd
from scipy import optimize, stats

from neuroprotect.errors import InputError

PARAMS = ("b", "c", "d", "e")
Covariance = Literal["hessian", "jtj"]


def _curve(x: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value, gradient (n, 4) and Hessian (n, 4, 4) of f with respect to (b, c, d, e)."""
    b, c, d, e = theta
    pos = x > 0
    logx = np.log(np.where(pos, x, 1.0))
    L = np.where(pos, logx - np.log(e), 0.0)
    u = np.clip(b * L, -700, 700)
    g = np.where(pos, 1.0 / (1.0 + np.exp(u)), 1.0 if b > 0 else (0.0 if b < 0 else 0.5))
    g1 = np.where(pos, -g * (1 - g), 0.0)  # dg/du
    g2 = np.where(pos, g * (1 - g) * (1 - 2 * g), 0.0)  # d2g/du2
    h = d - c
    f = c + h * g
    ub, ue = L, -b / e  # du/db, du/de
    jac = np.column_stack([h * g1 * ub, 1 - g, g, h * g1 * ue])
    hess = np.zeros((x.size, 4, 4))
    hess[:, 0, 0] = h * g2 * ub**2
    hess[:, 0, 3] = h * (g2 * ub * ue + g1 * (-1 / e))
    hess[:, 3, 3] = h * (g2 * ue**2 + g1 * (b / e**2))
    hess[:, 0, 1] = -g1 * ub
    hess[:, 0, 2] = g1 * ub
    hess[:, 1, 3] = -g1 * ue
    hess[:, 2, 3] = g1 * ue
    for i, j in ((0, 3), (0, 1), (0, 2), (1, 3), (2, 3)):
        hess[:, j, i] = hess[:, i, j]
    return f, jac, hess


class LogLogisticFitter:
    """Least-squares fit of the drc log-logistic curve with some parameters fixed.

    Use :class:`LL4Fitter`, :class:`LL3Fitter` or :class:`HillFitter`.

    Attributes (after :meth:`fit`)
    ------------------------------
    ll_params_ : dict
        ``{"b", "c", "d", "e"}`` in drc parameterisation (fixed ones included).
    params_ : dict
        The model's own parameters (drc names for LL.4/LL.3, Hill names for Hill/Emax).
    vcov_ : pandas.DataFrame
        Covariance of the free drc parameters (see the module notes for the convention).
    rss_, rse_, df_, n_ : float, float, int, int
        Residual sum of squares, residual standard error sqrt(RSS/df), residual df, observations.
    dose_, response_ : numpy.ndarray
        The data fitted.
    """

    model = "LL"
    fixed: dict[str, float] = {}

    def __init__(self, *, covariance: Covariance = "hessian", conf_level: float = 0.95) -> None:
        if covariance not in ("hessian", "jtj"):
            raise InputError(f"Expected covariance 'hessian' or 'jtj', but got {covariance!r}")
        self.covariance = covariance
        self.conf_level = conf_level

    # ---------------------------------------------------------------- fitting
    @property
    def free(self) -> list[str]:
        return [p for p in PARAMS if p not in self.fixed]

    def _theta(self, free_values: np.ndarray) -> np.ndarray:
        values = dict(self.fixed)
        values.update(zip(self.free, free_values, strict=True))
        return np.array([values[p] for p in PARAMS], dtype=float)

    def _start(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """drc-like self-start: limits from the data range, b and e from a logit regression."""
        span = float(np.ptp(y))
        c = self.fixed.get("c", float(y.min()) - 0.05 * span)
        d = float(y.max()) + 0.05 * span
        pos = x > 0
        lx, yy = np.log(x[pos]), y[pos]
        lo, hi = min(c, d), max(c, d)
        ratio = np.clip((hi - yy) / np.clip(yy - lo, 1e-12 * span, None), 1e-8, 1e8)
        z = np.log(ratio)
        if "b" in self.fixed:
            b = self.fixed["b"]
            log_e = float(np.mean(lx - z / b))
        elif np.ptp(lx) > 0:
            b, intercept = np.polyfit(lx, z, 1)
            b = float(b) if abs(b) > 1e-3 else 1.0
            log_e = -intercept / b
        else:
            b, log_e = 1.0, float(lx.mean())
        log_e = float(np.clip(log_e, lx.min() - 3, lx.max() + 3))
        start = {"b": b, "c": c, "d": d, "log_e": log_e}
        return np.array([start["log_e" if p == "e" else p] for p in self.free], dtype=float)

    def _solve(self, x: np.ndarray, y: np.ndarray, start: np.ndarray) -> optimize.OptimizeResult:
        ie = self.free.index("e")

        def unpack(q: np.ndarray) -> np.ndarray:
            v = q.copy()
            v[ie] = np.exp(q[ie])
            return self._theta(v)

        idx = [PARAMS.index(p) for p in self.free]

        def resid(q: np.ndarray) -> np.ndarray:
            return _curve(x, unpack(q))[0] - y

        def jac(q: np.ndarray) -> np.ndarray:
            th = unpack(q)
            j = _curve(x, th)[1][:, idx]
            j[:, ie] *= th[3]  # chain rule for log e
            return j

        with np.errstate(all="ignore"):
            res = optimize.least_squares(
                resid,
                start,
                jac=jac,
                method="lm",
                xtol=1e-15,
                ftol=1e-15,
                gtol=1e-15,
                max_nfev=5000,
            )
        res.theta = unpack(res.x)
        return res

    def fit(
        self, dose: Sequence[float] | np.ndarray, response: Sequence[float] | np.ndarray
    ) -> Self:
        """Fit the curve by least squares.

        Parameters
        ----------
        dose
            Doses (>= 0; 0 = vehicle, entering as the limit of the curve).
        response
            Responses, one per dose.

        Returns
        -------
        self

        Raises
        ------
        InputError
            Different lengths, non-finite values, negative doses, too few doses or observations for
            the number of parameters, constant response, or a fit that does not converge.
        """
        x = np.asarray(dose, dtype=float).ravel()
        y = np.asarray(response, dtype=float).ravel()
        k = len(self.free)
        if x.size != y.size:
            raise InputError(f"Expected as many responses as doses, but got {y.size} and {x.size}")
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise InputError("Expected finite numbers for dose and response, but got NaN/inf")
        if (x < 0).any():
            raise InputError(
                f"Expected doses >= 0 for a log-logistic model, but got {x[x < 0][0]:g}",
                field="dose",
            )
        n_pos = np.unique(x[x > 0]).size
        if n_pos < 2 or np.unique(x).size < k:
            raise InputError(
                f"Expected at least {max(k, 2)} distinct doses (2 of them > 0) to fit "
                f"{self.model}, "
                f"but got {np.unique(x).size} ({n_pos} > 0)",
                field="dose",
            )
        if x.size <= k:
            raise InputError(
                f"Expected more than {k} observations to fit {self.model}, but got {x.size}"
            )
        if np.ptp(y) == 0:
            raise InputError("Expected a response that varies, but every response is the same")
        best = None
        first = self._start(x, y)
        starts = [first]
        if "b" in self.free:
            ib = self.free.index("b")
            for factor in (-1.0, 0.3, 3.0):
                alt = first.copy()
                alt[ib] *= factor
                starts.append(alt)
        for start in starts:
            res = self._solve(x, y, start)
            if np.all(np.isfinite(res.fun)) and (best is None or res.cost < best.cost - 1e-14):
                best = res
        if best is None or not best.success:
            raise InputError(
                f"Expected data that a {self.model} curve can be fitted to, but the fit did not "
                "converge"
            )
        self._finish(x, y, best.theta)
        return self

    def _finish(self, x: np.ndarray, y: np.ndarray, theta: np.ndarray) -> None:
        f, jac, hess = _curve(x, theta)
        idx = [PARAMS.index(p) for p in self.free]
        r = y - f
        self.n_ = int(x.size)
        self.df_ = int(x.size - len(idx))
        self.rss_ = float(r @ r)
        self.rse_ = float(np.sqrt(self.rss_ / self.df_))
        j = jac[:, idx]
        info = j.T @ j
        if self.covariance == "hessian":
            info = info - np.einsum("i,ijk->jk", r, hess[:, idx][:, :, idx])
        try:
            vcov = self.rse_**2 * np.linalg.inv(info)
        except np.linalg.LinAlgError:
            raise InputError(
                f"Expected data that identify every {self.model} parameter, but the information "
                "matrix is singular (too few doses on the slope?)"
            ) from None
        if not np.all(np.diag(vcov) > 0):
            raise InputError(
                f"Expected a well-determined {self.model} fit, but the covariance is not positive"
            )
        self.ll_params_ = {p: float(v) for p, v in zip(PARAMS, theta, strict=True)}
        self.vcov_ = pd.DataFrame(vcov, index=self.free, columns=self.free)
        self.dose_, self.response_ = x, y

    # ---------------------------------------------------------------- results
    @property
    def params_(self) -> dict[str, float]:
        return dict(self.ll_params_)

    def _tq(self) -> float:
        return float(stats.t.ppf(0.5 + self.conf_level / 2, self.df_))

    @property
    def summary(self) -> pd.DataFrame:
        """One row per free parameter: ``param, estimate, se, statistic`` (t), ``dof, p_val``
        (H0: parameter = 0, two-sided), ``ci_low, ci_high`` (t-based Wald interval)."""
        est = np.array([self.ll_params_[p] for p in self.free])
        se = np.sqrt(np.diag(self.vcov_.to_numpy()))
        return self._table(self.free, est, se)

    def _table(self, names: list[str], est: np.ndarray, se: np.ndarray) -> pd.DataFrame:
        t = est / se
        q = self._tq()
        return pd.DataFrame(
            {
                "param": names,
                "estimate": est,
                "se": se,
                "statistic": t,
                "dof": self.df_,
                "p_val": 2 * stats.t.sf(np.abs(t), self.df_),
                "ci_low": est - q * se,
                "ci_high": est + q * se,
            }
        )

    def predict(self, dose: Sequence[float] | np.ndarray | float) -> np.ndarray:
        """Fitted response at the given doses (dose 0 gives the curve's limit at zero)."""
        x = np.atleast_1d(np.asarray(dose, dtype=float))
        return _curve(x, np.array([self.ll_params_[p] for p in PARAMS]))[0]

    def ed(self, levels: float | Sequence[float] = 50) -> pd.DataFrame:
        """Effective doses ED_p with delta-method SEs and t-based CIs (drc ``ED(type="relative")``).

        Parameters
        ----------
        levels
            Percent(s) of the effect, strictly between 0 and 100: ED_p is the dose giving p % of the
            change from the control limit (dose 0) to the high-dose limit.

        Returns
        -------
        pandas.DataFrame
            ``level, estimate, se, ci_low, ci_high``.

        Notes
        -----
        ED_p = e (p / (100 - p))^(1/|b|); gradient d/db = -sign(b) ED_p log(p/(100-p)) / b^2,
        d/de = ED_p / e; SE = sqrt(g' V g) with V the parameter covariance; CI = ED_p +- t(df) SE.
        """
        lv = np.atleast_1d(np.asarray(levels, dtype=float))
        if np.any((lv <= 0) | (lv >= 100)):
            raise InputError(
                f"Expected ED levels strictly between 0 and 100, but got {lv.tolist()}"
            )
        b, e = self.ll_params_["b"], self.ll_params_["e"]
        vcov = self.vcov_.to_numpy()
        q = self._tq()
        rows = []
        for p in lv:
            r = p / (100 - p)
            val = e * r ** (1 / abs(b))
            grad = {"b": -np.sign(b) * val * np.log(r) / b**2, "c": 0.0, "d": 0.0, "e": val / e}
            g = np.array([grad[name] for name in self.free])
            se = float(np.sqrt(g @ vcov @ g))
            rows.append(
                {
                    "level": p,
                    "estimate": val,
                    "se": se,
                    "ci_low": val - q * se,
                    "ci_high": val + q * se,
                }
            )
        return pd.DataFrame(rows)
