"""Shared readout helpers in :mod:`neuroprotect.workflows.table_io` (analytic cases): parameter
files and the same record in two files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from neuroprotect.errors import InputError
from neuroprotect.io.tables import Column
from neuroprotect.schema.manifest import load_study
from neuroprotect.workflows.table_io import param_file, read_readout_files

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "imm-h004-mcao" / "study.yaml"


def test_param_file_resolves_relative_to_the_manifest():
    study = load_study(EXAMPLE)
    readout = study.readouts[0]
    assert param_file(study, readout, "animals", "animals.csv") == EXAMPLE.parent / "animals.csv"


def test_param_file_missing_names_the_manifest_field():
    study = load_study(EXAMPLE)
    readout = study.readouts[0]
    with pytest.raises(InputError) as err:
        param_file(study, readout, "standards", "nope.csv", "standards file")
    message = str(err.value)
    assert "Expected an existing standards file" in message
    assert f"readouts.{readout.id}.params.standards" in message
    assert "study.yaml" in message


def test_record_in_two_files(tmp_path: Path) -> None:
    files = []
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_text("animal_id,slice,area\nR01,1,2.5\n")
        files.append(tmp_path / name)
    animals = pd.DataFrame({"animal_id": ["R01"], "group": ["vehicle"]})
    with pytest.raises(InputError) as info:
        read_readout_files(
            files,
            [Column("animal_id", "str"), Column("slice"), Column("area")],
            animals,
            lambda table, _path: table,
            ["animal_id", "slice"],
        )
    assert str(info.value) == (
        f"{files[1]}, row 2, field 'animal_id': Expected one record per animal_id and slice "
        f"across the readout's files, but animal_id='R01', slice=1 is also in {files[0]}"
    )


def test_record_twice_in_one_file_is_not_said_to_be_in_two_files(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("animal_id,area\nR01,2.5\nR02,2\nR01,3\n")
    animals = pd.DataFrame({"animal_id": ["R01", "R02"], "group": ["vehicle", "vehicle"]})
    with pytest.raises(InputError) as info:
        read_readout_files(
            [path], [Column("animal_id", "str"), Column("area")], animals, lambda t, _p: t,
            ["animal_id"],
        )  # fmt: skip
    assert str(info.value).endswith(
        "row 4, field 'animal_id': Expected one record per animal_id across the readout's files, "
        "but animal_id='R01' is also on row 2 of this file"
    )
