"""Image readouts nissl_images, tunel_images, ihc_images: per-animal means of sections.

Expected values are analytic: drawn disks of known number (tests/histology/_images.py), so each
section's density is count / image area and each animal's value is the mean of its sections.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import skimage.io
from tests.histology._images import DAB_VEC, brightfield, disk_mask, grid, nissl_disks

from neuroprotect.errors import InputError, collect_input_warnings
from neuroprotect.histology.roi import Region
from neuroprotect.io.animals import load_animals
from neuroprotect.schema.columns import MEASUREMENT_COLUMNS
from neuroprotect.schema.manifest import load_study
from neuroprotect.workflows.readouts import ReadoutData, get_readout_type, readout_types, strict_run

SHAPE = (220, 420)
AREA_MM2 = SHAPE[0] * SHAPE[1] * 0.25 / 1e6  # pixel 0.5 µm

READOUTS = """\
  - id: ca1
    type: nissl_images
    files: ["nissl/*.png", "nissl/*.json"]
    params: {sections: nissl_sections.csv, pixel_size_um: 0.5}
  - id: tunel
    type: tunel_images
    files: ["tunel/*.tif"]
    params: {sections: tunel_sections.csv, pixel_size_um: 0.5, nuclear_channel: 0, marker_channel: 1}
  - id: gfap
    type: ihc_images
    files: ["ihc/*.png"]
    params: {sections: ihc_sections.csv, pixel_size_um: 0.5, marker: GFAP}
