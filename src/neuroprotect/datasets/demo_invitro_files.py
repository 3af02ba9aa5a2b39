"""Plate exports of the simulated OGD/R (PC12) demo: viability, LDH, ROS, JC-1, ATP, caspase-3.

The units are cultures: one culture per group and independent experiment (``E1-vehicle``: the
vehicle wells of experiment 1), each read in technical triplicate on the plate; the readouts
average the triplicate wells per culture, so the independent experiment is the unit of
analysis. Each experiment has its own multiplicative offset (cell density, passage, plate),
which is why wells of one experiment are not independent. Levels go from normoxia (protection 1)
to untreated OGD/R (0) as in the seed's direction of every readout (seed 002: IMM-H004 restores
viability, lowers ROS, keeps the mitochondrial potential and ATP, and lowers caspase-3).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from neuroprotect.datasets.demo_behavior_files import DemoUnit, between
from neuroprotect.datasets.demo_tissue_files import _csv, write_plate

__all__ = ["INVITRO_WRITERS", "experiment_offsets"]

TECHNICAL_REPLICATES = 3
#: Signal at normoxia and after untreated OGD/R, and the blank.
LEVELS = {
    "viability": (1.20, 0.55, 0.06),  # MTT absorbance at 570 nm
    "ldh": (0.40, 1.10, 0.08),  # LDH absorbance at 490 nm; maximum release 1.8
    "ros": (1000.0, 2600.0, 120.0),  # DCF fluorescence (RFU)
    "jc1_red": (3000.0, 1300.0, 60.0),
    "jc1_green": (600.0, 950.0, 40.0),
    "atp_um": (5.0, 1.8, 0.0),  # µM in the well
    "casp3_um": (20.0, 75.0, 0.0),  # pNA released (µM)
}


def experiment_offsets(units: list[DemoUnit], rng: np.random.Generator) -> dict[str, float]:
    """Per culture, its experiment's multiplicative offset (sd about 10 %)."""
    experiments = sorted({u.id.split("-", 1)[0] for u in units})
    offset = {e: float(np.exp(rng.normal(0.0, 0.10))) for e in experiments}
    return {u.id: offset[u.id.split("-", 1)[0]] for u in units}


def _true(u: DemoUnit, key: str, offsets: dict[str, float]) -> float:
    normoxia, ogd, _ = LEVELS[key]
    return between(u.protection, ogd, normoxia) * offsets[u.id]


def _sample_wells(
    units: list[DemoUnit],
    signal: Any,
    rng: np.random.Generator,
    cv: float = 0.05,
    **extra: Any,
) -> list[dict[str, Any]]:
    wells = []
    for u in units:
        value = signal(u)
        for _ in range(TECHNICAL_REPLICATES):
            noisy = value * float(np.exp(rng.normal(0.0, cv)))
            wells.append({"type": "sample", "sample": u.id, "value": noisy, **extra})
    return wells


def _blanks(key: str, rng: np.random.Generator, n: int = 3) -> list[dict[str, Any]]:
    blank = LEVELS[key][2]
    return [
        {"type": "blank", "value": blank + abs(rng.normal(0, 0.01 * blank + 1e-3))}
        for _ in range(n)
    ]


def write_viability(
    out: Path,
    entry: dict[str, Any],
    units: list[DemoUnit],
    rng: np.random.Generator,
    offsets: dict[str, float],
) -> None:
    """MTT absorbance per well (``animal_id, well, absorbance``), blank-corrected by the readout."""
    blank = LEVELS["viability"][2]
    rows, i = [], 0
    for u in units:
        for _ in range(TECHNICAL_REPLICATES):
            od = blank + _true(u, "viability", offsets) * float(np.exp(rng.normal(0, 0.05)))
            rows.append((u.id, f"{'ABCDEFGH'[i // 12]}{i % 12 + 1}", round(od, 4)))
            i += 1
    import pandas as pd

    _csv(pd.DataFrame(rows, columns=["animal_id", "well", "absorbance"]), out / entry["files"][0])
    entry["params"]["blank_absorbance"] = blank


def write_ldh(
    out: Path,
    entry: dict[str, Any],
    units: list[DemoUnit],
    rng: np.random.Generator,
    offsets: dict[str, float],
) -> None:
    """LDH in the medium: spontaneous (untreated normoxic cells) and maximum (lysed) controls."""
    blank = LEVELS["ldh"][2]
    wells = _blanks("ldh", rng)
    wells += [
        {"type": "control", "sample": "spontaneous", "value": blank + 0.38 + rng.normal(0, 0.01)}
        for _ in range(3)
    ]
    wells += [
        {"type": "control", "sample": "maximum", "value": blank + 1.80 + rng.normal(0, 0.02)}
        for _ in range(3)
    ]
    wells += _sample_wells(units, lambda u: blank + _true(u, "ldh", offsets), rng)
    write_plate(out, entry["files"][0], entry["params"]["layout"], wells)


