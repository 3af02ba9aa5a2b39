"""``neuroprotect histology ttc``: JSON fields, volumes through the shared implementation, errors.

Expected numbers: the synthetic plate's exact truth (seeded generator), within the tolerances of
docs/histology-validation.md; volumes must equal compute_infarct_volumes on the printed slices.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image as PILImage
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.datasets.synthetic_ttc import make_ttc_plate
from neuroprotect.histology.ttc import compute_infarct_volumes

runner = CliRunner()
PX = 0.07


@pytest.fixture(scope="module")
def plate_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    plate = make_ttc_plate(11, pixel_size_mm=PX)
    path = tmp_path_factory.mktemp("ttc") / "rat11.png"
    # pHYs in pixels per metre: the pixel size travels with the file
    PILImage.fromarray(plate.image).save(path, dpi=(25.4 / PX, 25.4 / PX))
    return path, plate


def test_ttc_json(plate_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, plate = plate_file
    res = runner.invoke(
        app,
        [
            "histology",
            "ttc",
            str(path),
            "--slice-thickness-mm",
            "2",
            "--qc-dir",
            str(tmp_path / "qc"),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for key in (
        "slices",
        "infarct_volume_mm3",
        "corrected_infarct_volume_mm3",
        "edema_pct",
        "hemispheric_infarct_pct",
    ):
        assert key in out
    first = out["slices"][0]
    assert {
        "image",
        "slice",
        "ipsilateral_area_mm2",
        "contralateral_area_mm2",
        "infarct_area_mm2",
    } <= set(first)
    assert out["lesion_side"] == plate.scene.lesion_side
    assert Path(out["qc_images"][0]).is_file()
    slices = pd.DataFrame(out["slices"])
    vol = compute_infarct_volumes(slices.assign(animal_id="a"), slice_thickness_mm=2.0).iloc[0]
    for key in ("infarct_volume_mm3", "corrected_infarct_volume_mm3", "edema_pct"):
        assert out[key] == pytest.approx(vol[key], rel=1e-12)
    truth = compute_infarct_volumes(plate.truth.assign(animal_id="a"), slice_thickness_mm=2.0)
    assert out["infarct_volume_mm3"] == pytest.approx(truth["infarct_volume_mm3"].iloc[0], rel=0.08)
    assert out["edema_pct"] == pytest.approx(truth["edema_pct"].iloc[0], abs=1.5)


def test_ttc_exclude_trapezoid_and_text(plate_file) -> None:  # type: ignore[no-untyped-def]
    path, _ = plate_file
    res = runner.invoke(
        app,
        [
            "histology",
            "ttc",
            str(path),
            "--slice-thickness-mm",
            "2",
            "--pixel-size-mm",
            str(PX),
            "--exclude",
            "6",
            "--method",
            "trapezoid",
            "--lesion-side",
            "left",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["n_slices"] == 5 and out["lesion_side"] == "left"
    assert out["lesion_side_source"] == "user" and out["method"] == "trapezoid"
    text = runner.invoke(app, ["histology", "ttc", str(path), "--slice-thickness-mm", "2"])
    assert text.exit_code == 0 and "corrected_infarct_volume_mm3" in text.output


def test_ttc_pixel_size_far_from_metadata_warns(plate_file) -> None:  # type: ignore[no-untyped-def]
    """--pixel-size-mm 10x the file's pHYs: one warning line naming the file and both values;
    the given size is used (areas 100x those at the metadata's size)."""
    path, _ = plate_file
    args = ["histology", "ttc", str(path), "--slice-thickness-mm", "2", "--json"]
    meta = runner.invoke(app, args)
    given = runner.invoke(app, [*args, "--pixel-size-mm", str(10 * PX)])
    assert meta.exit_code == 0 and given.exit_code == 0, given.output
    assert "warning" not in meta.stderr
    (line,) = [w for w in given.stderr.splitlines() if w.startswith("warning:")]
    assert str(path) in line and f"{10 * PX:g} mm" in line and f"{PX:g} mm" in line
    a0 = json.loads(meta.stdout)["slices"][0]["ipsilateral_area_mm2"]
    a1 = json.loads(given.stdout)["slices"][0]["ipsilateral_area_mm2"]
    assert a1 == pytest.approx(100 * a0, rel=1e-3)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--scale-bar", "10", "--pixel-size-mm", "0.1"], "got both"),
        (["--scale-bar", "10"], "scale bar"),
        (["--exclude", "x"], "slice numbers"),
        (["--exclude", "1,2,3,4,5,6"], "all are excluded"),
        (["--order", "1,2"], "every slice"),
        (["--midline", "1:5"], "SLICE:ANGLE_DEG:OFFSET_PX"),
    ],
)
def test_ttc_errors_one_line(plate_file, extra: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    path, _ = plate_file
    res = runner.invoke(app, ["histology", "ttc", str(path), "--slice-thickness-mm", "2", *extra])
    assert res.exit_code == 2
    assert message in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_ttc_missing_or_bad_file(tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["histology", "ttc", str(tmp_path / "no.png"), "--slice-thickness-mm", "2"]
    )
    assert res.exit_code == 2 and "does not exist" in res.stderr
    bad = tmp_path / "bad.jpg"
    bad.write_text("not an image")
    res = runner.invoke(app, ["histology", "ttc", str(bad), "--slice-thickness-mm", "2"])
    assert res.exit_code == 2 and "PNG, JPEG or TIFF" in res.stderr
    assert "Traceback" not in res.output
