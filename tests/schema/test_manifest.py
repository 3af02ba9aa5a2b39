"""Study manifest loading and its one-line errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.conftest import MINIMAL_MANIFEST

from neuroprotect.errors import InputError
from neuroprotect.schema.manifest import Role, load_study, study_json_schema


def test_load_minimal(mini_study: Path) -> None:
    study = load_study(mini_study)
    assert study.study_id == "mini"
    assert study.vehicle.id == "vehicle"
    assert study.sham is not None and study.sham.role is Role.SHAM
    assert study.group("low").dose_mg_kg == 3
    assert study.readout_files(study.readouts[0]) == [mini_study.parent / "water.csv"]


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "dose_mg_kg: 3",
            "dose_mg_kg: -3",
            "groups[2].dose_mg_kg: Expected a number >= 0, but got -3",
        ),
        ("role: treatment", "role: treated", "groups[2].role: Expected one of 'sham'"),
        ("title: Minimal study\n", "", "study.yaml: title: Expected this field, but it is missing"),
        ("species: rat", "species: rat\nspecies_typo: x", "species_typo"),
        ("files: [water.csv]", "files: [nowhere.csv]", "readouts.water.files[0]"),
        ("files: [water.csv]", "files: ['w*.tsv']", "found none"),
        ("animals: animals.csv", "animals: missing.csv", "field 'animals'"),
        ("{id: vehicle, role: vehicle}", "{id: vehicle, role: sham}", "role 'vehicle'"),
        ("{id: low,", "{id: sham,", "duplicate id 'sham'"),
        ("sex: male", "sex: both", "male, female or mixed"),
    ],
)
def test_bad_manifest_names_field(mini_study: Path, old: str, new: str, expected: str) -> None:
    _rewrite(mini_study, old, new)
    with pytest.raises(InputError) as info:
        load_study(mini_study)
    message = str(info.value)
    assert expected in message
    assert str(mini_study) in message
    assert "\n" not in message


def test_yaml_syntax_error_names_line(mini_study: Path) -> None:
    mini_study.write_text("study_id: x\ngroups: [\n  - a: b\n")
    with pytest.raises(InputError, match=r"study.yaml: line 3, column 3: Expected valid YAML"):
        load_study(mini_study)


def test_every_validation_problem_is_one_line(mini_study: Path) -> None:
    """All problems at once, each "file: path: Expected X, but got Y" (0-based list positions)."""
    from neuroprotect.errors import InputErrors

    _rewrite(mini_study, "dose_mg_kg: 3", "dose_mg_kg: ten")
    _rewrite(mini_study, "{id: sham, role: sham}", "{id: sham, role: sham, planned_n: 0}")
    _rewrite(mini_study, "sex: male", "sex: male\nalpha: 5")
    with pytest.raises(InputErrors) as info:
        load_study(mini_study)
    assert info.value.lines() == [
        f"{mini_study}: groups[0].planned_n: Expected a whole number >= 1, but got 0",
        f"{mini_study}: groups[2].dose_mg_kg: Expected a number >= 0, but got 'ten'",
        f"{mini_study}: alpha: Expected a number > 0 and < 1, but got 5",
    ]
    assert "\n" not in str(info.value)


def test_unknown_knowledge_base_ids_warn(mini_study: Path) -> None:
    from neuroprotect.errors import InputWarning

    _rewrite(mini_study, "compound: imm_h004", "compound: imm_h999")
    _rewrite(mini_study, "model: mcao_reperfusion", "model: stroke_x")
    _rewrite(mini_study, "dose_mg_kg: 3}", "dose_mg_kg: 3, compound: nope}")
    with pytest.warns(InputWarning) as caught:
        study = load_study(mini_study)
    assert study.compound == "imm_h999"
    messages = [str(w.message) for w in caught]
    assert len(messages) == 3
    assert messages[0].startswith(f"{mini_study}: compound: 'imm_h999' is not in the knowledge")
    assert "imm_h004" in messages[0] and "edaravone" in messages[0]
    assert "model: 'stroke_x'" in messages[1] and "mcao_r_filament" in messages[1]
    assert "groups[2].compound: 'nope'" in messages[2]


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_study(tmp_path / "nope.yaml")


def test_json_schema_has_fields() -> None:
    schema = study_json_schema()
    assert {"study_id", "groups", "readouts", "animals"} <= set(schema["properties"])
    assert "base_dir" not in schema["properties"]


def test_readme_manifest_example_is_valid() -> None:
    """The study.yaml example in README.md validates against the manifest model."""
    import re

    import yaml

    from neuroprotect.schema.manifest import Study

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)
    examples = [b for b in blocks if b.lstrip().startswith("study_id:")]
    assert len(examples) == 1, "expected one study.yaml example in README.md"
    from neuroprotect.workflows.readouts import readout_types

    study = Study.model_validate(yaml.safe_load(examples[0]))
    assert study.vehicle.id == "vehicle" and len(study.readouts) >= 1
    assert {r.type for r in study.readouts} <= set(readout_types())


def test_folders_where_files_are_expected(mini_study: Path) -> None:
    folder = mini_study.parent
    with pytest.raises(InputError, match=r"but got a folder; did you mean .*study\.yaml\?"):
        load_study(folder)
    (folder / "water.csv").unlink()
    (folder / "water.csv").mkdir()
    with pytest.raises(InputError, match=r"water\.csv' is a folder"):
        load_study(mini_study)
    _rewrite(mini_study, "files: [water.csv]", "files: ['wat*']")
    with pytest.raises(InputError, match=r"matching 'wat\*', but found only folders"):
        load_study(mini_study)


@pytest.mark.parametrize(("text", "got"), [("", "an empty file"), ("- a\n", "list ['a']")])
def test_manifest_that_is_not_a_mapping(mini_study: Path, text: str, got: str) -> None:
    mini_study.write_text(text)
    with pytest.raises(InputError, match=f"at the top level, but got {re.escape(got)}"):
        load_study(mini_study)


def test_key_given_twice_names_its_line(mini_study: Path) -> None:
    """YAML would silently keep the second value; the manifest refuses it instead."""
    _rewrite(mini_study, "sex: male\n", "sex: male\nspecies: mouse\n")
    with pytest.raises(InputError, match=r"line 7, column 1: .*key 'species' a second time"):
        load_study(mini_study)
    mini_study.write_text(
        MINIMAL_MANIFEST.replace("dose_mg_kg: 3}", "dose_mg_kg: 3, dose_mg_kg: 6}")
    )
    with pytest.raises(InputError, match=r"line 10, .*'dose_mg_kg' a second time"):
        load_study(mini_study)
