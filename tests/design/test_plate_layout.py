"""Randomised plate layouts of in vitro studies (design/plate_layout.py, `design randomize`).

References: exact counts (each group gets `replicates` wells in each experiment), the outer ring
of a 96-well plate written out by hand (rows A and H, columns 1 and 12: 36 wells), and the seeded
generator (same seed, same layout).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from neuroprotect.assays.plates import read_layout
from neuroprotect.cli.main import app
from neuroprotect.design.plate_layout import (
    edge_sample_wells,
    is_edge_well,
    plate_wells,
    randomise_plates,
)
from neuroprotect.errors import InputError
from neuroprotect.io.animals import load_animals
from neuroprotect.schema.manifest import load_study

GROUPS = ["normoxia", "vehicle", "drug"]
HAND_EDGE_96 = {f"{r}{c}" for r in "AH" for c in range(1, 13)} | {
    f"{r}{c}" for r in "ABCDEFGH" for c in (1, 12)
}


def test_edge_wells_by_hand() -> None:
    assert len(HAND_EDGE_96) == 36
    assert {w for w in plate_wells(96) if is_edge_well(w, 96)} == HAND_EDGE_96
    assert len(plate_wells(384)) == 384 and is_edge_well("P24", 384) and not is_edge_well("B2", 384)


def test_seeded_counts_and_edges_avoided() -> None:
    a = randomise_plates(GROUPS, experiments=3, replicates=4, seed=11, blanks=2)
    b = randomise_plates(GROUPS, experiments=3, replicates=4, seed=11, blanks=2)
    c = randomise_plates(GROUPS, experiments=3, replicates=4, seed=12, blanks=2)
    pd.testing.assert_frame_equal(a.cultures, b.cultures)
    assert not a.cultures["well"].equals(c.cultures["well"])
    counts = a.cultures.groupby(["experiment", "group"]).size()
    assert (counts == 4).all() and len(counts) == 9
    assert not a.cultures["edge"].any()
    assert not set(a.cultures["well"]) & HAND_EDGE_96
    for plate, layout in a.layouts.items():
        assert len(layout) == 96 and (layout["type"] == "blank").sum() == 2
        used = layout[layout["type"] != "empty"]
        assert not set(used["well"]) & HAND_EDGE_96, plate
    assert list(a.balance["group"]) == GROUPS and set(a.balance["n"]) == {12}
    assert a.cultures["culture_id"].is_unique and a.cultures["blinded_code"].is_unique


def test_edges_flagged_and_plates_spread() -> None:
    r = randomise_plates(
        GROUPS, experiments=1, replicates=20, seed=3, plate_format=24, edges="flag"
    )
    assert r.cultures["edge"].tolist() == [
        w in {*"A1 A2 A3 A4 A5 A6 D1 D2 D3 D4 D5 D6 B1 C1 B6 C6".split()}
        for w in r.cultures["well"]
    ]
    assert r.cultures["edge"].any() and any("edge" in w for w in r.warnings)
    per_plate = r.cultures.groupby(["plate", "group"]).size().unstack()
    assert len(per_plate) == 3  # 60 wells on 24-well plates
    assert (per_plate.max() - per_plate.min() <= 1).all()
    assert (per_plate.sum() == 20).all()


def test_no_room_is_an_error() -> None:
    with pytest.raises(InputError, match="room for one well of each of the 3 groups"):
        randomise_plates(GROUPS, experiments=3, replicates=1, seed=1, plate_format=6)
    with pytest.raises(InputError, match="edges 'avoid' or 'flag'"):
        randomise_plates(GROUPS, experiments=3, replicates=1, seed=1, edges="use")  # type: ignore[arg-type]


def test_edge_sample_wells_of_a_plate() -> None:
    wells = pd.DataFrame(
        {
            "well": ["A1", "B2", "H12", "D6", "C1"],
            "type": ["sample", "sample", "blank", "sample", "sample"],
        }
    )
    assert edge_sample_wells(wells) == ["A1", "C1"]


MANIFEST = """\
study_id: pc12-plates
title: plates
compound: imm_h004
model: ogd_r_pc12
species: rat
setting: in_vitro
cell_line: PC12
groups:
  - {id: normoxia, role: sham}
  - {id: vehicle, role: vehicle}
  - {id: drug, role: treatment}
cultures: cultures.csv
readouts:
  - {id: mtt, type: cell_viability, files: [mtt.csv], params: {control_group: normoxia}}
"""


def test_cli_writes_cultures_and_layouts(tmp_path: Path) -> None:
    (tmp_path / "study.yaml").write_text(MANIFEST)
    args = ["design", "randomize", "--study", str(tmp_path / "study.yaml"), "--seed", "5"]
    out = [
        "--cultures-out",
        str(tmp_path / "cultures.csv"),
        "--layout-out",
        str(tmp_path / "lay.csv"),
    ]
    result = CliRunner().invoke(app, [*args, "--replicates", "2", *out])
    assert result.exit_code == 0, result.output
    study = load_study(tmp_path / "study.yaml", check_files=False)
    cultures = load_animals(study)
    assert len(cultures) == 18 and cultures["experiment"].nunique() == 3
    for e in (1, 2, 3):
        layout = read_layout(tmp_path / f"lay_E{e}.csv")
        samples = layout[layout["type"] == "sample"]
        assert set(samples["sample"]) == set(
            cultures.loc[cultures["experiment"] == str(e), "animal_id"]
        )
    bad = CliRunner().invoke(app, [*args, str(tmp_path / "roster.csv")])
    assert bad.exit_code == 2 and "in vitro study lays out plates" in bad.output


def test_cli_sealed_layout_hides_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEUROPROTECT_KEY_PASSPHRASE", "correct horse battery")
    (tmp_path / "study.yaml").write_text(MANIFEST)
    result = CliRunner().invoke(
        app,
        [
            "design",
            "randomize",
            "--study",
            str(tmp_path / "study.yaml"),
            "--seed",
            "5",
            "--experiments",
            "1",
            "--seal-key",
            str(tmp_path / "key.sealed"),
            "--cultures-out",
            str(tmp_path / "cultures.csv"),
            "--layout-out",
            str(tmp_path / "lay.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    layout = pd.read_csv(tmp_path / "lay.csv")
    assert "group" not in layout.columns
    coded = pd.read_csv(tmp_path / "cultures.csv")
    assert not set(coded["group"]) & set(GROUPS) and coded["group"].nunique() == 3
    assert "normoxia" not in result.output and (tmp_path / "key.sealed").is_file()


def test_cli_in_vivo_still_needs_the_animals_file(tmp_path: Path) -> None:
    (tmp_path / "study.yaml").write_text(MANIFEST.replace("setting: in_vitro\n", ""))
    args = ["design", "randomize", "--study", str(tmp_path / "study.yaml"), "--seed", "5"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "Expected the animals file" in result.output
    result = CliRunner().invoke(app, [*args, "--layout-out", str(tmp_path / "l.csv")])
    assert result.exit_code == 2
