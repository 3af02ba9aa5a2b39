"""CLI `histology neurons | tunel | ihc`: JSON layout, numbers and one-line errors.

Expected numbers are analytic (drawn disks, see tests/histology/_images.py) or the real
scikit-image IHC image checked in tests/histology/test_ihc.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import skimage.data
import skimage.io
from tests.histology._images import disk_mask, grid, nissl_disks
from typer.testing import CliRunner

from neuroprotect.cli.main import app

runner = CliRunner()


def _run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert err.startswith("error:") and "\n" not in err
    assert "Traceback" not in result.output
    return err


@pytest.fixture
def nissl_png(tmp_path: Path) -> Path:
    rgb, _ = nissl_disks((320, 420), grid(4, 3, step=100, start=60), 16)
    path = tmp_path / "nissl.png"
    skimage.io.imsave(path, rgb, check_contrast=False)
    return path


def test_neurons_json_and_qc(nissl_png: Path, tmp_path: Path):
    qc = tmp_path / "qc" / "overlay.png"
    r = _run("histology", "neurons", nissl_png, "--pixel-size-um", 0.5, "--json", "--qc", qc)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["count"] == 12
    area = 320 * 420 * 0.25 / 1e6
    assert out["density_per_mm2"] == pytest.approx(12 / area)
    assert set(out["cells"][0]) == {"x", "y", "area_um2"}
    assert out["cells"][0]["area_um2"] == pytest.approx(np.pi * 16**2 * 0.25, rel=0.03)
    assert out["regions"][0]["neurons_per_mm"] is None
    overlay = skimage.io.imread(qc)
    assert overlay.shape == (320, 420, 3)
    assert (overlay == [0, 230, 0]).all(axis=-1).sum() > 100  # green outlines drawn


def test_neurons_band_roi(nissl_png: Path, tmp_path: Path):
    roi = tmp_path / "ca1.json"
    roi.write_text(json.dumps({"name": "CA1", "polyline": [[20, 160], [400, 160]], "width_um": 20}))
    r = _run("histology", "neurons", nissl_png, "--pixel-size-um", 0.5, "--roi", roi, "--json")
    out = json.loads(r.stdout)
    assert out["count"] == 4  # the middle row of disks (y = 160)
    band = out["regions"][0]
    assert band["length_mm"] == pytest.approx(380 * 0.5 / 1000)
    assert band["neurons_per_mm"] == pytest.approx(4 / 0.19)
    text = _run("histology", "neurons", nissl_png, "--pixel-size-um", 0.5, "--roi", roi)
    assert "4 neurons" in text.stdout and "CA1" in text.stdout


def test_tunel_json(tmp_path: Path):
    centres = grid(5, 4, step=50, start=30)
    labels = disk_mask((220, 270), centres, 9)
    nuc = 100 + 1000 * (labels > 0)
    mark = 80 + 600 * np.isin(labels, [1, 2, 3, 4, 5])
    img = np.stack([mark, nuc], axis=-1).astype(np.uint16)
    path = tmp_path / "f.tif"
    skimage.io.imsave(path, img, check_contrast=False)
    qc = tmp_path / "tunel_qc.png"
    args = ["--nuclear-channel", 1, "--marker-channel", 0, "--pixel-size-um", 0.5]
    r = _run("histology", "tunel", path, *args, "--json", "--qc", qc)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert (out["n_nuclei"], out["n_positive"]) == (20, 5)
    assert out["positive_pct"] == pytest.approx(25.0)
    assert set(out["nuclei"][0]) == {"x", "y", "area_um2", "marker_mean", "positive"}
    assert qc.is_file()
    fixed = json.loads(
        _run("histology", "tunel", path, *args, "--threshold", "900", "--json").stdout
    )
    assert fixed["n_positive"] == 0
    err = _one_line_error(_run("histology", "tunel", path, *args, "--threshold", "high"))
    assert "auto, otsu" in err


def test_ihc_json_on_real_image(tmp_path: Path):
    path = tmp_path / "ihc.png"
    skimage.io.imsave(path, skimage.data.immunohistochemistry())
    roi = tmp_path / "roi.json"
    roi.write_text(json.dumps([[20, 20], [120, 20], [120, 120], [20, 120]]))
    r = _run(
        "histology",
        "ihc",
        path,
        "--pixel-size-um",
        0.5,
        "--roi",
        roi,
        "--json",
        "--qc",
        tmp_path / "q.png",
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["positive_area_pct"] > 95
    assert out["threshold_od"] == 0.15
    assert out["regions"][0]["region"] == "roi"
    assert (tmp_path / "q.png").is_file()


def test_errors_are_one_line(nissl_png: Path, tmp_path: Path):
    err = _one_line_error(_run("histology", "neurons", tmp_path / "no.png", "--pixel-size-um", 1))
    assert "does not exist" in err
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    assert "Expected an image in PNG, JPEG or TIFF format" in _one_line_error(
        _run("histology", "ihc", junk, "--pixel-size-um", 1)
    )
    bad_roi = tmp_path / "bad.json"
    bad_roi.write_text('{"polyline": [[0, 0], [5, 5]]}')
    err = _one_line_error(
        _run("histology", "neurons", nissl_png, "--pixel-size-um", 1, "--roi", bad_roi)
    )
    assert "width_um" in err and "bad.json" in err
    err = _one_line_error(_run("histology", "neurons", nissl_png, "--pixel-size-um", 0))
    assert "pixel size" in err
    err = _one_line_error(
        _run("histology", "neurons", nissl_png, "--pixel-size-um", 1, "--backend", "stardist")
    )
    assert "stardist" in err
    err = _one_line_error(
        _run(
            "histology",
            "tunel",
            nissl_png,
            "--nuclear-channel",
            0,
            "--marker-channel",
            0,
            "--pixel-size-um",
            1,
        )
    )
    assert "different" in err


@pytest.mark.parametrize("command", ["neurons", "tunel", "ihc"])
def test_roi_help_shows_the_json_syntax(command: str):
    """Rich markup must not swallow the "[[x, y], ...]" example in --roi help."""
    r = runner.invoke(app, ["histology", command, "--help"], env={"COLUMNS": "300"})
    assert r.exit_code == 0, r.output
    assert "ROI JSON: [[x, y], ...] polygon, {'polyline': [[x, y], ...]" in r.output
    assert "{'regions': [...]}" in r.output


@pytest.mark.parametrize("command", ["neurons", "ihc"])
def test_roi_outside_the_image_is_an_error(nissl_png: Path, tmp_path: Path, command: str):
    roi = tmp_path / "other.json"
    roi.write_text(json.dumps([[1000, 1000], [1100, 1000], [1100, 1100]]))
    r = _run("histology", command, nissl_png, "--pixel-size-um", 0.5, "--roi", roi)
    err = _one_line_error(r)
    assert "nissl.png" in err and "other.json" in err and "ROI 'roi'" in err
    assert "Expected ROI 'roi'" in err and "to overlap the image (420 x 320 pixels)" in err


def test_band_partly_outside_is_clipped_with_a_warning(nissl_png: Path, tmp_path: Path):
    roi = tmp_path / "band.json"  # along the disk row y = 60 from x = 20 to far off the image
    roi.write_text(json.dumps({"name": "CA1", "polyline": [[20, 60], [1000, 60]], "width_um": 20}))
    r = _run("histology", "neurons", nissl_png, "--pixel-size-um", 0.5, "--roi", roi, "--json")
    assert r.exit_code == 0, r.output
    assert "warning:" in r.stderr and "'CA1'" in r.stderr and "partly outside" in r.stderr
    out = json.loads(r.stdout)
    region = out["regions"][0]
    assert region["count"] == 4  # disks at x = 60, 160, 260, 360
    assert region["length_mm"] == pytest.approx((419.5 - 20) * 0.5 / 1000)
    assert len(out["warnings"]) == 1


def test_truncated_tiff_is_a_one_line_error_naming_the_file(tmp_path: Path):
    full = tmp_path / "full.tif"
    skimage.io.imsave(full, np.full((200, 200, 2), 100, np.uint16), check_contrast=False)
    cut = tmp_path / "cut.tif"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    args = ["--nuclear-channel", 0, "--marker-channel", 1, "--pixel-size-um", 0.5]
    err = _one_line_error(_run("histology", "tunel", cut, *args))
    assert err.startswith(f"error: {cut}: Expected a complete TIFF image")
