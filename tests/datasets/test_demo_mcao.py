"""The seeded IMM-H004 MCAO/R demo study.

Expected numbers are analytic: ``ground_truth.csv`` is computed by the generator with its own
arithmetic (plain sums, closed-form least squares) from the rounded values it writes, and every
table readout must reproduce it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from neuroprotect.datasets.demo_mcao import DEFAULT_SEED, make_demo_study, simulate_demo_study
from neuroprotect.io.animals import load_animals
from neuroprotect.schema.manifest import Role, load_study
from neuroprotect.workflows.readouts import get_readout_type

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "imm-h004-mcao"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_study(tmp_path_factory.mktemp("demo"))


def _measurements(manifest: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    study = load_study(manifest)
    animals = load_animals(study)
    parts, warnings = [], []
    for readout in study.readouts:
        data = get_readout_type(study, readout).load(
            study, readout, study.readout_files(readout), animals
        )
        parts.append(data.measurements)
        warnings += data.warnings
    return pd.concat(parts, ignore_index=True), animals, warnings


def test_committed_example_is_what_the_generator_writes(demo: Path) -> None:
    """examples/imm-h004-mcao must be regenerated (python -m neuroprotect.datasets.demo_mcao
    examples/imm-h004-mcao) whenever the generator changes."""
    generated = sorted(p.name for p in demo.parent.iterdir())
    committed = sorted(p.name for p in EXAMPLE.iterdir())
    assert committed == generated
    for name in generated:
        assert (EXAMPLE / name).read_bytes() == (demo.parent / name).read_bytes(), name


def test_readouts_reproduce_ground_truth(demo: Path) -> None:
    measured, _, warnings = _measurements(demo)
    truth = pd.read_csv(demo.parent / "ground_truth.csv")
    merged = truth.merge(
        measured, on=["animal_id", "variable"], how="outer", suffixes=("_true", ""), indicator=True
    )
    assert (merged["_merge"] == "both").all()
    assert len(truth) == len(measured) == 59 * 7  # one rat died before assessment
    np.testing.assert_allclose(merged["value"], merged["value_true"], rtol=1e-9, atol=1e-9)
    assert (merged["group"] == merged["group_true"]).all()
    assert warnings == []


def test_design_follows_seed_002(demo: Path) -> None:
    study = load_study(demo)
    assert study.simulated and "SIMULATED" in study.title
    assert study.compound == "imm_h004" and study.model == "mcao_reperfusion"
    design = {(g.id, g.role, g.compound, g.dose_mg_kg, g.planned_n) for g in study.groups}
    assert design == {
        ("sham", Role.SHAM, None, None, 10),
        ("vehicle", Role.VEHICLE, None, 0.0, 10),
        ("h004_1_5", Role.TREATMENT, "imm_h004", 1.5, 10),
        ("h004_3", Role.TREATMENT, "imm_h004", 3.0, 10),
        ("h004_6", Role.TREATMENT, "imm_h004", 6.0, 10),
        ("edaravone_6", Role.POSITIVE_CONTROL, "edaravone", 6.0, 10),
    }
    assert all(g.timing_min == 5 and g.route == "iv" for g in study.groups if g.role != Role.SHAM)
    animals = load_animals(study)
    assert animals.groupby("group").size().to_dict() == {g.id: 10 for g in study.groups}
    assert (animals["sex"] == "male").all()
    assert animals["body_weight_g"].between(250, 300).all()
    excluded = animals[animals["excluded"]]
    assert 1 <= len(excluded) <= 2 and excluded["exclusion_reason"].str.len().gt(0).all()


def test_realistic_and_detectable_effects(demo: Path) -> None:
    measured, animals, _ = _measurements(demo)
    ok = measured[~measured["animal_id"].isin(animals.loc[animals["excluded"], "animal_id"])]
    means = ok.pivot_table(index="group", columns="variable", values="value", aggfunc="mean")
    vehicle = means.loc["vehicle"]
    assert 250 <= vehicle["infarct_volume_mm3"] <= 320
    assert 220 <= vehicle["corrected_infarct_volume_mm3"] <= 300
    reduction = 1 - means["corrected_infarct_volume_mm3"] / vehicle["corrected_infarct_volume_mm3"]
    assert 0.38 <= reduction["h004_6"] <= 0.55
    assert reduction["h004_1_5"] < reduction["h004_3"] < reduction["h004_6"]
    assert means.loc["sham", "neuro_score"] == 0
    assert means.loc["sham", "infarct_volume_mm3"] == 0
    assert 78 < means.loc["sham", "brain_water_pct"] < 79 < 81 < vehicle["brain_water_pct"] < 82
    assert means.loc["sham", "evans_blue_ug_per_g"] < means.loc["h004_6", "evans_blue_ug_per_g"]
    assert means.loc["h004_6", "evans_blue_ug_per_g"] < vehicle["evans_blue_ug_per_g"]


def test_slice_areas_are_rat_sized(demo: Path) -> None:
    slices = pd.read_csv(demo.parent / "ttc_slices.csv")
    assert slices.groupby("animal_id").size().eq(6).all()
    assert slices["contralateral_area_mm2"].between(35, 80).all()
    assert (slices["infarct_area_mm2"] <= slices["ipsilateral_area_mm2"]).all()


def test_seed_and_size() -> None:
    a = simulate_demo_study(seed=DEFAULT_SEED, n_per_group=4)
    b = simulate_demo_study(seed=DEFAULT_SEED, n_per_group=4)
    c = simulate_demo_study(seed=1, n_per_group=4)
    pd.testing.assert_frame_equal(a.ttc_slices, b.ttc_slices)
    assert not a.ttc_slices.equals(c.ttc_slices)
    assert len(a.animals) == 24
    with pytest.raises(ValueError, match="n_per_group >= 3"):
        simulate_demo_study(n_per_group=2)
