"""Nucleus segmentation speed: the new pipeline against the 0.2.0 TUNEL pipeline, side by side.

Run: ``.venv/bin/python benchmarks/bench_histology_nuclei.py [--size 2048] [--repeats 3]``.
On a seeded synthetic two-channel field (``make_fluorescence_image``, 0.65 µm/px), times in
one process, alternating, with BLAS/OpenMP threads pinned to 1:

- ``baseline``: the 0.2.0 nucleus segmentation of ``count_positive_nuclei`` (fixed 10 µm
  diameter: background subtraction, Otsu with noise floor, ``_cells.segment_blobs``,
  ``measure_objects`` with shape properties);
- ``given``: :func:`neuroprotect.histology.fluorescence.count_positive_nuclei` with
  ``nucleus_diameter_um=10``;
- ``estimated``: the same with the diameter estimated from the image (the default).

Prints the median time of each and the ratios to the baseline; the limit is 2x (issue 12).
"""

from __future__ import annotations

import argparse
import os
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from neuroprotect.datasets.synthetic_cells import make_fluorescence_image  # noqa: E402
from neuroprotect.histology import _cells  # noqa: E402
from neuroprotect.histology.fluorescence import count_positive_nuclei  # noqa: E402

PIXEL_SIZE_UM = 0.65
LIMIT = 2.0


def baseline(image: np.ndarray) -> int:
    """The 0.2.0 nucleus segmentation (fixed 10 µm nuclei), as it was."""
    nuc = image[..., 0].astype(np.float32)
    diameter = 10.0
    sig = nuc - _cells.background(nuc, radius_px=2.5 * diameter / PIXEL_SIZE_UM)
    labels = _cells.segment_blobs(
        sig, radius_px=diameter / 2 / PIXEL_SIZE_UM, threshold=_cells.auto_threshold(sig)
    )
    obj = _cells.measure_objects(labels, pixel_size_um=PIXEL_SIZE_UM, intensity=sig)
    return int(((obj["area_um2"] >= 15) & (obj["area_um2"] <= 300)).sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=2048)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    n = int(120 * (args.size / 512) ** 2)
    image = make_fluorescence_image(
        shape=(args.size, args.size), n_nuclei=n, pixel_size_um=PIXEL_SIZE_UM, seed=7
    ).image
    runs = {
        "baseline": lambda: baseline(image),
        "given": lambda: (
            count_positive_nuclei(
                image, pixel_size_um=PIXEL_SIZE_UM, nucleus_diameter_um=10.0
            ).n_nuclei
        ),
        "estimated": lambda: count_positive_nuclei(image, pixel_size_um=PIXEL_SIZE_UM).n_nuclei,
    }
    times: dict[str, list[float]] = {k: [] for k in runs}
    counts: dict[str, int] = {}
    for _ in range(args.repeats):
        for name, fn in runs.items():
            t0 = time.perf_counter()
            counts[name] = fn()
            times[name].append(time.perf_counter() - t0)
    base = float(np.median(times["baseline"]))
    print(f"image {args.size} x {args.size} px, {n} nuclei drawn")
    for name, t in times.items():
        med = float(np.median(t))
        flag = "" if name == "baseline" or med / base <= LIMIT else "  OVER LIMIT"
        print(f"{name:10s} {med:7.2f} s  ratio {med / base:5.2f}  nuclei {counts[name]}{flag}")


if __name__ == "__main__":
    main()
