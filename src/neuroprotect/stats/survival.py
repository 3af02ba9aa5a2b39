"""Censored latencies: Kaplan-Meier curves, log-rank tests and median latencies.

Passive-avoidance step-through latencies and water-maze escape latencies stop at a cut-off (e.g.
300 s or 60 s): an animal that never crosses or never finds the platform has a latency *at least*
the cut-off, not equal to it. Treating these values as observed biases means and ranks, so they are
analysed as right-censored times: a latency equal to the cut-off is censored (``event=False``).

Every function takes a tidy table (one row per animal) and column names; numbers are unrounded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from neuroprotect.errors import InputError
from neuroprotect.stats.multiplicity import p_adjust

__all__ = [
    "prepare_latencies",
    "kaplan_meier",
    "logrank_test",
    "pairwise_logrank",
    "median_latency",
    "analyse_latencies",
]

_TOL = float(np.sqrt(np.finfo(float).eps))


def prepare_latencies(
    data: pd.DataFrame,
    *,
    time: str,
    group: str,
    cutoff: float | None = None,
    event: str | None = None,
) -> pd.DataFrame:
    """Validate latencies and derive the event indicator from the cut-off.

    Parameters
    ----------
    data
        One row per animal.
    time
        Column with the latency (seconds; must be >= 0).
    group
        Column with the group label.
    cutoff
        Cut-off of the trial (seconds). A latency equal to the cut-off is censored; a latency above
        it is an error. Required unless ``event`` is given.
    event
        Optional column of booleans (or 0/1): True when the event (step-through, platform found) was
        observed. It overrides the cut-off rule; the cut-off is then only checked as an upper bound.

    Returns
    -------
    pandas.DataFrame
        Columns ``group`` (ordered categorical: numeric labels such as doses in numeric order,
        others alphabetically), ``time`` (float) and ``event`` (bool), in input order.

    Raises
    ------
    InputError
        Missing column, missing/non-numeric/negative latency, latency above the cut-off, bad event
        values, fewer than two groups.
    """
    for col in (time, group) + ((event,) if event is not None else ()):
        if col not in data.columns:
            raise InputError(
                f"Expected a column {col!r}, but the table has "
                f"{', '.join(map(repr, data.columns))}",
                field=col,
            )
    if cutoff is None and event is None:
        raise InputError("Expected a cut-off (seconds) or an event column, but got neither")
    times = pd.to_numeric(data[time], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(times) | (times < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"Expected a latency >= 0 seconds, but got {data[time].iloc[i]!r}",
            row=i + 1,
            field=time,
        )
    if cutoff is not None:
        if not np.isfinite(cutoff) or cutoff <= 0:
            raise InputError(f"Expected a cut-off > 0 seconds, but got {cutoff!r}", field="cutoff")
        above = times > cutoff * (1 + 1e-12)
        if above.any():
            i = int(np.flatnonzero(above)[0])
            raise InputError(
                f"Expected a latency <= the cut-off {cutoff:g} s, but got {times[i]:g}",
                row=i + 1,
                field=time,
            )
    if event is not None:
        events = _as_bool(data[event], field=event)
    else:
        assert cutoff is not None
        events = ~np.isclose(times, cutoff, rtol=1e-12, atol=0.0)
    labels = data[group]
    if labels.isna().any():
        i = int(np.flatnonzero(labels.isna().to_numpy())[0])
        raise InputError("Expected a group label, but the cell is empty", row=i + 1, field=group)
    text = labels.astype(str).str.strip().to_numpy()
    names = _natural_order(np.unique(text).tolist())
    out = pd.DataFrame(
        {
            "group": pd.Categorical(text, categories=names, ordered=True),
            "time": times,
            "event": events,
        }
    )
    if len(names) < 2:
        raise InputError(
            f"Expected at least two groups in {group!r}, but got only "
            f"{', '.join(map(repr, out['group'].unique()))}",
            field=group,
        )
    return out


def _natural_order(names: list[str]) -> list[str]:
    """Numeric labels (doses) in numeric order, other labels alphabetically."""
    try:
        return sorted(names, key=float)
    except ValueError:
        return sorted(names)


def _group_names(latencies: pd.DataFrame) -> list[str]:
    """Groups present in the table, in the order of :func:`prepare_latencies`."""
    present = set(latencies["group"].astype(str).unique())
    column = latencies["group"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        return [str(c) for c in column.cat.categories if str(c) in present]
    return _natural_order(sorted(present))


def _as_bool(values: pd.Series, *, field: str) -> np.ndarray:
    if values.dtype == bool:
        return values.to_numpy()
    text = values.astype(str).str.strip().str.lower()
    true, false = {"true", "1", "1.0", "yes", "y", "t"}, {"false", "0", "0.0", "no", "n", "f"}
    bad = ~text.isin(true | false)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"Expected true/false (or 1/0) for the event, but got {values.iloc[i]!r}",
            row=i + 1,
            field=field,
        )
    return text.isin(true).to_numpy()


def _km_one(times: np.ndarray, events: np.ndarray, conf_level: float) -> pd.DataFrame:
    """Kaplan-Meier estimate at every distinct time of one group (event or censoring)."""
    z = stats.norm.ppf(0.5 + conf_level / 2)
    uniq = np.unique(times)
    n_risk = np.array([(times >= t).sum() for t in uniq], dtype=float)
    n_event = np.array([(events & (times == t)).sum() for t in uniq], dtype=float)
    n_censor = np.array([(~events & (times == t)).sum() for t in uniq], dtype=float)
    surv = np.cumprod(1.0 - n_event / n_risk)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        terms = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0)
        se_log = np.sqrt(np.cumsum(terms))  # Greenwood, on the log-survival scale
        ci_low = np.where(surv > 0, surv * np.exp(-z * se_log), np.nan)
        ci_high = np.where(surv > 0, np.minimum(1.0, surv * np.exp(z * se_log)), np.nan)
        std_err = np.where(surv > 0, surv * se_log, np.nan)
    return pd.DataFrame(
        {
            "time": uniq,
            "n_risk": n_risk.astype(int),
            "n_event": n_event.astype(int),
            "n_censor": n_censor.astype(int),
            "survival": surv,
            "std_err": std_err,
            "ci_low": ci_low,
            "ci_high": ci_high,
        }
    )


def kaplan_meier(latencies: pd.DataFrame, *, conf_level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier survival ("still not crossed") curve of every group.

    Parameters
    ----------
    latencies
        Output of :func:`prepare_latencies` (columns ``group``, ``time``, ``event``).
    conf_level
        Pointwise confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per group and distinct time: ``group, time, n_risk, n_event, n_censor, survival,
        std_err, ci_low, ci_high``. ``survival`` is the probability of no event up to and including
        ``time``.

    Notes
    -----
    S(t) = prod_{t_i <= t} (1 - d_i / n_i). Greenwood's variance on the log scale,
    se(log S) = sqrt(sum d_i / (n_i (n_i - d_i))), and the "log" confidence interval
    S exp(+-z se(log S)) (upper limit capped at 1): the default ``conf.type = "log"`` of
    R ``survival::survfit``.
    """
    parts = []
    for name in _group_names(latencies):
        sub = latencies[latencies["group"].astype(str) == name]
        km = _km_one(sub["time"].to_numpy(float), sub["event"].to_numpy(bool), conf_level)
        km.insert(0, "group", name)
        parts.append(km)
    return pd.concat(parts, ignore_index=True)


