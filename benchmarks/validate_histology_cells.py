"""Accuracy of the cell-level histology readouts on seeded synthetic images (ground truth).

Run: ``.venv/bin/python benchmarks/validate_histology_cells.py [n_seeds]``; prints the Markdown
tables of docs/histology-validation-cells.md. Seeds 1000..1000+n-1 (tests use other seeds).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from neuroprotect.datasets.synthetic_cells import (
    make_dab_image,
    make_fluorescence_image,
    make_nissl_image,
)
from neuroprotect.histology import _cells
from neuroprotect.histology.fluorescence import count_positive_nuclei
from neuroprotect.histology.ihc import measure_dab
from neuroprotect.histology.neurons import count_neurons
from neuroprotect.histology.validation import score_detections

SEED0 = 1000
LOWER_IS_WORSE = {"f1", "call_accuracy"}


def _summary(df: pd.DataFrame, group: str, cols: dict[str, str]) -> str:
    lines = [
        f"| {group} | n | " + " | ".join(cols.values()) + " |",
        "|---|---|" + "---|" * len(cols),
    ]
    for key, g in df.groupby(group, sort=False):
        cells = []
        for c in cols:
            v = g[c].to_numpy(dtype=float)
            worst = np.nanmin(v) if c in LOWER_IS_WORSE else v[np.nanargmax(np.abs(v))]
            cells.append(f"{np.nanmean(v):.3g} (worst {worst:.3g})")
        lines.append(f"| {key} | {len(g)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def nissl(n: int) -> pd.DataFrame:
    rows = []
    for layout, n_neurons in (("scattered", 60), ("ca1", 90)):
        for seed in range(SEED0, SEED0 + n):
            s = make_nissl_image(seed=seed, layout=layout, n_neurons=n_neurons)
            res = count_neurons(s.image, pixel_size_um=s.pixel_size_um)
            sc = score_detections(
                res.cells[["x", "y"]].to_numpy(), s.cells[["x", "y"]].to_numpy(), radius_px=15
            )
            pred_a = res.cells["area_um2"].to_numpy()[sc.matched_pred]
            true_a = s.cells["visible_area_um2"].to_numpy()[sc.matched_true]
            row = {
                "layout": layout,
                "f1": sc.f1,
                "count_error_pct": sc.count_error_pct,
                "area_error_pct": float(np.median(100 * (pred_a - true_a) / true_a)),
            }
            if s.roi is not None:
                band = count_neurons(s.image, pixel_size_um=s.pixel_size_um, roi=[s.roi])
                mask = s.roi.mask(s.image.shape[:2], pixel_size_um=s.pixel_size_um)
                truth = int(_cells.centroid_in(mask, s.cells.x.values, s.cells.y.values).sum())
                row["band_count_error_pct"] = 100 * (band.count - truth) / truth
            rows.append(row)
    return pd.DataFrame(rows)


def fluorescence(n: int) -> pd.DataFrame:
    rows = []
    for pf in (0.0, 0.1, 0.3, 0.7):
        for seed in range(SEED0, SEED0 + n):
            s = make_fluorescence_image(seed=seed, positive_fraction=pf)
            res = count_positive_nuclei(s.image, pixel_size_um=s.pixel_size_um)
            sc = score_detections(
                res.nuclei[["x", "y"]].to_numpy(), s.cells[["x", "y"]].to_numpy(), radius_px=5.0
            )
            calls = res.nuclei["positive"].to_numpy()[sc.matched_pred]
            truth = s.cells["positive"].to_numpy()[sc.matched_true]
            rows.append(
                {
                    "positive_fraction": pf,
                    "f1": sc.f1,
                    "count_error_pct": sc.count_error_pct,
                    "positive_pct_error_pp": res.positive_pct - 100 * s.cells["positive"].mean(),
                    "call_accuracy": float((calls == truth).mean()),
                }
            )
    return pd.DataFrame(rows)


def dab(n: int) -> pd.DataFrame:
    rows = []
    for pf in (0.0, 0.05, 0.2):
        for seed in range(SEED0, SEED0 + n):
            s = make_dab_image(seed=seed, patch_fraction=pf, n_positive_cells=0 if pf == 0 else 25)
            res = measure_dab(s.image, pixel_size_um=s.pixel_size_um)
            flat = measure_dab(s.image, pixel_size_um=s.pixel_size_um, flat_field=s.flat_field)
            rows.append(
                {
                    "patch_fraction": pf,
                    "area_error_pp": res.positive_area_pct - s.positive_area_pct,
                    "od_error": res.mean_dab_od - float(s.dab_od.mean()),
                    "od_error_flat_field": flat.mean_dab_od - float(s.dab_od.mean()),
                }
            )
    return pd.DataFrame(rows)


def main(n: int = 10) -> None:
    print("## Nissl\n")
    cols = {
        "f1": "detection F1",
        "count_error_pct": "count error %",
        "area_error_pct": "area error % (median)",
    }
    nis = nissl(n)
    print(_summary(nis, "layout", cols))
    band = nis["band_count_error_pct"].dropna()
    print(
        f"\nCA1 band ROI count error: mean {band.mean():.3g} %, mean |error| "
        f"{band.abs().mean():.3g} %, worst {band.iloc[band.abs().argmax()]:.3g} %\n"
    )
    print("## TUNEL / IF\n")
    fl = fluorescence(n)
    cols = {
        "f1": "nuclei F1",
        "count_error_pct": "nuclei count error %",
        "positive_pct_error_pp": "positive % error (pp)",
        "call_accuracy": "call accuracy",
    }
    print(_summary(fl, "positive_fraction", cols))
    print("\n## DAB IHC\n")
    d = dab(n)
    cols = {
        "area_error_pp": "positive area error (pp)",
        "od_error": "mean OD error",
        "od_error_flat_field": "mean OD error, flat field",
    }
    print(_summary(d, "patch_fraction", cols))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
