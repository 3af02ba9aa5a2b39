"""Table readouts: registration, tidy output and one-line errors (analytic expected values)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from neuroprotect.errors import InputError
from neuroprotect.io.animals import load_animals
from neuroprotect.schema.columns import MEASUREMENT_COLUMNS
from neuroprotect.schema.manifest import load_study
from neuroprotect.workflows.readouts import ReadoutData, get_readout_type, readout_types

READOUTS = """\
  - id: neuro
    type: neuro_score
    files: [neuro.csv]
    params: {scale: SCALE}
  - id: ttc
    type: ttc_table
    files: [ttc.csv]
    params: {slice_thickness_mm: 2}
  - id: eb
    type: evans_blue
    files: [eb.csv]
    params: {standards: eb_standards.csv, extraction_volume_ml: 2.0}
"""


def _write(path: Path, text: str) -> None:
    path.write_text(text.strip() + "\n")


@pytest.fixture
def study_dir(mini_study: Path) -> Path:
    """mini_study (groups sham, vehicle, low; animals <group>-0..3) plus three more readouts."""
    d = mini_study.parent
    mini_study.write_text(mini_study.read_text() + READOUTS.replace("SCALE", "longa"))
    _write(d / "neuro.csv", "animal_id,score\nsham-0,0\nvehicle-0,3\nlow-0,2")
    _write(
        d / "ttc.csv",
        """
