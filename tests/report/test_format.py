"""Rounding and significance marks (analytic: the expected strings follow from the stated rules)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from neuroprotect.report.format import (
    format_bytes,
    format_ci,
    format_dof,
    format_dose,
    format_number,
    format_p,
    significance_mark,
)


@pytest.mark.parametrize(
    ("p", "mark"),
    [
        (0.9, "ns"),
        (0.05, "ns"),  # the thresholds are strict: p = 0.05 is not significant
        (0.0499999, "*"),
        (0.01, "*"),
        (0.00999, "**"),
        (0.001, "**"),
        (0.000999, "***"),
        (1e-12, "***"),
        (0.0, "***"),
        (None, ""),
        (float("nan"), ""),
        (np.float64(0.02), "*"),
    ],
)
def test_significance_mark_thresholds(p: object, mark: str) -> None:
    assert significance_mark(p) == mark


def test_significance_mark_hash_for_model_check() -> None:
    assert significance_mark(0.004, symbol="#") == "##"
    assert significance_mark(0.2, symbol="#") == "ns"
    assert significance_mark(1e-6, symbol="#") == "###"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12.345, "12.3"),
        (1.2, "1.20"),
        (0.0457, "0.0457"),
        (123.45, "123"),
        (98765.4, "98765"),
        (9.996, "10.0"),
        (0.9996, "1.00"),
        (-3.14159, "−3.14"),
        (0.00012345, "1.23e−04"),
        (0.0, "0"),
        (7, "7"),
        (np.int64(54), "54"),
        (float("nan"), "—"),
        (None, "—"),
        (math.inf, "—"),
    ],
)
def test_format_number_three_significant_figures(value: object, text: str) -> None:
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.0004, "<0.001"),
        (1e-20, "<0.001"),
        (0.0123, "0.0123"),
        (0.5, "0.500"),
        (1.0, "1.00"),
        (0.04996, "0.0500"),
        (None, "—"),
    ],
)
def test_format_p(p: object, text: str) -> None:
    assert format_p(p) == text


def test_small_helpers() -> None:
    assert format_dof((4.0, 44.0)) == "4, 44"
    assert format_dof(23.456) == "23.5"
    assert format_dof(54) == "54"
    assert format_ci(-1.234, 5.678) == "[−1.23, 5.68]"
    assert format_ci(None, 1.0) == "—"
    assert format_bytes(532) == "532 B"
    assert format_bytes(12_345) == "12.3 kB"
    assert format_bytes(4_200_000) == "4.20 MB"
    assert format_dose(3.0) == "3"
    assert format_dose(1.5) == "1.5"
    assert format_dose(None) == ""
