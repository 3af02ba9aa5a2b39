"""Reference data sets of the group-comparison tests (read from ../shared/data/stats)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """Path under ../shared/data (same rule as tests/conftest.py), skipping when absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


PAIN_ORDER = ["Dark Blond", "Dark Brunette", "Light Blond", "Light Brunette"]


@pytest.fixture(scope="session")
def r_multcomp() -> dict[str, Any]:
    """R 4.2.2 + multcomp 1.4-22 outputs (shared/data/stats/r_scripts/02_multcomp.R)."""
    path = shared_data("stats", "multcomp-recovery", "expected_R_multcomp.json")
    return json.loads(path.read_text())


@pytest.fixture(scope="session")
def pain() -> pd.DataFrame:
    """Pain threshold by hair colour (McClave & Dietrich 1991; pingouin anova.csv), n = 19."""
    df = pd.read_csv(shared_data("stats", "pingouin", "anova.csv"))
    return df.rename(columns={"Hair color": "hair", "Pain threshold": "pain"})


@pytest.fixture(scope="session")
def exercise() -> pd.DataFrame:
    """seaborn 'exercise' data (pulse ~ kind, rest = control), 90 rows."""
    return pd.read_csv(shared_data("stats", "scikit-posthocs-exercise", "exercise.csv"))


@pytest.fixture(scope="session")
def recovery() -> pd.DataFrame:
    """multcomp::recovery (minutes to recovery by blanket b0..b3; b0 = control)."""
    return pd.read_csv(shared_data("stats", "multcomp-recovery", "recovery.csv"))


@pytest.fixture(scope="session")
def toothgrowth() -> pd.DataFrame:
    """R datasets::ToothGrowth, tooth length by vitamin C dose (0.5 = control)."""
    df = pd.read_csv(shared_data("stats", "multcomp-recovery", "ToothGrowth.csv"))
    df["dose"] = df["dose"].map(lambda d: f"{d:g}")
    return df


@pytest.fixture(scope="session")
def dunnett_cases() -> dict[str, Any]:
    """scipy's Dunnett cases with R multcomp expectations (shared/data/stats/scipy-dunnett)."""
    return json.loads(shared_data("stats", "scipy-dunnett", "cases.json").read_text())


@pytest.fixture(scope="session")
def pingouin_expected() -> dict[str, Any]:
    """JASP/JAMOVI/R numbers quoted in pingouin's tests (shared/data/stats/pingouin)."""
    return json.loads(shared_data("stats", "pingouin", "expected_from_tests.json").read_text())


@pytest.fixture(scope="session")
def penguins() -> pd.DataFrame:
    """palmerpenguins (CC0): body mass by species, unbalanced, two missing masses."""
    return pd.read_csv(shared_data("stats", "pingouin", "penguins.csv"))


@pytest.fixture(scope="session")
def pwr() -> dict[str, Any]:
    """R 4.2.2 + pwr 1.3-0 outputs (shared/data/stats/r_scripts/03_survival_pwr_lme4.R)."""
    path = shared_data("stats", "pwr-power", "expected_R_pwr.json")
    return json.loads(path.read_text())["pwr"]
