"""The animals table checked against the manifest's groups."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroprotect.errors import InputError, InputWarning
from neuroprotect.io.animals import load_animals
from neuroprotect.schema.manifest import load_study


def _rewrite_animals(study: Path, old: str, new: str) -> None:
    path = study.parent / "animals.csv"
    path.write_text(path.read_text().replace(old, new))


def test_group_in_other_case_gets_a_hint(mini_study: Path) -> None:
    _rewrite_animals(mini_study, "vehicle-0,vehicle,", "vehicle-0,Vehicle,")
    with pytest.raises(InputError, match=r"row 6, field 'group'.*but got 'Vehicle' \(did you mean"):
        load_animals(load_study(mini_study))


def test_manifest_group_without_animals_warns(mini_study: Path) -> None:
    path = mini_study.parent / "animals.csv"
    path.write_text("".join(ln for ln in path.open() if ",sham," not in ln))
    with pytest.warns(InputWarning, match=r"no animals in group\(s\) sham of the manifest"):
        table = load_animals(load_study(mini_study))
    assert "sham" not in set(table["group"])


def test_blank_lines_and_a_group_not_in_the_manifest(mini_study: Path) -> None:
    path = mini_study.parent / "animals.csv"
    path.write_text(path.read_text() + ",,,\n\nextra-1,high,250,male\n,,,\n")
    with pytest.raises(InputError, match=r"row 16, field 'group'.*but got 'high'"):
        load_animals(load_study(mini_study))
