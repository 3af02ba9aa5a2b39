"""Four- and five-parameter logistic standard curves (4PL, 5PL) for immunoassays.

ELISA parameterisation (SoftMax Pro, Gottschalk & Dunn 2005)::

    4PL:  y = d + (a - d) / (1 + (x / c)^b)
    5PL:  y = d + (a - d) / (1 + (x / c)^b)^g

``a`` is the signal at concentration 0, ``d`` the signal at infinite concentration, ``c`` the
inflection concentration (the EC50 of the 4PL), ``b`` the slope factor and ``g`` the asymmetry
(``g = 1`` gives the 4PL). ``b``, ``c`` and ``g`` are kept positive, so ``a`` is always the
zero-concentration signal: ``a < d`` for a sandwich ELISA, ``a > d`` for a competitive one. The 4PL is drc's ``LL.4`` with ``b_drc = b``, ``c_drc = d``,
``d_drc = a``, ``e_drc = c`` (see :mod:`neuroprotect.stats.dose_response`), and the 5PL is drc's
``LL.5`` with ``f = g``. R's ``SSfpl(log(x), A, B, xmid, scal)`` is the 4PL with ``A = a``,
``B = d``, ``xmid = log c``, ``scal = 1 / b``; ``SSlogis`` is the 4PL with ``a = 0`` fixed.

Fitting: (weighted) least squares with analytic derivatives, started from the unweighted drc
LL.4 fit of :class:`~neuroprotect.stats.dose_response.LL4Fitter`. With ``weights="1/y2"`` each
standard has weight ``1 / y_i^2`` (observed signal), which evens out the relative error over the
curve (SoftMax Pro's "1/Y²"). The covariance is R ``nls``'s Gauss-Newton
``sigma^2 (J' W J)^-1`` with ``sigma^2 = sum w_i r_i^2 / (n - p)``; intervals use the t quantile
on ``n - p`` degrees of freedom.
"""

from __future__ import annotations

from typing import Literal, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, stats

from neuroprotect.errors import InputError
from neuroprotect.stats.dose_response import LL4Fitter

__all__ = ["FivePLFitter", "FourPLFitter", "LogisticFitter", "Weights", "make_fitter"]

Weights = Literal["none", "1/y2"]
_ALL = ("a", "b", "c", "d", "g")
_LOG = ("b", "c", "g")  # optimised on the log scale: b, c, g > 0


