"""CLI `histology nuclei` (and the size fields of `histology tunel`): JSON layout, analytic
numbers (drawn disks, tests/histology/_images.py), QC image, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import skimage.io
from tests.histology._images import disk_mask, grid
from typer.testing import CliRunner

from neuroprotect.cli.main import app

runner = CliRunner()


def _run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def nuclei_tif(tmp_path: Path) -> Path:
    labels = disk_mask((220, 270), grid(5, 4, step=50, start=30), 9)
    rng = np.random.default_rng(0)
    nuc = 100 + 1000 * (labels > 0) + rng.normal(0, 5, labels.shape)
    mark = 80 + 600 * np.isin(labels, [1, 2, 3, 4, 5])
    path = tmp_path / "f.tif"
    skimage.io.imsave(path, np.stack([mark, nuc], axis=-1).astype(np.uint16), check_contrast=False)
    return path


def test_nuclei_json_and_qc(nuclei_tif: Path, tmp_path: Path):
    """Analytic: 20 disks of radius 9 px at 0.5 µm/px -> 20 nuclei, diameter ~9 µm."""
    qc = tmp_path / "qc.png"
    r = _run(
        "histology", "nuclei", nuclei_tif, "--pixel-size-um", 0.5, "--channel", 1,
        "--qc", qc, "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["count"] == 20
    assert set(out["cells"][0]) == {"x", "y", "area_um2"}
    assert out["diameter_um"] == pytest.approx(9.0, rel=0.06)
    assert out["diameter_source"] == "estimated"
    assert out["diameter_estimate"]["n_blobs"] >= 15
    assert out["regions"][0]["count"] == 20
    assert skimage.io.imread(qc).shape[:2] == (220, 270)
    given = json.loads(
        _run(
            "histology", "nuclei", nuclei_tif, "--pixel-size-um", 0.5, "--channel", 1,
            "--nucleus-diameter-um", 12, "--json",
        ).stdout
    )  # fmt: skip
    assert given["diameter_um"] == 12 and given["diameter_source"] == "given"
    assert given["diameter_estimate"] is None


def test_nuclei_needs_channel_for_multichannel(nuclei_tif: Path):
    r = _run("histology", "nuclei", nuclei_tif, "--pixel-size-um", 0.5)
    assert r.exit_code == 2
    err = r.stderr.strip()
    assert err.startswith("error:") and "\n" not in err and "--channel" in err


def test_tunel_reports_the_nucleus_size(nuclei_tif: Path):
    args = ["--nuclear-channel", 1, "--marker-channel", 0, "--pixel-size-um", 0.5]
    out = json.loads(_run("histology", "tunel", nuclei_tif, *args, "--json").stdout)
    assert (out["n_nuclei"], out["n_positive"]) == (20, 5)
    assert out["nucleus_diameter_source"] == "estimated"
    assert out["nucleus_diameter_um"] == pytest.approx(9.0, rel=0.06)
    fixed = json.loads(
        _run("histology", "tunel", nuclei_tif, *args, "--nucleus-diameter-um", 10, "--json").stdout
    )
    assert fixed["nucleus_diameter_um"] == 10 and fixed["n_nuclei"] == 20
