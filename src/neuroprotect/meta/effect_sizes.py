"""Effect sizes for a meta-analysis of two-group (treatment vs control) comparisons.

One row per comparison in, one effect size ``yi`` and its sampling variance ``vi`` out. The
measures are those of metafor's ``escalc`` (``"SMD"``, ``"MD"``, ``"ROM"``) and the CAMARADES
normalised mean difference (NMD) of Vesterinen et al. (2014).

Sign convention
---------------
SMD, MD and ROM are ``treatment - control`` (metafor's ``m1i - m2i`` with group 1 = treatment).
For an outcome where lower is better (infarct volume, neurological deficit score) pass
``lower_is_better=True`` to orient them so that benefit is positive, as CAMARADES does. The NMD is
already oriented: it is the percentage of the lesion-induced deficit (control - sham) that the
treatment rescued, positive for benefit whichever direction the scale runs.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy.special import gammaln

from neuroprotect.errors import InputError

Measure = Literal["smd", "nmd", "md", "rom"]
SmdVariance = Literal["metafor", "camarades"]

MEASURES: tuple[str, ...] = ("smd", "nmd", "md", "rom")

#: Input columns of one comparison.
COMPARISON_COLUMNS: tuple[str, ...] = (
    "study",
    "n_treat",
    "mean_treat",
    "sd_treat",
    "n_ctrl",
    "mean_ctrl",
    "sd_ctrl",
)

__all__ = [
    "COMPARISON_COLUMNS",
    "MEASURES",
    "compute_effect_sizes",
    "compute_md",
    "compute_nmd",
    "compute_rom",
    "compute_smd",
    "correct_shared_control",
    "hedges_correction",
]


def hedges_correction(dof: np.ndarray | float, *, exact: bool = True) -> np.ndarray:
    """Small-sample correction factor J of Hedges' g.

    Parameters
    ----------
    dof
        Degrees of freedom of the pooled SD, ``n_treat + n_ctrl - 2``.
    exact
        True: the exact gamma-function factor (metafor ``escalc``). False: the approximation
        ``1 - 3 / (4 N - 9)`` with ``N = dof + 2`` (Hedges 1981; CAMARADES).

    Returns
    -------
    numpy.ndarray
        J, slightly below 1.

    Notes
    -----
    Exact: ``J = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))`` with ``m = dof``.
    """
    m = np.asarray(dof, dtype=float)
    if exact:
        return np.exp(gammaln(m / 2) - 0.5 * np.log(m / 2) - gammaln((m - 1) / 2))
    return 1 - 3 / (4 * (m + 2) - 9)


def compute_smd(
    mean_treat: np.ndarray,
    sd_treat: np.ndarray,
    n_treat: np.ndarray,
    mean_ctrl: np.ndarray,
    sd_ctrl: np.ndarray,
    n_ctrl: np.ndarray,
    *,
    variance: SmdVariance = "metafor",
) -> tuple[np.ndarray, np.ndarray]:
    """Hedges-corrected standardised mean difference (treatment - control) and its variance.

    Parameters
    ----------
    mean_treat, sd_treat, n_treat, mean_ctrl, sd_ctrl, n_ctrl
        Group means, SDs (not SEMs) and sizes, one entry per comparison. ``n_ctrl`` may be
        fractional after a shared-control correction.
    variance
        ``"metafor"``: metafor 3.8 ``escalc(measure="SMD")``, exact J and the large-sample
        variance ``1/n1 + 1/n2 + g^2 / (2 (n1 + n2))``. ``"camarades"``: Vesterinen et al.
        (2014), approximate J and ``N/(n1 n2) + g^2 / (2 (N - 3.94))``.

    Returns
    -------
    yi, vi
        Effect sizes and sampling variances.

    Notes
    -----
    ``s_pooled = sqrt(((n1-1) sd1^2 + (n2-1) sd2^2) / (n1 + n2 - 2))``,
    ``g = J (m1 - m2) / s_pooled``.
    """
    n1, n2 = np.asarray(n_treat, float), np.asarray(n_ctrl, float)
    sd1, sd2 = np.asarray(sd_treat, float), np.asarray(sd_ctrl, float)
    dof = n1 + n2 - 2
    s_pooled = np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / dof)
    d = (np.asarray(mean_treat, float) - np.asarray(mean_ctrl, float)) / s_pooled
    if variance == "metafor":
        yi = hedges_correction(dof, exact=True) * d
        vi = 1 / n1 + 1 / n2 + yi**2 / (2 * (n1 + n2))
    elif variance == "camarades":
        yi = hedges_correction(dof, exact=False) * d
        total = n1 + n2
        vi = total / (n1 * n2) + yi**2 / (2 * (total - 3.94))
    else:
        raise InputError(f"Expected smd variance 'metafor' or 'camarades', but got {variance!r}")
    return yi, vi


def compute_md(
    mean_treat: np.ndarray,
    sd_treat: np.ndarray,
    n_treat: np.ndarray,
    mean_ctrl: np.ndarray,
    sd_ctrl: np.ndarray,
    n_ctrl: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Raw mean difference (treatment - control) and its variance (metafor ``escalc("MD")``).

    Notes
    -----
    ``yi = m1 - m2``, ``vi = sd1^2/n1 + sd2^2/n2`` (heteroscedastic).
    """
    yi = np.asarray(mean_treat, float) - np.asarray(mean_ctrl, float)
    vi = np.asarray(sd_treat, float) ** 2 / np.asarray(n_treat, float) + np.asarray(
        sd_ctrl, float
    ) ** 2 / np.asarray(n_ctrl, float)
    return yi, vi