def _logistic(x: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """5PL value and gradient (n, 5) with respect to (a, b, c, d, g); x = 0 is the limit."""
    a, b, c, d, g = p
    pos = x > 0
    lxc = np.where(pos, np.log(np.where(pos, x, 1.0)) - np.log(c), -np.inf)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        blx = np.where(pos, b * lxc, -np.inf if b > 0 else np.inf)
        blx = np.clip(blx, -700, 700)
        log_s = np.logaddexp(0.0, blx)  # log(1 + u)
        big_g = np.exp(-g * log_s)  # (1 + u)^-g
        frac = np.exp(-g * log_s + blx - log_s)  # u (1 + u)^(-g-1)
    h = a - d
    f = d + h * big_g
    jac = np.column_stack(
        [
            big_g,
            np.where(pos, -h * g * frac * np.where(pos, lxc, 0.0), 0.0),
            h * g * frac * b / c,
            1.0 - big_g,
            -h * big_g * log_s,
        ]
    )
    return f, jac


class LogisticFitter:
    """Weighted least-squares logistic standard curve; use :class:`FourPLFitter` or
    :class:`FivePLFitter`.

    Parameters
    ----------
    weights
        ``"none"`` (ordinary least squares) or ``"1/y2"`` (weights 1 / signal²).
    fixed
        Parameters held at a value, e.g. ``{"a": 0.0}`` for a curve through the origin (R's
        ``SSlogis``).
    conf_level
        Confidence level of the parameter intervals in :attr:`summary`.

    Attributes (after :meth:`fit`)
    ------------------------------
    params_ : dict
        ``a, b, c, d`` (and ``g`` for the 5PL), fixed ones included.
    vcov_ : pandas.DataFrame
        Covariance of the free parameters.
    rss_, rse_, df_, n_
        Weighted residual sum of squares, residual standard error sqrt(rss / df), residual
        degrees of freedom, number of points.
    concentration_, signal_, weights_
        The data fitted.
    """

    model = "5PL"
    n_params = 5

    def __init__(
        self,
        *,
        weights: Weights = "none",
        fixed: dict[str, float] | None = None,
        conf_level: float = 0.95,
    ) -> None:
        if weights not in ("none", "1/y2"):
            raise InputError(f"Expected weights 'none' or '1/y2', but got {weights!r}")
        names = _ALL[: self.n_params]
        fixed = dict(fixed or {})
        unknown = set(fixed) - set(names)
        if unknown:
            raise InputError(
                f"Expected fixed parameters among {', '.join(names)}, but got "
                f"{', '.join(sorted(unknown))}"
            )
        self.weights = weights
        self.fixed = {**fixed, **({"g": 1.0} if self.n_params == 4 else {})}
        self.conf_level = conf_level

    @property
    def free(self) -> list[str]:
        return [p for p in _ALL if p not in self.fixed]

    # ------------------------------------------------------------------ fitting
    def _full(self, q: np.ndarray) -> np.ndarray:
        """All five parameters from the optimiser's free vector (c and g on log scale)."""
        v = dict(self.fixed)
        for name, val in zip(self.free, q, strict=True):
            v[name] = float(np.exp(val)) if name in _LOG else float(val)
        return np.array([v[p] for p in _ALL])

    def _starts(self, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        try:
            ll4 = LL4Fitter(covariance="jtj").fit(x, y).params_
            if ll4["b"] > 0:
                base = {"a": ll4["d"], "b": ll4["b"], "c": ll4["e"], "d": ll4["c"], "g": 1.0}
            else:  # the same 4PL written with b > 0
                base = {"a": ll4["c"], "b": -ll4["b"], "c": ll4["e"], "d": ll4["d"], "g": 1.0}
        except InputError:
            lo, hi = float(y[x == x.min()].mean()), float(y[x == x.max()].mean())
            pos = x[x > 0]
            base = {"a": lo, "b": 1.0, "c": float(np.exp(np.log(pos).mean())), "d": hi, "g": 1.0}
        base.update(self.fixed)
        out = []
        for g0 in (1.0, 0.5, 2.0) if "g" in self.free else (1.0,):
            start = dict(base, g=self.fixed.get("g", g0))
            out.append(np.array([np.log(start[p]) if p in _LOG else start[p] for p in self.free]))
        return out

    def fit(self, concentration: ArrayLike, signal: ArrayLike) -> Self:
        """Fit the curve to the standards.

        Parameters
        ----------
        concentration
            Nominal concentration of each standard well (>= 0; 0 enters as the curve's limit).
        signal
            Signal (OD, RLU...) of each standard well.

        Returns
        -------
        self

        Raises
        ------
        InputError
            Non-finite values, negative concentrations, fewer distinct concentrations than free
            parameters, a zero signal with 1/y² weights, or a fit that does not converge.
        """
        x = np.asarray(concentration, dtype=float).ravel()
        y = np.asarray(signal, dtype=float).ravel()
        k = len(self.free)
        if x.size != y.size:
            raise InputError(f"Expected one signal per standard, but got {y.size} and {x.size}")
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise InputError("Expected finite standard concentrations and signals, but got NaN")
        if (x < 0).any():
            raise InputError(f"Expected concentrations >= 0, but got {x[x < 0][0]:g}")
        if np.unique(x).size < k or np.unique(x[x > 0]).size < 2 or x.size <= k:
            raise InputError(
                f"Expected at least {k} distinct standard concentrations (and more than {k} "
                f"wells) to fit a {self.model} curve, but got {np.unique(x).size} in {x.size} "
                "wells"
            )
        if self.weights == "1/y2":
            if (y == 0).any():
                raise InputError("Expected non-zero standard signals for 1/y² weights")
            w = 1.0 / y**2
        else:
            w = np.ones_like(y)
        sw = np.sqrt(w)
        idx = [_ALL.index(p) for p in self.free]

        def resid(q: np.ndarray) -> np.ndarray:
            return (_logistic(x, self._full(q))[0] - y) * sw

        def jac(q: np.ndarray) -> np.ndarray:
            p = self._full(q)
            j = _logistic(x, p)[1][:, idx]
            for col, name in enumerate(self.free):
                if name in _LOG:
                    j[:, col] *= p[_ALL.index(name)]
            return j * sw[:, None]

        best = None
        for start in self._starts(x, y):
            with np.errstate(all="ignore"):
                res = optimize.least_squares(
                    resid,
                    start,
                    jac=jac,
                    method="lm",
                    xtol=1e-15,
                    ftol=1e-15,
                    gtol=1e-15,
                    max_nfev=10000,
                )
            if np.all(np.isfinite(res.fun)) and (best is None or res.cost < best.cost - 1e-15):
                best = res
        if best is None or not best.success:
            raise InputError(
                f"Expected standards a {self.model} curve fits, but it did not converge"
            )
        p = self._full(best.x)
        f, j = _logistic(x, p)
        r = (y - f) * sw
        jw = j[:, idx] * sw[:, None]
        self.n_ = int(x.size)
        self.df_ = int(x.size - k)
        self.rss_ = float(r @ r)
        self.rse_ = float(np.sqrt(self.rss_ / self.df_))
        try:
            vcov = self.rse_**2 * np.linalg.inv(jw.T @ jw)
        except np.linalg.LinAlgError:
            raise InputError(
                f"Expected standards that determine every {self.model} parameter, but the "
                "information matrix is singular"
            ) from None
        self.params_ = {n: float(v) for n, v in zip(_ALL[: self.n_params], p, strict=False)}
        self.vcov_ = pd.DataFrame(vcov, index=self.free, columns=self.free)
        self.concentration_, self.signal_, self.weights_ = x, y, w
        return self

    # ------------------------------------------------------------------ results
    def _p(self) -> np.ndarray:
        return np.array([self.params_.get(n, 1.0) for n in _ALL])

    @property
    def summary(self) -> pd.DataFrame:
        """One row per free parameter: ``param, estimate, se, statistic, dof, p_val, ci_low,
        ci_high`` (t-based Wald intervals, as R ``confint.default`` with t quantiles)."""
        est = np.array([self.params_[p] for p in self.free])
        with np.errstate(invalid="ignore"):
            se = np.sqrt(np.diag(self.vcov_.to_numpy()))  # NaN: a numerically singular fit
        t = est / se
        q = float(stats.t.ppf(0.5 + self.conf_level / 2, self.df_))
        return pd.DataFrame(
            {
                "param": self.free,
                "estimate": est,
                "se": se,
                "statistic": t,
                "dof": self.df_,
                "p_val": 2 * stats.t.sf(np.abs(t), self.df_),
                "ci_low": est - q * se,
                "ci_high": est + q * se,
            }
        )

    def predict(self, concentration: ArrayLike | float) -> np.ndarray:
        """Signal on the fitted curve at ``concentration``."""
        x = np.atleast_1d(np.asarray(concentration, dtype=float))
        return _logistic(x, self._p())[0]

    def inverse(self, signal: ArrayLike | float) -> np.ndarray:
        """Concentration whose curve signal is ``signal`` (NaN when the signal is not strictly
        between the asymptotes ``a`` and ``d``: such a signal has no concentration).

        Notes
        -----
        ``x = c (((a - d) / (y - d))^(1/g) - 1)^(1/b)``.
        """
        y = np.atleast_1d(np.asarray(signal, dtype=float))
        a, b, c, d, g = self._p()
        with np.errstate(all="ignore"):
            ratio = (a - d) / (y - d)
            inner = ratio ** (1.0 / g) - 1.0
            x = c * inner ** (1.0 / b)
        inside = (ratio > 1) & np.isfinite(x)
        return np.where(inside, x, np.nan)

    def curve_range(self) -> tuple[float, float]:
        """The asymptotes (low, high) of the signal."""
        a, d = self.params_["a"], self.params_["d"]
        return (min(a, d), max(a, d))


class FourPLFitter(LogisticFitter):
    """Four-parameter logistic curve ``y = d + (a - d) / (1 + (x / c)^b)``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0, 1, 3, 10, 30, 100, 300.0])
    >>> y = 2.0 + (0.05 - 2.0) / (1 + (x / 20.0) ** 1.2)
    >>> fit = FourPLFitter().fit(np.repeat(x, 2), np.repeat(y, 2) + np.tile([1e-3, -1e-3], 7))
    >>> round(fit.params_["c"], 2), round(float(fit.inverse(y[3])[0]), 3)
    (20.0, 10.0)
    """

    model = "4PL"
    n_params = 4


class FivePLFitter(LogisticFitter):
    """Five-parameter logistic curve ``y = d + (a - d) / (1 + (x / c)^b)^g`` (asymmetric)."""

    model = "5PL"
    n_params = 5


def make_fitter(
    model: str, *, weights: Weights = "none", fixed: dict[str, float] | None = None
) -> LogisticFitter:
    """A 4PL or 5PL fitter by name (``"4pl"`` / ``"5pl"``)."""
    key = model.lower()
    if key not in ("4pl", "5pl"):
        raise InputError(f"Expected model '4pl' or '5pl', but got {model!r}", field="model")
    cls: type[LogisticFitter] = FourPLFitter if key == "4pl" else FivePLFitter
    return cls(weights=weights, fixed=fixed)
