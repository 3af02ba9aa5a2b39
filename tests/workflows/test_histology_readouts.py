"""Readout ``ttc_images``: same variables as ``ttc_table``, values from the shared volume code.

Expected values: the seeded synthetic plates' exact truth (tolerances from
docs/histology-validation.md) and, exactly, compute_infarct_volumes on the readout's own slices.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image as PILImage

from neuroprotect.datasets.synthetic_ttc import make_ttc_plate
from neuroprotect.errors import InputError
from neuroprotect.histology.ttc import compute_infarct_volumes
from neuroprotect.io.animals import load_animals
from neuroprotect.schema.columns import MEASUREMENT_COLUMNS
from neuroprotect.schema.manifest import load_study
from neuroprotect.workflows.readouts import get_readout_type
from neuroprotect.workflows.table_readouts import TTC_VARIABLES

PX = 0.08
READOUT = """\
  - id: ttc
    type: ttc_images
    files: ["photos/*.png"]
    params:
      slice_thickness_mm: 2
      pixel_size_mm: {px}
{extra}"""


@lru_cache(maxsize=4)
def _plate(seed: int, infarct: bool):  # type: ignore[no-untyped-def]
    return make_ttc_plate(seed, pixel_size_mm=PX, n_slices=4, per_row=2, infarct=infarct)


def _study(mini_study: Path, extra: str = "") -> tuple[Path, dict[str, object]]:
    d = mini_study.parent
    (d / "photos").mkdir(exist_ok=True)
    plates = {}
    for animal, seed, infarct in (("vehicle-0", 21, True), ("sham-0", 22, False)):
        plate = _plate(seed, infarct)
        PILImage.fromarray(plate.image).save(d / "photos" / f"{animal}_plate.png")
        plates[animal] = plate
    mini_study.write_text(mini_study.read_text() + READOUT.format(px=PX, extra=extra))
    return mini_study, plates


def _load(manifest: Path):  # type: ignore[no-untyped-def]
    study = load_study(manifest)
    animals = load_animals(study)
    readout = next(r for r in study.readouts if r.id == "ttc")
    rtype = get_readout_type(study, readout)
    return rtype, rtype.load(study, readout, study.readout_files(readout), animals)


def test_ttc_images_readout(mini_study: Path) -> None:
    manifest, plates = _study(mini_study)
    rtype, data = _load(manifest)
    assert rtype.variables == TTC_VARIABLES
    m = data.measurements
    assert list(m.columns) == list(MEASUREMENT_COLUMNS)
    assert set(m["variable"]) == {v.name for v in TTC_VARIABLES}
    slices = data.details["slices"]
    assert {"animal_id", "image", "slice", "ipsilateral_area_mm2"} <= set(slices.columns)
    # exactly the shared implementation on the readout's own per-slice areas
    inc = slices[~slices["excluded"]]
    ref = compute_infarct_volumes(inc, slice_thickness_mm=2.0).set_index("animal_id")
    wide = m.pivot(index="animal_id", columns="variable", values="value")
    for v in TTC_VARIABLES:
        np.testing.assert_allclose(wide.loc[ref.index, v.name], ref[v.name], rtol=1e-12)
    # and close to the synthetic truth
    veh = plates["vehicle-0"].truth.assign(animal_id="vehicle-0")
    true = compute_infarct_volumes(veh, slice_thickness_mm=2.0).iloc[0]
    assert wide.loc["vehicle-0", "infarct_volume_mm3"] == pytest.approx(
        true["infarct_volume_mm3"], rel=0.1
    )
    assert wide.loc["sham-0", "infarct_volume_mm3"] < 2.0
    qc = data.details["qc_images"]
    assert set(qc["animal_id"]) == {"sham-0", "vehicle-0"}
    for p in qc["qc_image"]:
        assert (manifest.parent / p).is_file() and p.startswith("qc/ttc/")
    assert data.qc["overrides"] == {}
    assert any("no data" in w for w in data.warnings)
    # the report links every QC overlay
    assert len(data.links) == len(qc) and all(p.is_file() for p in data.links.values())


def test_overrides_recorded_and_checked(mini_study: Path) -> None:
    extra = """      lesion_side: right
      overrides:
        vehicle-0: {exclude: [4], midline: {1: {angle_deg: 2.0, offset_px: 0}}}