def compute_rom(
    mean_treat: np.ndarray,
    sd_treat: np.ndarray,
    n_treat: np.ndarray,
    mean_ctrl: np.ndarray,
    sd_ctrl: np.ndarray,
    n_ctrl: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Log ratio of means ln(m1/m2) and its delta-method variance (metafor ``escalc("ROM")``).

    Notes
    -----
    ``yi = ln(m1/m2)``, ``vi = sd1^2/(n1 m1^2) + sd2^2/(n2 m2^2)``. Both means must be positive.
    """
    m1, m2 = np.asarray(mean_treat, float), np.asarray(mean_ctrl, float)
    yi = np.log(m1 / m2)
    vi = np.asarray(sd_treat, float) ** 2 / (np.asarray(n_treat, float) * m1**2) + np.asarray(
        sd_ctrl, float
    ) ** 2 / (np.asarray(n_ctrl, float) * m2**2)
    return yi, vi


def compute_nmd(
    mean_treat: np.ndarray,
    sd_treat: np.ndarray,
    n_treat: np.ndarray,
    mean_ctrl: np.ndarray,
    sd_ctrl: np.ndarray,
    n_ctrl: np.ndarray,
    sham_mean: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """CAMARADES normalised mean difference (% of the deficit rescued) and its variance.

    Parameters
    ----------
    mean_treat, sd_treat, n_treat, mean_ctrl, sd_ctrl, n_ctrl
        Group means, SDs and sizes.
    sham_mean
        Mean of the sham (unlesioned) group: the "normal" value. For infarct volume it is 0.

    Returns
    -------
    yi, vi
        NMD in percent and its variance in percent squared.

    Notes
    -----
    Vesterinen et al. (2014), J Neurosci Methods 221:92-102:
    ``c* = m_ctrl - sham``, ``rx* = m_treat - sham``, ``NMD = 100 (c* - rx*) / c*``;
    both SDs are scaled by the control deficit, ``SD*_g = 100 SD_g / |c*|``, and
    ``SE^2 = SD*_ctrl^2 / n_ctrl + SD*_treat^2 / n_treat``.
    """
    deficit = np.asarray(mean_ctrl, float) - np.asarray(sham_mean, float)
    rescued = np.asarray(mean_ctrl, float) - np.asarray(mean_treat, float)
    yi = 100 * rescued / deficit
    sd_c = 100 * np.asarray(sd_ctrl, float) / np.abs(deficit)
    sd_t = 100 * np.asarray(sd_treat, float) / np.abs(deficit)
    vi = sd_c**2 / np.asarray(n_ctrl, float) + sd_t**2 / np.asarray(n_treat, float)
    return yi, vi


def correct_shared_control(data: pd.DataFrame, *, control_id: str = "control_id") -> pd.Series:
    """Control group size after splitting a shared control among the comparisons that use it.

    Parameters
    ----------
    data
        Comparisons with ``n_ctrl`` and a column naming the control group each one uses.
    control_id
        Column whose equal (non-missing) values mark comparisons sharing one control group.

    Returns
    -------
    pandas.Series
        ``n_ctrl / k`` where k is the number of comparisons that share the control (k = 1 for a
        missing id), so the control animals are not counted k times (Vesterinen et al. 2014).
    """
    ids = data[control_id]
    counts = ids.map(ids.value_counts()).fillna(1).astype(float)
    counts[ids.isna()] = 1.0
    return data["n_ctrl"].astype(float) / counts


def _check(data: pd.DataFrame, measure: str) -> None:
    rows = data["source_row"] if "source_row" in data else pd.Series(np.arange(len(data)) + 2)
    missing = [c for c in COMPARISON_COLUMNS if c not in data.columns]
    if missing:
        raise InputError(f"Expected columns {', '.join(missing)}, but they are missing")
    checks: list[tuple[str, str, pd.Series]] = [
        ("n_treat", "a group size > 0", data["n_treat"] > 0),
        ("n_ctrl", "a group size > 0", data["n_ctrl"] > 0),
        ("sd_treat", "an SD > 0", data["sd_treat"] > 0),
        ("sd_ctrl", "an SD > 0", data["sd_ctrl"] > 0),
    ]
    if measure == "nmd":
        if "sham_mean" not in data.columns:
            raise InputError(
                "Expected a column 'sham_mean' for the normalised mean difference (use 0 for "
                "infarct volume), but it is missing",
                field="sham_mean",
            )
        sham = pd.to_numeric(data["sham_mean"], errors="coerce")
        checks.append(("sham_mean", "a sham mean (number)", sham.notna()))
        checks.append(
            ("mean_ctrl", "a control mean different from sham_mean", data["mean_ctrl"] != sham)
        )
    if measure == "rom":
        checks.append(("mean_treat", "a positive mean for 'rom'", data["mean_treat"] > 0))
        checks.append(("mean_ctrl", "a positive mean for 'rom'", data["mean_ctrl"] > 0))
    for field, expected, ok in checks:
        ok = ok.fillna(False).to_numpy(bool)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            value = data[field].iloc[i]
            value = value.item() if hasattr(value, "item") else value
            raise InputError(
                f"Expected {expected}, but got {value!r}", row=int(rows.iloc[i]), field=field
            )


def _small_group_warnings(data: pd.DataFrame, n_ctrl: pd.Series) -> list[str]:
    """One warning per comparison with a (possibly effective) group size below 2."""
    rows = data["source_row"] if "source_row" in data else pd.Series(np.arange(len(data)) + 2)
    notes = []
    for i in range(len(data)):
        label = str(data["comparison"].iloc[i] if "comparison" in data else data["study"].iloc[i])
        small = []
        if float(data["n_treat"].iloc[i]) < 2:
            small.append(f"n_treat = {float(data['n_treat'].iloc[i]):.4g}")
        if float(n_ctrl.iloc[i]) < 2:
            what = "effective n_ctrl" if n_ctrl.iloc[i] != data["n_ctrl"].iloc[i] else "n_ctrl"
            small.append(f"{what} = {float(n_ctrl.iloc[i]):.4g}")
        if small:
            notes.append(
                f"row {int(rows.iloc[i])} ({label}): {' and '.join(small)} below 2; used as "
                "given (fractional n as metafor's escalc), but the group rests on very few animals"
            )
    return notes


def compute_effect_sizes(
    data: pd.DataFrame,
    *,
    measure: Measure = "smd",
    smd_variance: SmdVariance = "metafor",
    lower_is_better: bool = False,
    control_id: str | None = "control_id",
) -> pd.DataFrame:
    """Effect size and sampling variance of every treatment-vs-control comparison.

    Parameters
    ----------
    data
        One row per comparison with columns ``study, n_treat, mean_treat, sd_treat, n_ctrl,
        mean_ctrl, sd_ctrl`` (+ ``sham_mean`` for ``"nmd"``). Other columns (stratifiers) are kept.
        Group sizes may be fractional (a shared control already split between arms, e.g.
        5 / 3 = 1.67), as metafor's ``escalc`` accepts them; sizes below 2 give a warning. An
        optional per-row boolean column ``lower_is_better`` orients each row (e.g. SyRF's
        ``GreaterIsWorse``); where it is missing the ``lower_is_better`` argument applies.
    measure
        ``"smd"`` (Hedges' g), ``"nmd"`` (CAMARADES normalised mean difference, %), ``"md"``
        (raw mean difference) or ``"rom"`` (log ratio of means).
    smd_variance
        Variance formula of the SMD: ``"metafor"`` (default) or ``"camarades"``; see
        :func:`compute_smd`.
    lower_is_better
        Flip the sign of SMD/MD/ROM so that a benefit is positive when lower values are better.
        Ignored for NMD, which is oriented by construction.
    control_id
        Column marking shared control groups (see :func:`correct_shared_control`); ignored when
        the column is absent. ``None`` disables the correction.

    Returns
    -------
    pandas.DataFrame
        The input columns plus ``n_ctrl_effective`` (control n after the shared-control
        correction), ``yi`` (effect size), ``vi`` (sampling variance) and ``sei`` (sqrt(vi)).
        ``attrs["warnings"]`` lists the comparisons with a group size below 2.

    Raises
    ------
    InputError
        Group size not positive, SD not positive, missing or degenerate ``sham_mean`` for NMD,
        non-positive means for ROM, group sizes too small for an SMD (its pooled SD needs
        n_treat + n_ctrl > 3).
    """
    if measure not in MEASURES:
        raise InputError(f"Expected measure one of {', '.join(MEASURES)}, but got {measure!r}")
    _check(data, measure)
    out = data.copy()
    if control_id is not None and control_id in data.columns:
        n_ctrl = correct_shared_control(data, control_id=control_id)
    else:
        n_ctrl = data["n_ctrl"].astype(float)
    out["n_ctrl_effective"] = n_ctrl
    args = (
        data["mean_treat"].to_numpy(float),
        data["sd_treat"].to_numpy(float),
        data["n_treat"].to_numpy(float),
        data["mean_ctrl"].to_numpy(float),
        data["sd_ctrl"].to_numpy(float),
        n_ctrl.to_numpy(float),
    )
    with np.errstate(invalid="ignore", divide="ignore"):  # tiny n: refused just below
        if measure == "smd":
            yi, vi = compute_smd(*args, variance=smd_variance)
        elif measure == "md":
            yi, vi = compute_md(*args)
        elif measure == "rom":
            yi, vi = compute_rom(*args)
        else:
            sham = pd.to_numeric(data["sham_mean"], errors="coerce").to_numpy(float)
            yi, vi = compute_nmd(*args, sham)
    rows = data["source_row"] if "source_row" in data else pd.Series(np.arange(len(data)) + 2)
    bad = ~(np.isfinite(yi) & np.isfinite(vi) & (vi > 0))
    if measure == "smd":  # J needs n1 + n2 - 2 > 1 and the pooled variance must be positive
        n1, n2 = args[2], args[5]
        pooled = (n1 - 1) * args[1] ** 2 + (n2 - 1) * args[4] ** 2
        bad |= (n1 + n2 <= 3) | (pooled <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"Expected group sizes that give a finite {measure.upper()} (for an SMD n_treat + "
            f"effective n_ctrl > 3), but got n_treat {float(data['n_treat'].iloc[i]):.4g} and "
            f"n_ctrl {float(n_ctrl.iloc[i]):.4g}",
            row=int(rows.iloc[i]),
            field="n_ctrl",
        )
    if measure != "nmd":
        flip = np.full(len(data), bool(lower_is_better))
        if "lower_is_better" in data.columns:
            own = data["lower_is_better"]
            flip = np.where(own.isna(), flip, own.fillna(False).astype(bool))
        yi = np.where(flip, -yi, yi)
    out["yi"] = yi
    out["vi"] = vi
    out["sei"] = np.sqrt(vi)
    out.attrs["warnings"] = _small_group_warnings(data, n_ctrl)
    return out
