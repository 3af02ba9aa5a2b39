"""Damaged tables, plates, Ct tables and manifests: every command ends in a result or one-line
errors (issue 16, part 5). Cases are seeded (hypothesis ``derandomize``); ``NEUROPROTECT_FUZZ=long``
runs >= 1,000 per reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given

from tests.conftest import MINIMAL_MANIFEST
from tests.fuzz._cli import check_command
from tests.fuzz._mutate import damaged

rng = np.random.default_rng(7)
GROUP_TABLE = (
    "group,value\n"
    + "\n".join(
        f"{g},{rng.normal(10 + i, 2):.3f}"
        for i, g in enumerate(("veh", "low", "high"))
        for _ in range(5)
    )  # fmt: skip
    + "\n"
).encode()

CT_TABLE = (
    "sample,group,gene,ct\n"
    + "\n".join(
        f"{g}{i},{g},{gene},{ct + (0.5 if g == 'drug' and gene == 'Tnf' else 0) + 0.1 * i:.2f}"
        for g in ("veh", "drug")
        for i in range(3)
        for gene, ct in (("Gapdh", 18.0), ("Tnf", 26.0))
    )
    + "\n"
).encode()


def _plate_and_layout() -> tuple[bytes, bytes]:
    conc = [0, 3.125, 6.25, 12.5, 25, 50, 100, 200]
    signal = [2.5 + (0.05 - 2.5) / (1 + (c / 50) ** 1.2) for c in conc]
    lines = [",".join([""] + [str(i) for i in range(1, 13)])]
    for r in range(8):
        cells = [""] * 12
        if r < 2:
            cells[:8] = [f"{s * (1.01 if r == 0 else 0.99):.5f}" for s in signal]
        if r == 2:
            cells[:2] = ["0.9", "0.92"]
        lines.append(",".join(["ABCDEFGH"[r], *cells]))
    rows = ["well,type,sample,concentration,dilution"]
    for r in "AB":
        rows += [f"{r}{i + 1},standard,,{c}," for i, c in enumerate(conc)]
    rows += ["C1,sample,rat-1,,5", "C2,sample,rat-1,,5"]
    return ("\n".join(lines) + "\n").encode(), ("\n".join(rows) + "\n").encode()


PLATE, LAYOUT = _plate_and_layout()


@given(damaged(GROUP_TABLE))
def test_stats_compare(data: bytes) -> None:
    check_command(
        {"t.csv": data},
        lambda p, _: [
            "stats",
            "compare",
            p["t.csv"],
            "--dv",
            "value",
            "--group",
            "group",
            "--control",
            "veh",
            "--json",
        ],  # fmt: skip
    )


@given(damaged(GROUP_TABLE))
def test_stats_describe(data: bytes) -> None:
    check_command(
        {"t.csv": data},
        lambda p, _: ["stats", "describe", p["t.csv"], "--dv", "value", "--group", "group"],
    )


@given(damaged(CT_TABLE))
def test_assay_qpcr(data: bytes) -> None:
    check_command(
        {"cts.csv": data},
        lambda p, _: [
            "assay",
            "qpcr",
            p["cts.csv"],
            "--reference",
            "Gapdh",
            "--control-group",
            "veh",
            "--json",
        ],  # fmt: skip
    )


@given(damaged(PLATE))
def test_assay_elisa_plate(data: bytes) -> None:
    check_command(
        {"plate.csv": data, "layout.csv": LAYOUT},
        lambda p, _: ["assay", "elisa", p["plate.csv"], "--layout", p["layout.csv"], "--json"],
    )


@given(damaged(LAYOUT))
def test_assay_elisa_layout(data: bytes) -> None:
    check_command(
        {"plate.csv": PLATE, "layout.csv": data},
        lambda p, _: ["assay", "elisa", p["plate.csv"], "--layout", p["layout.csv"], "--json"],
    )


def _mini_files() -> dict[str, bytes]:
    rows = ["animal_id,group,body_weight_g,sex"]
    water = ["animal_id,wet_weight_mg,dry_weight_mg"]
    for g, frac in (("sham", 0.78), ("vehicle", 0.82), ("low", 0.80)):
        for i in range(4):
            rows.append(f"{g}-{i},{g},{250 + i},male")
            wet = 1000.0 + 10 * i
            water.append(f"{g}-{i},{wet},{wet * (1 - frac - 0.002 * i):.3f}")
    return {
        "study.yaml": MINIMAL_MANIFEST.encode(),
        "animals.csv": ("\n".join(rows) + "\n").encode(),
        "water.csv": ("\n".join(water) + "\n").encode(),
    }


MINI = _mini_files()


def _validate(p: dict[str, Path], _: Path) -> list[object]:
    return ["validate", p["study.yaml"]]


@given(damaged(MINI["study.yaml"]))
def test_validate_damaged_manifest(data: bytes) -> None:
    check_command({**MINI, "study.yaml": data}, _validate)


@given(damaged(MINI["animals.csv"]))
def test_validate_damaged_animals_table(data: bytes) -> None:
    check_command({**MINI, "animals.csv": data}, _validate)


@given(damaged(MINI["water.csv"]))
def test_validate_damaged_readout_table(data: bytes) -> None:
    check_command({**MINI, "water.csv": data}, _validate)


QUANTSTUDIO = (
    "* Block Type = 96-Well Block (0.2mL)\n* Quantification Cycle Method = Ct\n\n[Results]\n"
    "Well\tWell Position\tOmit\tSample Name\tTarget Name\tTask\tCT\n"
    + "\n".join(
        f"{i}\tA{i}\tfalse\t{s}\t{gene}\tUNKNOWN\t{ct}"
        for i, (s, gene, ct) in enumerate(
            [
                ("veh1", "Gapdh", 18.0),
                ("veh1", "Tnf", 26.0),
                ("veh2", "Gapdh", 18.1),
                ("veh2", "Tnf", 26.2),
                ("drug1", "Gapdh", 18.0),
                ("drug1", "Tnf", 27.0),
                ("drug2", "Gapdh", 17.9),
                ("drug2", "Tnf", 27.1),
            ],  # fmt: skip
            start=1,
        )
    )
    + "\n"
).encode()
SAMPLE_GROUPS = b"sample,group\nveh1,veh\nveh2,veh\ndrug1,drug\ndrug2,drug\n"

VIABILITY = (
    "group,absorbance\n"
    + "\n".join(
        f"{g},{a + 0.01 * i:.3f}"
        for g, a in (("blank", 0.05), ("ctrl", 1.0), ("ogd", 0.5), ("drug", 0.8))
        for i in range(3)
    )
    + "\n"
).encode()


@given(damaged(QUANTSTUDIO))
def test_assay_qpcr_quantstudio_export(data: bytes) -> None:
    check_command(
        {"export.txt": data, "samples.csv": SAMPLE_GROUPS},
        lambda p, _: [
            "assay",
            "qpcr",
            p["export.txt"],
            "--samples",
            p["samples.csv"],
            "--reference",
            "Gapdh",
            "--control-group",
            "veh",
            "--json",
        ],  # fmt: skip
    )


@given(damaged(VIABILITY))
def test_assay_viability(data: bytes) -> None:
    check_command(
        {"v.csv": data},
        lambda p, _: [
            "assay",
            "viability",
            p["v.csv"],
            "--control",
            "ctrl",
            "--blank",
            "blank",
            "--json",
        ],  # fmt: skip
    )
