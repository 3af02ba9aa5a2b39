"""Accuracy of TTC image analysis on seeded synthetic plates with exact ground truth.

Run: ``.venv/bin/python benchmarks/validate_histology_ttc.py [--cases 24] [--pixel-size-mm 0.04]``
Prints a markdown table (the figures quoted in docs/histology-validation.md).

For each seed a random plate (6 slices, random lesion side, stain intensity, white balance,
exposure, illumination gradient, vignetting, background, glare, noise; see
:mod:`neuroprotect.datasets.synthetic_ttc`) is rendered, saved as JPEG (quality 90) and analysed
from the file with :func:`neuroprotect.histology.ttc_images.measure_ttc_slices`; every fourth seed
is a sham (no infarct). Errors are measured minus true.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from neuroprotect.datasets.synthetic_ttc import make_ttc_plate
from neuroprotect.histology.ttc import compute_infarct_volumes
from neuroprotect.histology.ttc_images import measure_ttc_slices


def evaluate(
    seed: int, pixel_size_mm: float, folder: Path, *, jpeg: bool = True, max_side: int = 1024
) -> dict:
    sham = seed % 4 == 0
    plate = make_ttc_plate(seed, pixel_size_mm=pixel_size_mm, infarct=not sham)
    if jpeg:
        path = folder / f"plate{seed}.jpg"
        Image.fromarray(plate.image).save(path, quality=90)
        source: object = path
    else:
        source = plate.image
    m = measure_ttc_slices([source], pixel_size_mm=pixel_size_mm, max_side=max_side)  # type: ignore[list-item]
    got, truth = m.slices, plate.truth
    vol = compute_infarct_volumes(m.areas().assign(animal_id="a"), slice_thickness_mm=2.0).iloc[0]
    ref = compute_infarct_volumes(truth.assign(animal_id="a"), slice_thickness_mm=2.0).iloc[0]

    def pct(col: str) -> float:
        return float((got[col].sum() / truth[col].sum() - 1) * 100)

    return {
        "seed": seed,
        "sham": sham,
        "background": plate.scene.background[0],
        "stain": plate.scene.stain,
        "side_ok": m.lesion_side == plate.scene.lesion_side or sham,
        "ipsi_pct": pct("ipsilateral_area_mm2"),
        "contra_pct": pct("contralateral_area_mm2"),
        "infarct_pct": np.nan if sham else pct("infarct_area_mm2"),
        "infarct_slice_abs_mm2": float(
            np.abs(got["infarct_area_mm2"].to_numpy() - truth["infarct_area_mm2"].to_numpy()).max()
        ),
        "false_infarct_mm2": float(got["infarct_area_mm2"].sum()) if sham else np.nan,
        "corrected_vol_err_mm3": float(
            vol["corrected_infarct_volume_mm3"] - ref["corrected_infarct_volume_mm3"]
        ),
        "corrected_vol_pct": np.nan
        if sham
        else float(
            (vol["corrected_infarct_volume_mm3"] / ref["corrected_infarct_volume_mm3"] - 1) * 100
        ),
        "edema_pp": float(vol["edema_pct"] - ref["edema_pct"]),
        "true_infarct_mm3": float(ref["infarct_volume_mm3"]),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=24)
    ap.add_argument("--pixel-size-mm", type=float, default=0.04)
    ap.add_argument("--array", action="store_true", help="analyse arrays, not JPEG files")
    ap.add_argument("--max-side", type=int, default=1024, help="analysis scale (long side)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [
            evaluate(s, args.pixel_size_mm, Path(tmp), jpeg=not args.array, max_side=args.max_side)
            for s in range(1, args.cases + 1)
        ]
    df = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(df.round(3).to_string(index=False))
    inf = df[~df["sham"]]
    summary = {
        "cases (infarct / sham)": f"{len(inf)} / {int(df['sham'].sum())}",
        "lesion side correct": f"{int(df['side_ok'].sum())} / {len(df)}",
        "ipsilateral area error %: mean, max |.|": f"{df['ipsi_pct'].mean():+.2f}, "
        f"{df['ipsi_pct'].abs().max():.2f}",
        "contralateral area error %: mean, max |.|": f"{df['contra_pct'].mean():+.2f}, "
        f"{df['contra_pct'].abs().max():.2f}",
        "infarct area error %: mean, max |.|": f"{inf['infarct_pct'].mean():+.2f}, "
        f"{inf['infarct_pct'].abs().max():.2f}",
        "largest per-slice infarct error mm²": f"{inf['infarct_slice_abs_mm2'].max():.2f}",
        "sham false infarct mm² (max)": f"{df['false_infarct_mm2'].max():.2f}",
        "corrected volume error %: mean, max |.|": f"{inf['corrected_vol_pct'].mean():+.2f}, "
        f"{inf['corrected_vol_pct'].abs().max():.2f}",
        "corrected volume error mm³ max |.|": f"{df['corrected_vol_err_mm3'].abs().max():.2f}",
        "edema error (percentage points) max |.|": f"{df['edema_pp'].abs().max():.2f}",
    }
    print(
        f"\npixel size {args.pixel_size_mm} mm, {'arrays' if args.array else 'JPEG q90'}, "
        f"analysis scale <= {args.max_side} px"
    )
    print("| measure | value |\n|---|---|")
    for k, v in summary.items():
        print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
