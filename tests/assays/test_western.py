"""Western blot densitometry: tables (Image Lab, ImageJ, long) and images (synthetic ground truth)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from neuroprotect.assays.western import compute_western, read_densitometry, read_lane_layout
from neuroprotect.assays.western_image import detect_lanes, measure_bands
from neuroprotect.datasets.synthetic_blot import make_synthetic_blot
from neuroprotect.errors import InputError

IMAGE_LAB = """\
Lane,Band No.,Band Label,Mol. Wt. (KDa),Volume (Int),Adj. Volume (Int)
1,1,Bax,21,1200,1000
1,2,Bcl-2,26,2200,2000
1,3,beta-actin,42,5200,5000
2,1,Bax,21,1300,1100
2,2,Bcl-2,26,2100,1900
2,3,beta-actin,42,5600,5500
3,1,Bax,21,700,500
3,2,Bcl-2,26,4200,4000
3,3,beta-actin,42,5100,5000
4,1,Bax,21,800,600
4,2,Bcl-2,26,4300,4100
4,3,beta-actin,42,5300,5200
"""
LANES = "lane,sample,group\n1,v1,vehicle\n2,v2,vehicle\n3,d1,drug\n4,d2,drug\n"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "bands.csv").write_text(IMAGE_LAB)
    (tmp_path / "lanes.csv").write_text(LANES)
    return tmp_path


def test_image_lab_table_normalised_fold_change_and_ratio(files) -> None:
    """Analytic (hand arithmetic on Adj. Volume): lane 1 Bax/actin = 1000/5000 = 0.2, lane 2
    1100/5500 = 0.2 -> vehicle mean 0.2; lane 3 500/5000 = 0.1 -> fold 0.5; Bax/Bcl-2 lane 3 =
    500/4000 = 0.125 vs vehicle mean (0.5 + 1100/1900)/2."""
    bands = read_densitometry(files / "bands.csv")
    assert bands["volume"].iloc[0] == 1000.0  # Adj. Volume preferred over Volume
    res = compute_western(
        bands,
        read_lane_layout(files / "lanes.csv"),
        loading_control="beta-actin",
        control_group="vehicle",
        ratios=[("Bax", "Bcl-2")],
    )
    bax = res.lanes[res.lanes["target"] == "Bax"].set_index("lane")
    assert bax.loc[1, "normalised"] == pytest.approx(0.2)
    assert bax.loc[3, "fold_change"] == pytest.approx(0.5)
    assert bax.loc[4, "fold_change"] == pytest.approx((600 / 5200) / 0.2)
    ratio = res.ratios.set_index("lane")
    vehicle_mean = (0.5 + 1100 / 1900) / 2
    assert ratio.loc[3, "value"] == pytest.approx(0.125)
    assert ratio.loc[3, "fold_change"] == pytest.approx(0.125 / vehicle_mean)
    summary = res.summary.set_index(["target", "group"])
    assert summary.loc[("Bax", "vehicle"), "mean"] == pytest.approx(1.0)
    assert summary.loc[("Bax/Bcl-2", "drug"), "n"] == 2
    assert res.warnings == []


def test_imagej_results_one_target_per_file(tmp_path) -> None:
    (tmp_path / "actin.csv").write_text(" ,Area,Percent\n1,5000,20\n2,5500,22\n")
    (tmp_path / "bax.csv").write_text(" ,Area,Percent\n1,1000,20\n2,2200,22\n")
    bands = pd.concat(
        [
            read_densitometry(tmp_path / "actin.csv", target="beta-actin"),
            read_densitometry(tmp_path / "bax.csv", target="Bax"),
        ]
    )
    layout = pd.DataFrame({"lane": [1, 2], "sample": ["a", "b"], "group": ["vehicle", "drug"]})
    res = compute_western(bands, layout, loading_control="BETA-ACTIN", control_group="vehicle")
    assert res.lanes.set_index("lane").loc[2, "fold_change"] == pytest.approx((2200 / 5500) / 0.2)
    with pytest.raises(InputError, match="target"):
        read_densitometry(tmp_path / "bax.csv")


def test_saturated_and_missing_loading_flagged(files) -> None:
    text = IMAGE_LAB.replace("Band Label,", "Band Label,saturated,", 1)
    lines = text.splitlines()
    out = [lines[0]] + [
        ",".join(line.split(",")[:3] + ["true" if i == 3 else "false"] + line.split(",")[3:])
        for i, line in enumerate(lines[1:])
    ]
    out = [line for line in out if not line.startswith("4,3,")]  # lane 4 without beta-actin
    (files / "sat.csv").write_text("\n".join(out) + "\n")
    res = compute_western(
        read_densitometry(files / "sat.csv"),
        read_lane_layout(files / "lanes.csv"),
        loading_control="beta-actin",
        control_group="vehicle",
    )
    flags = res.flags.set_index("flag")
    assert flags.loc["saturated", "lane"] == 2 and flags.loc["loading_missing", "lane"] == 4
    assert 4 not in set(res.lanes["lane"])
    assert any("saturated" in w for w in res.warnings) and any(
        "beta-actin" in w for w in res.warnings
    )
    assert not res.lanes["fold_change"].isna().any()


def test_bad_input(files) -> None:
    bands = read_densitometry(files / "bands.csv")
    layout = read_lane_layout(files / "lanes.csv")
    with pytest.raises(InputError, match="loading control 'GAPDH'"):
        compute_western(bands, layout, loading_control="GAPDH", control_group="vehicle")
    with pytest.raises(InputError, match="lane layout"):
        compute_western(
            bands, layout.iloc[:3], loading_control="beta-actin", control_group="vehicle"
        )
    (files / "v.csv").write_text("lane,target,volume\n1,Bax,abc\n")
    with pytest.raises(InputError, match="row 2"):
        read_densitometry(files / "v.csv")


VOLUMES = np.array(
    [[5000, 20000], [10000, 20000], [15000, 22000], [8000, 18000], [12000, 21000], [6000, 19000]]
)


@pytest.mark.parametrize("background, tol", [("lane_edge", 0.01), ("rolling_ball", 0.02)])
def test_image_band_volumes_match_synthetic_truth(background: str, tol: float) -> None:
    """Seeded synthetic ground truth: band volumes are the pixel sums the generator rendered;
    background = 100 + 0.2·row counts (noise-free)."""
    blot = make_synthetic_blot(VOLUMES, targets=("Bax", "beta-actin"), gradient=0.2)
    lanes = detect_lanes(blot.image)
    assert lanes["center"].to_numpy() == pytest.approx(blot.lane_centers, abs=0.5)
    got = measure_bands(
        blot.image, lanes, background=background, bands={"Bax": (18, 42), "beta-actin": (58, 82)}
    )
    assert got["volume"].to_numpy() == pytest.approx(blot.volumes["volume"].to_numpy(), rel=tol)


def test_image_noisy_auto_bands_film_and_fold_change() -> None:
    """Noisy film (dark bands on light): auto-inverted, bands found; normalised ratios within 3 %."""
    blot = make_synthetic_blot(
        VOLUMES, targets=("Bax", "beta-actin"), gradient=0.1, noise_sd=0.5, film=True, seed=3
    )
    lanes = detect_lanes(blot.image, n_lanes=6)
    got = measure_bands(blot.image, lanes, n_bands=2)
    assert list(got["target"].unique()) == ["band1", "band2"]
    got["target"] = got["target"].map({"band1": "Bax", "band2": "beta-actin"})
    layout = pd.DataFrame(
        {
            "lane": range(1, 7),
            "sample": [f"s{i}" for i in range(6)],
            "group": ["vehicle"] * 3 + ["drug"] * 3,
        }
    )
    res = compute_western(got, layout, loading_control="beta-actin", control_group="vehicle")
    truth = VOLUMES[:, 0] / VOLUMES[:, 1]
    expected = truth / truth[:3].mean()
    assert res.lanes["fold_change"].to_numpy() == pytest.approx(expected, rel=0.03)


def test_image_saturation_flag_from_integer_image() -> None:
    blot = make_synthetic_blot(
        [[600000, 10], [2000, 10]], targets=("Bax", "x"), band_sd_px=2.0, background=50
    )
    img = np.clip(blot.image, 0, 65535).astype(np.uint16)
    img[img > 1000] = 65535  # clip the strong band
    got = measure_bands(img, detect_lanes(img, centers=blot.lane_centers), bands={"Bax": (20, 40)})
    assert got["saturated"].tolist() == [True, False]


def test_user_given_lane_centers() -> None:
    blot = make_synthetic_blot(VOLUMES[:3], targets=("Bax", "beta-actin"))
    lanes = detect_lanes(blot.image, centers=blot.lane_centers)
    assert lanes["lane"].tolist() == [1, 2, 3]
    got = measure_bands(blot.image, lanes, bands={"Bax": (18, 42)})
    assert got["volume"].to_numpy() == pytest.approx(VOLUMES[:3, 0], rel=0.01)


def test_more_lanes_in_the_image_than_asked_for_is_an_error() -> None:
    """A 5-lane blot with a 4-lane layout: not the 4 strongest lanes silently, an error."""
    blot = make_synthetic_blot(VOLUMES[:5], targets=("Bax", "beta-actin"))
    with pytest.raises(InputError, match="Expected 4 lanes, but the image shows 5 lanes"):
        detect_lanes(blot.image, n_lanes=4)
    assert len(detect_lanes(blot.image, n_lanes=5)) == 5


def test_repeated_band_missing_lane_and_repeated_sample(files) -> None:
    """A band listed twice is an error naming its rows (not a pandas message); a layout lane
    without bands, and a sample counted in two lanes, are warned."""
    (files / "dup.csv").write_text(IMAGE_LAB + "1,4,Bax,21,1250,1050\n")
    with pytest.raises(
        InputError, match=r"dup.csv, row 14, .*lane 1 Bax \(blot 1\) is on rows 2, 14"
    ):
        read_densitometry(files / "dup.csv")
    bands = read_densitometry(files / "bands.csv")
    lay = read_lane_layout(files / "lanes.csv")
    lay = pd.concat([lay, lay.iloc[[0]].assign(lane=5)], ignore_index=True)  # v1 again, no bands
    res = compute_western(bands, lay, loading_control="beta-actin", control_group="vehicle")
    assert any("lanes without any band" in w and "lane 5 (v1, blot 1)" in w for w in res.warnings)
    bands5 = pd.concat([bands, bands[bands["lane"] == 1].assign(lane=5)], ignore_index=True)
    res = compute_western(bands5, lay, loading_control="beta-actin", control_group="vehicle")
    assert any(w.startswith("Bax: sample v1 is in 2 lanes") for w in res.warnings)