def _quantile_time(times: np.ndarray, curve: np.ndarray, p: float) -> float:
    """First time the step curve is <= p; the midpoint rule of R when it sits exactly at p."""
    ok = np.isfinite(curve)
    times, curve = times[ok], curve[ok]
    below = np.flatnonzero(curve <= p + _TOL)
    if below.size == 0:
        return float("nan")
    i = int(below[0])
    if abs(curve[i] - p) < _TOL:
        later = np.flatnonzero(curve < curve[i] - _TOL)
        if later.size:
            return float((times[i] + times[int(later[0])]) / 2)
    return float(times[i])


def median_latency(latencies: pd.DataFrame, *, conf_level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier median latency of every group, with its confidence interval.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group, median, ci_low, ci_high, n, n_events, n_censored``. A median or
        limit that the curve never reaches is NaN (the group's latencies are mostly censored).

    Notes
    -----
    The median is the first time the KM curve drops to 0.5 or below (the midpoint to the next drop
    when it sits exactly at 0.5). Its CI is the interval R ``survfit`` reports (Brookmeyer & Crowley
    1982 construction with the "log" pointwise intervals): ``ci_low`` is where the lower pointwise
    confidence curve reaches 0.5, ``ci_high`` where the upper one does.
    """
    km = kaplan_meier(latencies, conf_level=conf_level)
    rows = []
    for name in _group_names(latencies):
        sub = km[km["group"] == name]
        t = sub["time"].to_numpy(float)
        raw = latencies[latencies["group"].astype(str) == name]
        rows.append(
            {
                "group": name,
                "median": _quantile_time(t, sub["survival"].to_numpy(float), 0.5),
                "ci_low": _quantile_time(t, _lower_curve(sub), 0.5),
                "ci_high": _quantile_time(t, sub["ci_high"].to_numpy(float), 0.5),
                "n": int(len(raw)),
                "n_events": int(raw["event"].sum()),
                "n_censored": int((~raw["event"]).sum()),
            }
        )
    return pd.DataFrame(rows)


def _lower_curve(km: pd.DataFrame) -> np.ndarray:
    low = km["ci_low"].to_numpy(float).copy()
    low[km["survival"].to_numpy(float) <= 0] = 0.0  # the curve reached zero: so has its lower limit
    return low


def _logrank_parts(times: np.ndarray, events: np.ndarray, codes: np.ndarray, k: int) -> Any:
    observed = np.zeros(k)
    expected = np.zeros(k)
    var = np.zeros((k, k))
    for t in np.unique(times[events]):
        at_risk = times >= t
        n_j = np.bincount(codes[at_risk], minlength=k).astype(float)
        d_j = np.bincount(codes[events & (times == t)], minlength=k).astype(float)
        n, d = n_j.sum(), d_j.sum()
        observed += d_j
        expected += d * n_j / n
        if n > 1:
            frac = n_j / n
            var += d * (n - d) / (n - 1) * (np.diag(frac) - np.outer(frac, frac))
    return observed, expected, var


def logrank_test(latencies: pd.DataFrame) -> dict[str, Any]:
    """Log-rank (Mantel-Cox) test that all groups share one latency distribution.

    Returns
    -------
    dict
        ``test`` ("log-rank"), ``statistic`` (chi-square), ``dof`` (k - 1), ``p_val``, and per group
        ``observed`` and ``expected`` event counts (dicts keyed by group).

    Notes
    -----
    Identical to R ``survival::survdiff(Surv(time, event) ~ group)`` (rho = 0): at each distinct
    event time, E_j += d n_j / n and V += d (n - d) / (n - 1) (diag(n_j/n) - (n_j/n)(n_j/n)');
    chi2 = (O - E)' V^- (O - E) on k - 1 degrees of freedom (first k - 1 groups, i.e. a generalised
    inverse).
    """
    names = _group_names(latencies)
    if len(names) < 2:
        raise InputError(f"Expected at least two groups, but got {len(names)}", field="group")
    codes = pd.Categorical(latencies["group"].astype(str), categories=names).codes.astype(int)
    times = latencies["time"].to_numpy(float)
    events = latencies["event"].to_numpy(bool)
    if not events.any():
        raise InputError("Expected at least one uncensored latency, but every latency is censored")
    obs, exp, var = _logrank_parts(times, events, codes, len(names))
    diff = (obs - exp)[:-1]
    sub = var[:-1, :-1]
    try:
        chi2 = float(diff @ np.linalg.solve(sub, diff))
    except np.linalg.LinAlgError:
        chi2 = float(diff @ np.linalg.pinv(sub) @ diff)
    dof = len(names) - 1
    return {
        "test": "log-rank",
        "statistic": chi2,
        "dof": dof,
        "p_val": float(stats.chi2.sf(chi2, dof)),
        "observed": dict(zip(names, obs.tolist(), strict=True)),
        "expected": dict(zip(names, exp.tolist(), strict=True)),
    }


def pairwise_logrank(latencies: pd.DataFrame, *, control: str) -> pd.DataFrame:
    """Log-rank test of each group against the control, Holm-adjusted.

    Returns
    -------
    pandas.DataFrame
        One row per non-control group: ``test`` ("log-rank"), ``contrast`` ("group vs control"),
        ``group, control, statistic`` (chi-square, 1 df), ``dof, p_val, p_adj`` (Holm over the k - 1
        comparisons), ``n`` (animals in the two groups).

    Notes
    -----
    Each test uses only the two groups' animals, as R ``survminer::pairwise_survdiff`` does.
    """
    names = _group_names(latencies)
    if control not in names:
        raise InputError(
            f"Expected the control level to be one of {', '.join(map(repr, names))}, "
            f"but got {control!r}",
            field="control",
        )
    rows = []
    for name in names:
        if name == control:
            continue
        pair = latencies[latencies["group"].astype(str).isin([name, control])]
        res = logrank_test(pair)
        rows.append(
            {
                "test": "log-rank",
                "contrast": f"{name} vs {control}",
                "group": name,
                "control": control,
                "statistic": res["statistic"],
                "dof": res["dof"],
                "p_val": res["p_val"],
                "n": int(len(pair)),
            }
        )
    out = pd.DataFrame(rows)
    out.insert(out.columns.get_loc("p_val") + 1, "p_adj", holm(out["p_val"].to_numpy(float)))
    return out


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (R ``p.adjust(method = "holm")``)."""
    return p_adjust(p_values, method="holm")


def analyse_latencies(
    data: pd.DataFrame,
    *,
    time: str,
    group: str,
    cutoff: float | None = None,
    event: str | None = None,
    control: str | None = None,
    conf_level: float = 0.95,
) -> dict[str, Any]:
    """Everything ``neuroprotect stats survival`` reports for one table of latencies.

    Parameters
    ----------
    data, time, group, cutoff, event
        As in :func:`prepare_latencies`.
    control
        Control group label; defaults to the first group (the lowest dose when the labels are
        numbers, else the first alphabetically).
    conf_level
        Confidence level of the median CIs.

    Returns
    -------
    dict
        ``logrank`` (:func:`logrank_test`), ``pairwise`` (:func:`pairwise_logrank` DataFrame),
        ``medians`` (:func:`median_latency` DataFrame), ``km`` (:func:`kaplan_meier` DataFrame) and
        ``latencies`` (the prepared table).
    """
    lat = prepare_latencies(data, time=time, group=group, cutoff=cutoff, event=event)
    control = _group_names(lat)[0] if control is None else str(control)
    return {
        "logrank": logrank_test(lat),
        "pairwise": pairwise_logrank(lat, control=control),
        "medians": median_latency(lat, conf_level=conf_level),
        "km": kaplan_meier(lat, conf_level=conf_level),
        "latencies": lat,
        "control": control,
    }
