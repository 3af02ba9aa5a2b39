"""Rounding and labels for people: the only place where numbers become strings.

Numbers stay unrounded everywhere else in neuroprotect (results tables, the store, JSON). The report
rounds them here, once, with one convention:

* ordinary numbers to 3 significant figures (``12.3``, ``0.0457``), with no digits dropped before
  the decimal point (``1234.5`` -> ``1235``), scientific notation below 0.001 (``1.23e-05``);
* p-values to 3 significant figures, and ``<0.001`` below 0.001 (APA style);
* counts as integers; missing values as an em dash.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

#: Shown for a missing or non-finite number.
MISSING = "—"
#: Unicode minus sign (typographically correct, same width as a digit).
MINUS = "−"

#: Significance thresholds (strict upper bounds) and symbol counts, most significant first.
SIGNIFICANCE_LEVELS: tuple[tuple[float, int], ...] = ((0.001, 3), (0.01, 2), (0.05, 1))

#: Statement of the convention, repeated under every figure.
SIGNIFICANCE_FOOTNOTE = (
    "Multiplicity-adjusted p vs vehicle: ns p ≥ 0.05, * p < 0.05, ** p < 0.01, *** p < 0.001; "
    "sham vs vehicle (model check) marked the same way with #."
)
#: The same statement for a blinded report, which compares all pairs of coded groups.
BLINDED_SIGNIFICANCE_FOOTNOTE = (
    "Multiplicity-adjusted p over all pairs of coded groups: ns p ≥ 0.05, * p < 0.05, "
    "** p < 0.01, *** p < 0.001."
)


def as_finite(value: Any) -> float | None:
    """The value as a float, or None when missing, non-numeric, boolean, NaN or infinite."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def significance_mark(p_adj: Any, *, symbol: str = "*") -> str:
    """Asterisk summary of an adjusted p-value.

    Parameters
    ----------
    p_adj
        Multiplicity-adjusted p-value (None or NaN when no test was run).
    symbol
        ``"*"`` for comparisons with vehicle, ``"#"`` for the sham vs vehicle model check.

    Returns
    -------
    str
        ``"ns"`` for p >= 0.05, one symbol for p < 0.05, two for p < 0.01, three for p < 0.001;
        ``""`` when there is no p-value.

    Notes
    -----
    The APA/NEJM-style thresholds 0.05, 0.01 and 0.001 (strict inequalities), not GraphPad Prism's
    "GP" style (0.0332, 0.0021, 0.0002, 0.0001).
    """
    p = as_finite(p_adj)
    if p is None:
        return ""
    for threshold, count in SIGNIFICANCE_LEVELS:
        if p < threshold:
            return symbol * count
    return "ns"


def format_number(value: Any, *, sig: int = 3) -> str:
    """A number rounded to ``sig`` significant figures for display.

    Integer-typed values print as they are; floats keep trailing zeros (``1.20``); None, NaN and
    infinities print as an em dash.

    Notes
    -----
    Numbers whose magnitude is at least 10^(sig-1) are rounded to a whole number rather than to
    ``sig`` figures, so no digits before the decimal point are replaced by zeros. Magnitudes below
    0.001 use scientific notation.
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value)).replace("-", MINUS)
    x = as_finite(value)
    if x is None:
        return MISSING
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    if abs(x) < 1e-3:
        text = f"{x:.{sig - 1}e}"
    elif magnitude >= sig - 1:
        text = f"{x:.0f}"
    else:
        decimals = sig - 1 - magnitude
        text = f"{x:.{decimals}f}"
        # rounding may carry into a new digit (9.996 -> 10.00): redo with one fewer decimal
        if len(text.lstrip("-").replace(".", "").lstrip("0")) > sig and decimals > 0:
            text = f"{x:.{decimals - 1}f}"
    return text.replace("-", MINUS)


def format_p(value: Any) -> str:
    """A p-value for display: ``<0.001`` below 0.001, otherwise 3 significant figures."""
    p = as_finite(value)
    if p is None:
        return MISSING
    if p < 0.001:
        return "<0.001"
    if p >= 1:
        return "1.00"
    return format_number(p, sig=3)


def p_phrase(value: Any) -> str:
    """A p-value in a sentence: ``p = 0.0143``, ``p < 0.001``."""
    p = format_p(value)
    return f"p < {p[1:]}" if p.startswith("<") else f"p = {p}"


def format_dof(value: Any) -> str:
    """Degrees of freedom: whole numbers as integers, a pair as ``5, 54``, Welch df to 3 s.f."""
    if isinstance(value, (list, tuple)):
        return ", ".join(format_dof(v) for v in value)
    x = as_finite(value)
    if x is None:
        return MISSING
    if float(x).is_integer():
        return str(int(x))
    return format_number(x)


def format_ci(low: Any, high: Any) -> str:
    """A confidence interval as ``[low, high]``; an em dash when either end is missing."""
    lo, hi = as_finite(low), as_finite(high)
    if lo is None or hi is None:
        return MISSING
    return f"[{format_number(lo)}, {format_number(hi)}]"


def format_bytes(size: int) -> str:
    """A file size in B, kB, MB or GB (powers of 1000)."""
    units: Sequence[str] = ("B", "kB", "MB", "GB", "TB")
    x = float(size)
    for unit in units:
        if x < 1000 or unit == units[-1]:
            return f"{int(x)} {unit}" if unit == "B" else f"{format_number(x)} {unit}"
        x /= 1000
    raise AssertionError("unreachable")


def format_dose(dose_mg_kg: Any) -> str:
    """A dose in mg/kg without spurious decimals (``3`` not ``3.0``; ``1.5``)."""
    x = as_finite(dose_mg_kg)
    if x is None:
        return ""
    return f"{x:g}"


def format_value(value: Any, *, sig: int = 3) -> str:
    """A table cell: numbers rounded, booleans as yes/no, text unchanged, missing as an em dash."""
    if value is None:
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return format_number(value, sig=sig)
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v, sig=sig) for v in value)
    if value is pd.NA or value is pd.NaT:
        return MISSING
    try:
        if value != value:  # other NaN-like scalars
            return MISSING
    except (TypeError, ValueError):
        pass
    return str(value)