"""
    manifest, _ = _study(mini_study, extra)
    _, data = _load(manifest)
    rec = data.qc["overrides"]["vehicle-0"]
    assert rec["exclude"] == [4] and rec["midline"] == {1: {"angle_deg": 2.0, "offset_px": 0.0}}
    s = data.details["slices"]
    veh = s[s["animal_id"] == "vehicle-0"].set_index("detected")
    assert bool(veh.loc[4, "excluded"]) and veh.loc[1, "midline_method"] == "user"
    vols = data.details["volumes"].set_index("animal_id")
    assert vols.loc["vehicle-0", "n_slices"] == 3
    assert (s["lesion_side"] == "right").all()


@pytest.mark.parametrize(
    ("extra", "message", "field"),
    [
        (
            "      overrides: {vehicle-0: {exclude: [9]}}\n",
            "detected slice numbers",
            "readouts.ttc.params.overrides.vehicle-0.exclude",
        ),
        (
            "      overrides: {nobody: {exclude: [1]}}\n",
            "animal ids",
            "readouts.ttc.params.overrides",
        ),
        ("      overrides: {vehicle-0: {flip: true}}\n", "keys among", None),
        ("      lesion_side: up\n", "left or right", "readouts.ttc.params.lesion_side"),
        (
            "      animal_pattern: '^(x'\n",
            "regular expression",
            "readouts.ttc.params.animal_pattern",
        ),
    ],
)
def test_bad_params(mini_study: Path, extra: str, message: str, field: str | None) -> None:
    manifest, _ = _study(mini_study, extra)
    with pytest.raises(InputError, match=message) as exc:
        _load(manifest)
    if field:
        assert exc.value.field == field
    assert exc.value.file is not None


def test_unknown_animal_file_and_images_table(mini_study: Path) -> None:
    manifest, _ = _study(mini_study)
    stray = manifest.parent / "photos" / "ghost_plate.png"
    PILImage.fromarray(np.zeros((20, 20, 3), np.uint8)).save(stray)
    with pytest.raises(InputError, match="start with an animal id"):
        _load(manifest)
    stray.unlink()
    table = manifest.parent / "ttc_images.csv"
    pd.DataFrame({"animal_id": ["low-1"], "image": ["photos/vehicle-0_plate.png"]}).to_csv(
        table, index=False
    )
    manifest.write_text(manifest.read_text() + "      images: ttc_images.csv\n")
    _, data = _load(manifest)
    assert set(data.measurements["animal_id"]) == {"low-1"}


def test_an_animal_with_an_unreadable_photo_is_skipped(mini_study: Path) -> None:
    """One animal's photo is garbage bytes: that animal is skipped (named with its photo and the
    reason), the other animal is measured exactly as without it; strict refuses."""
    from neuroprotect.errors import collect_input_warnings
    from neuroprotect.workflows.readouts import strict_run

    manifest, _ = _study(mini_study)
    _, whole = _load(manifest)
    bad = manifest.parent / "photos" / "low-0_plate.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)  # a PNG header, then garbage
    with collect_input_warnings() as notes:
        _, data = _load(manifest)
    (skipped,) = data.skipped
    assert skipped.file == "photos/low-0_plate.png"
    assert skipped.reason.startswith("animal low-0: ")
    assert notes == [skipped.one_line()]
    pd.testing.assert_frame_equal(data.measurements, whole.measurements)
    with strict_run(True), pytest.raises(InputError, match="low-0_plate.png"):
        _load(manifest)