def write_ros(
    out: Path,
    entry: dict[str, Any],
    units: list[DemoUnit],
    rng: np.random.Generator,
    offsets: dict[str, float],
) -> None:
    """DCFH-DA fluorescence (RFU), blank wells without cells."""
    blank = LEVELS["ros"][2]
    wells = _blanks("ros", rng) + _sample_wells(
        units, lambda u: blank + _true(u, "ros", offsets), rng
    )
    write_plate(out, entry["files"][0], entry["params"]["layout"], wells)


def write_jc1(
    out: Path,
    entry: dict[str, Any],
    units: list[DemoUnit],
    rng: np.random.Generator,
    offsets: dict[str, float],
) -> None:
    """JC-1 red (aggregate, 590 nm) and green (monomer, 530 nm) plates on one layout; FCCP
    wells (depolarised control) have a low red/green ratio."""
    params = entry["params"]
    red_b, green_b = LEVELS["jc1_red"][2], LEVELS["jc1_green"][2]
    red = [{"type": "blank", "value": red_b} for _ in range(3)]
    red += [{"type": "control", "sample": "FCCP", "value": red_b + 500.0} for _ in range(3)]
    green = [{"type": "blank", "value": green_b} for _ in range(3)]
    green += [{"type": "control", "sample": "FCCP", "value": green_b + 1200.0} for _ in range(3)]
    for u in units:
        r, g = _true(u, "jc1_red", offsets), _true(u, "jc1_green", offsets)
        for _ in range(TECHNICAL_REPLICATES):
            common = float(np.exp(rng.normal(0, 0.06)))  # cells per well: both channels
            red.append({"type": "sample", "sample": u.id, "value": red_b + r * common})
            green.append(
                {
                    "type": "sample",
                    "sample": u.id,
                    "value": green_b + g * common * float(np.exp(rng.normal(0, 0.02))),
                }
            )
    write_plate(out, entry["files"][0], params["layout"], red)
    write_plate(out, params["green"], "jc1_green_layout.csv", green)
    (out / "jc1_green_layout.csv").unlink()  # the green plate uses the red plate's layout
    params["depolarised"] = "FCCP"


def write_atp(
    out: Path,
    entry: dict[str, Any],
    units: list[DemoUnit],
    rng: np.random.Generator,
    offsets: dict[str, float],
) -> None:
    """Luciferase luminescence (RLU) with an ATP standard curve (0-8 µM, duplicates) and the
    well's protein (mg) in the layout."""
    slope, background = 5000.0, 200.0
    wells: list[dict[str, Any]] = [
        {"type": "blank", "value": background + rng.normal(0, 10)} for _ in range(2)
    ]
    for c in (0.0, 0.5, 1.0, 2.0, 4.0, 8.0):
        wells += [
            {
                "type": "standard",
                "concentration": c,
                "value": background + slope * c * float(np.exp(rng.normal(0, 0.02))),
            }
            for _ in range(2)
        ]
    wells += _sample_wells(
        units, lambda u: background + slope * _true(u, "atp_um", offsets), rng, protein_mg=0.05
    )
    write_plate(out, entry["files"][0], entry["params"]["layout"], wells)


def write_caspase3(
    out: Path,
    entry: dict[str, Any],
    units: list[DemoUnit],
    rng: np.random.Generator,
    offsets: dict[str, float],
) -> None:
    """Ac-DEVD-pNA cleavage after 2 h at 37 °C: absorbance at 405 nm with a pNA standard curve
    (0-200 µM) and 0.1 mg lysate protein per well."""
    slope, blank = 0.0035, 0.045
    wells: list[dict[str, Any]] = [
        {"type": "blank", "value": blank + rng.normal(0, 0.002)} for _ in range(2)
    ]
    for c in (0.0, 12.5, 25.0, 50.0, 100.0, 200.0):
        wells += [
            {
                "type": "standard",
                "concentration": c,
                "value": blank + slope * c + rng.normal(0, 0.003),
            }
            for _ in range(2)
        ]
    wells += _sample_wells(
        units, lambda u: blank + slope * _true(u, "casp3_um", offsets), rng, protein_mg=0.1
    )
    write_plate(out, entry["files"][0], entry["params"]["layout"], wells)
    entry["params"]["incubation_h"] = 2


INVITRO_WRITERS = {
    "cell_viability": write_viability,
    "ldh_release": write_ldh,
    "ros_fluorescence": write_ros,
    "mitochondrial_potential": write_jc1,
    "atp_luminescence": write_atp,
    "caspase3_activity": write_caspase3,
}
