"""Loaders of the shared meta-analysis references (../shared/data/stats; read, never copied)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from tests.conftest import shared_data

RENAME_CAMARADES = {
    "mean_c": "mean_ctrl",
    "sd_c": "sd_ctrl",
    "n_c": "n_ctrl",
    "mean_rx": "mean_treat",
    "sd_rx": "sd_treat",
    "n_rx": "n_treat",
}
RENAME_NORMAND = {
    "source": "label",
    "m1i": "mean_treat",
    "sd1i": "sd_treat",
    "n1i": "n_treat",
    "m2i": "mean_ctrl",
    "sd2i": "sd_ctrl",
    "n2i": "n_ctrl",
}


def bcg() -> pd.DataFrame:
    """dat.bcg with metafor's escalc("RR") yi/vi (metafor 3.8-1)."""
    return pd.read_csv(shared_data("stats", "metafor-bcg", "dat.bcg_logRR_yi_vi.csv"))


def metafor_expected() -> dict[str, Any]:
    """expected_R_metafor.json (R 4.2.2, metafor 3.8-1)."""
    path = shared_data("stats", "metafor-bcg", "expected_R_metafor.json")
    return json.loads(path.read_text())


def normand() -> pd.DataFrame:
    """dat.normand1999 with metafor's SMD/MD/ROM yi and vi."""
    path = shared_data("stats", "metafor-bcg", "dat.normand1999_effectsizes.csv")
    return pd.read_csv(path).rename(columns=RENAME_NORMAND).assign(study=lambda d: d["label"])


def camarades() -> pd.DataFrame:
    """The synthetic CAMARADES infarct-volume table; S5's control serves two dose groups."""
    path = shared_data("stats", "camarades-nmd-smd", "synthetic_infarct_volume.csv")
    data = pd.read_csv(path).rename(columns=RENAME_CAMARADES)
    return data.assign(control_id=data["study"])


def camarades_expected() -> dict[str, Any]:
    """expected_formulas_and_metafor.json (hand formulas + metafor rma(method="DL"))."""
    path = shared_data("stats", "camarades-nmd-smd", "expected_formulas_and_metafor.json")
    return json.loads(path.read_text())