"""


def _nissl(path: Path, n: int) -> None:
    rgb, _ = nissl_disks(SHAPE, grid(8, 2, step=50, start=40)[:n], 14)
    skimage.io.imsave(path, rgb, check_contrast=False)


def _tunel(path: Path, n_pos: int) -> None:
    labels = disk_mask(SHAPE, grid(8, 2, step=50, start=40), 9)  # 16 nuclei
    nuc = 100 + 1000 * (labels > 0)
    mark = 80 + 600 * np.isin(labels, list(range(1, n_pos + 1)))
    skimage.io.imsave(path, np.stack([nuc, mark], -1).astype(np.uint16), check_contrast=False)


def _ihc(path: Path, cols: int) -> None:
    mask = np.zeros(SHAPE, bool)
    mask[:, :cols] = True
    od = np.where(mask, 0.5, 0.0)[..., None] * DAB_VEC + 0.02
    skimage.io.imsave(path, brightfield(od), check_contrast=False)


@pytest.fixture
def study_dir(mini_study: Path) -> Path:
    d = mini_study.parent
    mini_study.write_text(mini_study.read_text() + READOUTS)
    for sub in ("nissl", "tunel", "ihc"):
        (d / sub).mkdir()
    counts = {("vehicle-0", 1): 4, ("vehicle-0", 2): 6, ("sham-0", 1): 16, ("low-0", 1): 10}
    rows = ["animal_id,image,section,roi"]
    for (a, s), n in counts.items():
        _nissl(d / "nissl" / f"{a}_s{s}.png", n)
        rows.append(f"{a},{a}_s{s}.png,{s},{'band.json' if a == 'low-0' else ''}")
    (d / "nissl" / "band.json").write_text(
        json.dumps({"name": "CA1", "polyline": [[10, 40], [410, 40]], "width_um": 20})
    )
    (d / "nissl_sections.csv").write_text("\n".join(rows) + "\n")
    rows = ["animal_id,image"]
    for a, pos in (("vehicle-0", 8), ("vehicle-0", 4), ("sham-0", 0)):
        name = f"{a}_{pos}.tif"
        _tunel(d / "tunel" / name, pos)
        rows.append(f"{a},tunel/{name}")
    (d / "tunel_sections.csv").write_text("\n".join(rows) + "\n")
    rows = ["animal_id,image"]
    for a, cols in (("vehicle-0", 105), ("sham-0", 0)):
        _ihc(d / "ihc" / f"{a}.png", cols)
        rows.append(f"{a},{a}.png")
    (d / "ihc_sections.csv").write_text("\n".join(rows) + "\n")
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


def test_registered():
    types = readout_types()
    assert {"nissl_images", "tunel_images", "ihc_images"} <= set(types)


def test_nissl_images_mean_of_sections(study_dir: Path):
    data = _load(study_dir, "ca1")
    m = data.measurements
    assert tuple(m.columns) == MEASUREMENT_COLUMNS
    density = _values(data, "neuron_density_per_mm2")
    band = Region("CA1", "band", np.array([[10, 40], [410, 40]], float), 20.0)
    band_area = band.mask(SHAPE, pixel_size_um=0.5).sum() * 0.25 / 1e6
    assert density["vehicle-0"] == pytest.approx((4 + 6) / 2 / AREA_MM2)
    assert density["sham-0"] == pytest.approx(16 / AREA_MM2)
    assert density["low-0"] == pytest.approx(8 / band_area)  # 8 disks on row y = 40
    per_mm = _values(data, "neurons_per_mm")
    assert per_mm == pytest.approx({"low-0": 8 / 0.2})  # only the animal with a band ROI
    sections = data.details["sections"]
    assert list(sections["count"]) == [4, 6, 16, 8]
    row = m[(m["animal_id"] == "vehicle-0")].iloc[0]
    assert (row["source_file"], row["source_row"], row["unit"]) == (
        "nissl_sections.csv",
        2,
        "neurons/mm²",
    )
    assert data.details["animals"].set_index("animal_id").loc["vehicle-0", "n_sections"] == 2
    assert any("different numbers of sections" in w for w in data.warnings)
    assert data.variables is not None and not data.variables[0].lower_is_better


def test_tunel_images(study_dir: Path):
    data = _load(study_dir, "tunel")
    pct = _values(data, "tunel_positive_pct")
    assert pct == pytest.approx({"vehicle-0": (50.0 + 25.0) / 2, "sham-0": 0.0})
    per_mm2 = _values(data, "tunel_positive_per_mm2")
    assert per_mm2["vehicle-0"] == pytest.approx(6 / AREA_MM2)


def test_ihc_images(study_dir: Path):
    data = _load(study_dir, "gfap")
    pct = _values(data, "dab_positive_area_pct")
    assert pct == pytest.approx({"vehicle-0": 100 * 105 / 420, "sham-0": 0.0}, abs=0.01)
    od = _values(data, "dab_mean_od")
    assert od["vehicle-0"] == pytest.approx(0.5 * 105 / 420, abs=0.01)
    assert data.variables is not None and data.variables[0].label.startswith("GFAP")


def test_image_not_among_files(study_dir: Path):
    csv = study_dir / "ihc_sections.csv"
    csv.write_text(csv.read_text() + "low-0,other.png\n")
    with pytest.raises(InputError, match="other.png") as exc:
        _load(study_dir, "gfap")
    assert "ihc_sections.csv" in str(exc.value) and "row 4" in str(exc.value)


def test_bad_params(study_dir: Path):
    text = (study_dir / "study.yaml").read_text()
    (study_dir / "study.yaml").write_text(text.replace("marker: GFAP", "threshold: high"))
    with pytest.raises(InputError, match="threshold"):
        _load(study_dir, "gfap")
    (study_dir / "study.yaml").write_text(text.replace(", pixel_size_um: 0.5, marker", ", marker"))
    with pytest.raises(InputError, match="pixel size"):
        _load(study_dir, "gfap")
    csv = study_dir / "tunel_sections.csv"
    csv.write_text(csv.read_text() + "ghost-1,tunel/sham-0_0.tif\n")
    with pytest.raises(InputError, match="animal"):
        _load(study_dir, "tunel")


def test_nissl_roi_outside_or_partly_outside_the_image(study_dir: Path):
    band = study_dir / "nissl" / "band.json"
    band.write_text(json.dumps({"name": "CA1", "polyline": [[10, 40], [900, 40]], "width_um": 20}))
    data = _load(study_dir, "ca1")
    assert any("low-0_s1.png" in w and "partly outside" in w for w in data.warnings)
    # loaders leave the readout prefix to the run (workflows.outcome.readout_warning)
    assert not [w for w in data.warnings if w.startswith("ca1:")]
    assert _values(data, "neurons_per_mm")["low-0"] == pytest.approx(8 / (409.5 * 0.5 / 1000))
    band.write_text(
        json.dumps({"name": "CA1", "polyline": [[10, 400], [400, 400]], "width_um": 20})
    )
    # an ROI that misses its image: that section is skipped, the others analysed ...
    with collect_input_warnings() as notes:
        data = _load(study_dir, "ca1")
    (skipped,) = data.skipped
    assert skipped.file == "nissl/low-0_s1.png" and "ROI 'CA1'" in skipped.reason
    assert notes == [skipped.one_line()]
    sections = data.details["sections"]
    assert "nissl/low-0_s1.png" not in set(sections["image"].astype(str))
    assert len(sections) == len(_load_csv_rows(study_dir / "nissl_sections.csv")) - 1
    # ... unless the run is strict (`run --strict`)
    with (
        strict_run(True),
        pytest.raises(InputError, match=r"low-0_s1\.png.*ROI 'CA1' \(.*band\.json\)"),
    ):
        _load(study_dir, "ca1")


def _load_csv_rows(path: Path) -> list[str]:
    return path.read_text().strip().splitlines()[1:]


@pytest.mark.parametrize("kind", ["garbage", "truncated"])
def test_an_unreadable_image_is_skipped(study_dir: Path, kind: str):
    """A section image that cannot be read is skipped with its reason; the animal's value is the
    mean of its other sections (the same as leaving the row out of the sections table)."""
    image = study_dir / "nissl" / "low-0_s1.png"
    data_whole = _load(study_dir, "ca1")
    raw = image.read_bytes()
    image.write_bytes(bytes(range(256)) * 4 if kind == "garbage" else raw[: len(raw) // 2])
    with collect_input_warnings() as notes:
        data = _load(study_dir, "ca1")
    (skipped,) = data.skipped
    assert skipped.file == "nissl/low-0_s1.png" and "\n" not in skipped.reason
    assert notes == [skipped.one_line()]
    kept = data_whole.details["sections"]
    kept = kept[kept["image"].astype(str) != "nissl/low-0_s1.png"]
    expected = kept.groupby("animal_id")["neuron_density_per_mm2"].mean()
    got = _values(data, "neuron_density_per_mm2")
    assert got == pytest.approx(expected.to_dict(), rel=1e-12)


def _with_model_param(d: Path, value: str) -> None:
    manifest = d / "study.yaml"
    text = manifest.read_text()
    old = "params: {sections: nissl_sections.csv, pixel_size_um: 0.5}"
    manifest.write_text(text.replace(old, old[:-1] + f", model: {value}}}", 1))


def test_nissl_images_with_a_trained_model(study_dir: Path):
    """Analytic: a model trained on other drawn-disk images counts the same 4, 6, 16, 8 disks;
    the method text names the detector and its training images."""
    from neuroprotect.histology.nissl_training import train_neurons

    images, masks = [], []
    for n, start in ((10, 30), (12, 45)):
        centres = grid(6, 2, step=60, start=start)[:n]
        rgb, labels = nissl_disks(SHAPE, centres, 14)
        images.append(rgb)
        masks.append(labels)
    res = train_neurons(images, masks, pixel_size_um=0.5, names=["a", "b"], n_trees=8)
    res.model.save(study_dir / "lab.npz")
    _with_model_param(study_dir, "lab.npz")
    data = _load(study_dir, "ca1")
    assert list(data.details["sections"]["count"]) == [4, 6, 16, 8]
    manifest = study_dir / "study.yaml"
    manifest.write_text(manifest.read_text().replace("model: lab.npz", "model: missing.npz"))
    with pytest.raises(InputError, match="neuron model"):
        _load(study_dir, "ca1")
