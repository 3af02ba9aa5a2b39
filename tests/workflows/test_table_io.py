"""Reading a readout's files: the same record in two files names the second one plainly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from neuroprotect.errors import InputError
from neuroprotect.io.tables import Column
from neuroprotect.workflows.table_io import read_readout_files


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
        "across the readout's files, but animal_id='R01', slice=1 appears in more than one file"
    )