animal_id,slice,ipsilateral_area_mm2,contralateral_area_mm2,infarct_area_mm2
vehicle-0,1,55,50,20
vehicle-0,2,66,60,30
sham-0,1,50,50,0
sham-0,2,60,60,0
""",
    )
    _write(
        d / "eb_standards.csv",
        "concentration_ug_ml,absorbance\n0,0.02\n1,0.07\n2,0.12\n4,0.22\n8,0.42",
    )
    _write(
        d / "eb.csv",
        "animal_id,absorbance,tissue_weight_mg\nvehicle-0,0.17,600\nsham-0,0.045,500\nlow-0,0.5,500",
    )
    return d


def _load(d: Path, readout_id: str) -> ReadoutData:
    study = load_study(d / "study.yaml")
    animals = load_animals(study)
    readout = next(r for r in study.readouts if r.id == readout_id)
    rtype = get_readout_type(study, readout)
    return rtype.load(study, readout, study.readout_files(readout), animals)


def _values(data: ReadoutData, variable: str) -> dict[str, float]:
    m = data.measurements
    m = m[m["variable"] == variable]
    return dict(zip(m["animal_id"], m["value"], strict=True))


def test_registered() -> None:
    types = readout_types()
    assert {"neuro_score", "ttc_table", "brain_water", "evans_blue"} <= set(types)
    assert [v.name for v in types["ttc_table"].variables] == [
        "infarct_volume_mm3",
        "corrected_infarct_volume_mm3",
        "edema_pct",
        "hemispheric_infarct_pct",
    ]
    assert types["neuro_score"].variables[0].ordinal


def test_brain_water_of_mini_study(mini_study: Path) -> None:
    """Fixture: wet = 1000 + 10 i, dry = wet * (1 - frac - 0.002 i),
    so water = (frac + 0.002 i) * 100."""
    data = _load(mini_study.parent, "water")
    m = data.measurements
    assert tuple(m.columns) == MEASUREMENT_COLUMNS
    assert len(m) == 12
    expected = {
        f"{g}-{i}": (frac + 0.002 * i) * 100
        for g, frac in (("sham", 0.78), ("vehicle", 0.82), ("low", 0.80))
        for i in range(4)
    }
    got = _values(data, "brain_water_pct")
    # dry weights are written with 3 decimals, so agreement is to ~1e-6 %
    assert got == pytest.approx(expected, abs=1e-5)
    row = m[m["animal_id"] == "low-2"].iloc[0]
    assert (row["study_id"], row["group"], row["dose_mg_kg"], row["unit"]) == (
        "mini",
        "low",
        3.0,
        "%",
    )
    assert (row["readout"], row["source_file"], row["source_row"]) == ("water", "water.csv", 12)
    assert not row["censored"]
    assert data.warnings == []


def test_neuro_scores(study_dir: Path) -> None:
    data = _load(study_dir, "neuro")
    assert _values(data, "neuro_score") == {"sham-0": 0.0, "vehicle-0": 3.0, "low-0": 2.0}
    assert data.variables is not None and data.variables[0].lower_is_better
    assert data.qc["scale"] == "longa"
    # animals without a score are reported
    assert "no data for 9 included animal(s)" in data.warnings[0]


def test_garcia_higher_is_better(study_dir: Path) -> None:
    text = (study_dir / "study.yaml").read_text().replace("scale: longa", "scale: modified_garcia")
    (study_dir / "study.yaml").write_text(text)
    _write(study_dir / "neuro.csv", "animal_id,score\nsham-0,18\nvehicle-0,9")
    data = _load(study_dir, "neuro")
    assert data.variables is not None and not data.variables[0].lower_is_better
    assert _values(data, "neuro_score") == {"sham-0": 18.0, "vehicle-0": 9.0}


def test_ttc(study_dir: Path) -> None:
    """vehicle-0 as in tests/histology/test_ttc.py: 100, 78, 10 %, 78/220 %; sham-0: 0, 0, 0, 0."""
    data = _load(study_dir, "ttc")
    assert _values(data, "infarct_volume_mm3") == pytest.approx({"vehicle-0": 100.0, "sham-0": 0.0})
    assert _values(data, "corrected_infarct_volume_mm3") == pytest.approx(
        {"vehicle-0": 78.0, "sham-0": 0.0}
    )
    assert _values(data, "edema_pct") == pytest.approx({"vehicle-0": 10.0, "sham-0": 0.0})
    assert _values(data, "hemispheric_infarct_pct")["vehicle-0"] == pytest.approx(7800 / 220)
    m = data.measurements
    assert m.loc[m["animal_id"] == "sham-0", "source_row"].unique().tolist() == [4]
    assert set(m["unit"]) == {"mm³", "%"}
    slices = data.details["slices"]
    assert slices["corrected_infarct_area_mm2"].tolist() == [15.0, 24.0, 0.0, 0.0]
    assert data.qc["slice_thickness_mm"] == 2.0 and data.qc["method"] == "sum"


def test_evans_blue(study_dir: Path) -> None:
    """A = 0.05 C + 0.02 exactly: vehicle 0.17 -> 3 µg/mL * 2 mL / 0.6 g = 10 µg/g;
    sham 0.045 -> 0.5 * 2 / 0.5 = 2 µg/g; low 0.5 -> 9.6 * 2 / 0.5 = 38.4 µg/g (above range)."""
    data = _load(study_dir, "eb")
    assert _values(data, "evans_blue_ug_per_g") == pytest.approx(
        {"vehicle-0": 10.0, "sham-0": 2.0, "low-0": 38.4}
    )
    qc = data.qc["standard_curve"]
    assert qc["slope"] == pytest.approx(0.05) and qc["intercept"] == pytest.approx(0.02)
    assert qc["r2"] == pytest.approx(1.0)
    assert any("above the standards' range for low-0" in w for w in data.warnings)
    assert len(data.details["standards"]) == 5


def test_evans_blue_zero_standard_blank(study_dir: Path) -> None:
    text = (
        (study_dir / "study.yaml")
        .read_text()
        .replace(
            "extraction_volume_ml: 2.0}",
            "extraction_volume_ml: 2.0, blank_absorbance: zero_standard}",
        )
    )
    (study_dir / "study.yaml").write_text(text)
    data = _load(study_dir, "eb")
    assert data.qc["standard_curve"]["blank_absorbance"] == pytest.approx(0.02)
    assert _values(data, "evans_blue_ug_per_g")["vehicle-0"] == pytest.approx(10.0)


def _expect_error(d: Path, readout_id: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        _load(d, readout_id)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("file", "old", "new", "readout_id", "expected"),
    [
        (
            "neuro.csv",
            "low-0,2",
            "rat-99,2",
            "neuro",
            "neuro.csv, row 4, field 'animal_id': Expected an "
            "animal_id listed in the animals table, but got 'rat-99'",
        ),
        (
            "neuro.csv",
            "low-0,2",
            "low-0,two",
            "neuro",
            "neuro.csv, row 4, field 'score': Expected a number",
        ),
        (
            "neuro.csv",
            "low-0,2",
            "low-0,5",
            "neuro",
            "neuro.csv, row 4, field 'score': Expected a "
            "whole-number score between 0 and 4 (Longa score), but got 5",
        ),
        (
            "ttc.csv",
            "sham-0,2,60,60,0",
            "sham-0,2,60,-60,0",
            "ttc",
            "ttc.csv, row 5, field 'contralateral_area_mm2': Expected an area in mm² >= 0",
        ),
        (
            "ttc.csv",
            "vehicle-0,2,66,60,30",
            "vehicle-0,2,66,60,70",
            "ttc",
            "ttc.csv, row 3, field "
            "'infarct_area_mm2': Expected the infarct area to be at most the ipsilateral",
        ),
        (
            "ttc.csv",
            "sham-0,1,50,50,0",
            "sham-0,1,50,n/a?,0",
            "ttc",
            "ttc.csv, row 4, field 'contralateral_area_mm2': Expected a number",
        ),
        ("water.csv", "low-1,1010.0", "low-1,1010.0,9999", "water", "water.csv, row 11"),
        (
            "eb.csv",
            "sham-0,0.045,500",
            "sham-0,0.045,heavy",
            "eb",
            "eb.csv, row 3, field 'tissue_weight_mg': Expected a number",
        ),
        (
            "eb_standards.csv",
            "2,0.12",
            "2,abc",
            "eb",
            "eb_standards.csv, row 4, field 'absorbance'",
        ),
    ],
)
def test_bad_cells_name_file_row_field(
    study_dir: Path, file: str, old: str, new: str, readout_id: str, expected: str
) -> None:
    path = study_dir / file
    text = path.read_text()
    assert old in text
    if file == "water.csv":  # dry > wet: replace the dry weight of low-1
        lines = text.splitlines()
        lines = [
            ",".join(ln.split(",")[:2] + ["9999"]) if ln.startswith("low-1,") else ln
            for ln in lines
        ]
        path.write_text("\n".join(lines) + "\n")
        expected = "water.csv, row 11, field 'dry_weight_mg': Expected the dry weight to be at most"
    else:
        path.write_text(text.replace(old, new))
    _expect_error(study_dir, readout_id, expected)


@pytest.mark.parametrize(
    ("old", "new", "readout_id", "expected"),
    [
        ("scale: longa", "scale: nihss", "neuro", "field 'readouts.neuro.params.scale'"),
        (
            "{scale: longa}",
            "{}",
            "neuro",
            "field 'readouts.neuro.params.scale': Expected this parameter",
        ),
        (
            "{slice_thickness_mm: 2}",
            "{slice_thickness_mm: two}",
            "ttc",
            "params.slice_thickness_mm'",
        ),
        (
            "{slice_thickness_mm: 2}",
            "{slice_thickness_mm: 2, method: simpson}",
            "ttc",
            "params.method'",
        ),
        (
            "{slice_thickness_mm: 2}",
            "{slice_thickness_mm: 2, thickness: 1}",
            "ttc",
            "params.thickness'",
        ),
        ("standards: eb_standards.csv", "standards: nope.csv", "eb", "params.standards'"),
    ],
)
def test_bad_params_name_field(
    study_dir: Path, old: str, new: str, readout_id: str, expected: str
) -> None:
    manifest = study_dir / "study.yaml"
    text = manifest.read_text()
    assert old in text
    manifest.write_text(text.replace(old, new))
    _expect_error(study_dir, readout_id, expected)


def test_duplicate_across_files(study_dir: Path) -> None:
    _write(study_dir / "neuro2.csv", "animal_id,score\nlow-0,1")
    manifest = study_dir / "study.yaml"
    manifest.write_text(manifest.read_text().replace("files: [neuro.csv]", "files: ['neuro*.csv']"))
    _expect_error(study_dir, "neuro", "neuro2.csv, row 2, field 'animal_id'")


def test_unknown_readout_type(mini_study: Path) -> None:
    mini_study.write_text(mini_study.read_text().replace("type: brain_water", "type: brainwater"))
    study = load_study(mini_study)
    with pytest.raises(InputError, match="field 'readouts.water.type'"):
        get_readout_type(study, study.readouts[0])


def test_measurement_columns_and_types(study_dir: Path) -> None:
    m = _load(study_dir, "ttc").measurements
    assert tuple(m.columns) == MEASUREMENT_COLUMNS
    assert m["value"].dtype == float and m["source_row"].dtype.kind == "i"
    assert pd.isna(m["timepoint"]).all() and pd.isna(m["trial"]).all()


def test_european_csv_with_decimal_commas(study_dir: Path) -> None:
    """Semicolon-separated TTC table with decimal commas gives the same volumes."""
    (study_dir / "ttc.csv").write_text(
        "animal_id;slice;ipsilateral_area_mm2;contralateral_area_mm2;infarct_area_mm2\n"
        "vehicle-0;1;55,0;50,0;20,0\nvehicle-0;2;66,0;60,0;30,0\n"
    )
    data = _load(study_dir, "ttc")
    assert _values(data, "corrected_infarct_volume_mm3") == pytest.approx({"vehicle-0": 78.0})


def test_slice_counts_differ_warns(study_dir: Path) -> None:
    with (study_dir / "ttc.csv").open("a") as fh:
        fh.write("sham-0,3,40,40,0\n")
    data = _load(study_dir, "ttc")
    assert any("different numbers of slices" in w for w in data.warnings)


def test_brain_water_dry_weight_in_grams(mini_study: Path) -> None:
    """A dry weight in g beside a wet weight in mg is converted, not divided as it is (99.98 %);
    water outside 70-90 % (e.g. both unlabeled, in different units) is warned."""
    folder = mini_study.parent
    table = pd.read_csv(folder / "water.csv")
    expected = _values(_load(folder, "water"), "brain_water_pct")
    table["dry_weight_mg"] /= 1000
    table.rename(columns={"dry_weight_mg": "dry_weight_g"}).to_csv(
        folder / "water.csv", index=False
    )
    data = _load(folder, "water")
    assert _values(data, "brain_water_pct") == pytest.approx(expected)
    assert not any("outside 70-90 %" in w for w in data.warnings)
    table.rename(columns={"wet_weight_mg": "wet", "dry_weight_mg": "dry"}).to_csv(
        folder / "water.csv", index=False
    )
    data = _load(folder, "water")
    assert any(
        "brain water outside 70-90 %" in w and "sham-0 (99.98 %)" in w for w in data.warnings
    )


def test_a_bad_table_file_is_skipped_the_others_used(mini_study: Path) -> None:
    """Brain water from two weight tables, the second with a non-number: it is skipped with its
    row and field, the first gives the same values as alone; an animal id that is not in the
    animals table still stops the readout (a mapping to fix, not a bad file)."""
    from neuroprotect.errors import collect_input_warnings

    def load() -> ReadoutData:
        study = load_study(mini_study)
        readout = study.readouts[0]
        files = study.readout_files(readout)
        return get_readout_type(study, readout).load(study, readout, files, load_animals(study))

    alone = load().measurements
    mini_study.write_text(mini_study.read_text().replace("[water.csv]", "[water*.csv]"))
    more = mini_study.parent / "water_2.csv"
    more.write_text("animal_id,wet_weight_mg,dry_weight_mg\nlow-0,1000,oops\n")
    with collect_input_warnings() as notes:
        data = load()
    (skipped,) = data.skipped
    assert skipped.file == "water_2.csv"
    assert skipped.reason == "row 2, field 'dry_weight_mg': Expected a number, but got 'oops'"
    assert notes == [skipped.one_line()]
    pd.testing.assert_frame_equal(data.measurements, alone)
    more.write_text("animal_id,wet_weight_mg,dry_weight_mg\nrat-99,1000,200\n")
    with pytest.raises(InputError, match="rat-99"):
        load()
