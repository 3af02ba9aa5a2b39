"""Accuracy of the nucleus size estimate and nucleus counts: synthetic truth and real BBBC039.

Run: ``.venv/bin/python benchmarks/validate_nuclei.py [--bbbc039 DIR]``; prints the Markdown
tables of docs/histology-validation-cells.md ("Nuclei"). BBBC039 (CC0; Caicedo et al. 2019):
40 Hoechst fields of U2OS nuclei with manual instance masks, pixel size 0.65 µm; default
``../shared/data/histology/bbbc039_nuclei`` (skipped when absent). Centroids are matched
one-to-one within 5 µm by the Hungarian algorithm (``score_detections``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from skimage import io, measure

from neuroprotect.datasets.synthetic_cells import make_fluorescence_image
from neuroprotect.histology import _cells
from neuroprotect.histology.cell_size import estimate_cell_diameter
from neuroprotect.histology.nuclei import count_nuclei
from neuroprotect.histology.validation import score_detections

DEFAULT = Path(__file__).resolve().parents[2] / "shared/data/histology/bbbc039_nuclei"
PS = 0.65


def old_pipeline(img: np.ndarray, diameter: float) -> np.ndarray:
    """The 0.2.0 ``count_positive_nuclei`` segmentation (centroids x, y)."""
    sig = img - _cells.background(img, radius_px=2.5 * diameter / PS)
    labels = _cells.segment_blobs(
        sig, radius_px=diameter / 2 / PS, threshold=_cells.auto_threshold(sig)
    )
    obj = _cells.measure_objects(labels, pixel_size_um=PS)
    a = diameter / 10.0
    ok = (obj["area_um2"] >= 15 * a * a) & (obj["area_um2"] <= 300 * a * a)
    return obj.loc[ok, ["x", "y"]].to_numpy()


def synthetic() -> None:
    print("| µm/px | seed | true d µm | estimated d µm | true n | found n | count err % | F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for ps in (0.3, 0.5, 0.65, 0.9, 1.3):
        for seed in (21, 22):
            side = int(330 / ps)
            s = make_fluorescence_image(seed=seed, pixel_size_um=ps, shape=(side, side))
            true_d = 2 * np.sqrt(np.median(s.cells["area_um2"]) / np.pi)
            est = estimate_cell_diameter(s.image[..., 0], pixel_size_um=ps)
            res = count_nuclei(s.image, pixel_size_um=ps, channel=0)
            sc = score_detections(
                res.cells[["x", "y"]].to_numpy(), s.cells[["x", "y"]].to_numpy(), radius_px=4 / ps
            )
            print(
                f"| {ps} | {seed} | {true_d:.2f} | {est.diameter_um:.2f} | {len(s.cells)} | "
                f"{res.count} | {sc.count_error_pct:+.1f} | {sc.f1:.3f} |"
            )


def bbbc039(root: Path) -> None:
    rows = []
    print("| image | annotated n | found n | count err % | F1 | precision | recall | "
          "annotated d µm | estimated d µm |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for path in sorted((root / "images").glob("*.tif")):
        img = io.imread(path).astype(np.float32)
        mask = io.imread(root / "masks" / (path.stem + ".png"))
        lab = measure.label(mask[..., 0], background=0, connectivity=1)
        props = measure.regionprops(lab)
        truth = np.array([(p.centroid[1], p.centroid[0]) for p in props])
        true_d = 2 * np.sqrt(np.median([p.area for p in props]) / np.pi) * PS
        res = count_nuclei(img, pixel_size_um=PS)
        sc = score_detections(res.cells[["x", "y"]].to_numpy(), truth, radius_px=5 / PS)
        old = [
            score_detections(old_pipeline(img, d), truth, radius_px=5 / PS) for d in (10.0, 17.0)
        ]
        rows.append(
            (len(truth), res.count, sc.count_error_pct, sc.f1, sc.precision, sc.recall,
             abs(res.diameter_um / true_d - 1), *[o.count_error_pct for o in old],
             *[o.f1 for o in old])
        )  # fmt: skip
        print(
            f"| {path.stem[:14]} | {len(truth)} | {res.count} | {sc.count_error_pct:+.1f} | "
            f"{sc.f1:.3f} | {sc.precision:.3f} | {sc.recall:.3f} | {true_d:.1f} | "
            f"{res.diameter_um:.1f} |"
        )
    a = np.array(rows)
    print(
        f"\n{len(a)} images: mean |count error| {np.abs(a[:, 2]).mean():.2f} %, mean signed "
        f"{a[:, 2].mean():+.2f} %, pooled {100 * (a[:, 1].sum() / a[:, 0].sum() - 1):+.2f} %, "
        f"worst {a[np.abs(a[:, 2]).argmax(), 2]:+.1f} %; mean F1 {a[:, 3].mean():.3f} "
        f"(min {a[:, 3].min():.3f}), precision {a[:, 4].mean():.3f}, recall {a[:, 5].mean():.3f};"
        f" diameter estimate mean |error| {100 * a[:, 6].mean():.1f} %"
    )
    for k, d in enumerate((10, 17)):
        print(
            f"0.2.0 pipeline at {d} µm: mean signed count error {a[:, 7 + k].mean():+.1f} %, "
            f"mean F1 {a[:, 9 + k].mean():.3f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bbbc039", type=Path, default=DEFAULT)
    args = ap.parse_args()
    synthetic()
    print()
    if (args.bbbc039 / "images").is_dir():
        bbbc039(args.bbbc039)
    else:
        print(f"BBBC039 not found at {args.bbbc039}: skipped")


if __name__ == "__main__":
    main()
