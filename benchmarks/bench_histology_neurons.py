"""Neuron-counting throughput: megapixels per second per core, tiled vs naive scikit-image.

Run: ``.venv/bin/python benchmarks/bench_histology_neurons.py [--sizes 2048 10240]
[--no-naive-large]``. Generates seeded synthetic Nissl images (2k x 2k in memory; 10k x 10k
written tile by tile to a ``.npy`` memmap, so generation is bounded too), then times, each in a
fresh single-threaded subprocess (peak RSS measured per run):

- ``neuroprotect``: :func:`neuroprotect.histology.neurons.count_neurons` with its default
  2048-pixel tiles (the memmap is read tile by tile);
- ``naive``: a textbook whole-image scikit-image pipeline (``rgb2hed`` haematoxylin channel,
  Gaussian, Otsu, fill holes, small-object removal, distance transform, ``peak_local_max``,
  watershed, ``regionprops``) on the whole array in memory.

MP/s per core = image megapixels / wall time of a run that uses one core (BLAS/OpenMP threads
pinned to 1).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _table import write_rows

TILE = 2048
PIXEL_SIZE_UM = 0.5
NEURONS_PER_TILE = 900  # about 900 per mm² at 0.5 µm/px (1.05 mm² per 2048² tile)


def make_image(size: int, path: Path) -> None:
    """Synthetic Nissl image of ``size`` x ``size`` pixels in a .npy memmap, tile by tile."""
    from neuroprotect.datasets.synthetic_cells import make_nissl_image

    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint8, shape=(size, size, 3))
    k = 0
    for r in range(0, size, TILE):
        for c in range(0, size, TILE):
            h, w = min(TILE, size - r), min(TILE, size - c)
            frac = h * w / TILE**2
            tile = make_nissl_image(
                shape=(h, w),
                pixel_size_um=PIXEL_SIZE_UM,
                n_neurons=int(NEURONS_PER_TILE * frac),
                n_glia=int(600 * frac),
                n_debris=int(250 * frac),
                seed=10_000 + k,
            )
            out[r : r + h, c : c + w] = tile.image
            k += 1
    out.flush()
    del out


def run_neuroprotect(path: Path) -> int:
    from neuroprotect.histology.neurons import count_neurons

    image = np.load(path, mmap_mode="r")
    return count_neurons(image, pixel_size_um=PIXEL_SIZE_UM, keep_labels=False).count


def run_naive(path: Path) -> int:
    from scipy import ndimage as ndi
    from skimage.color import rgb2hed
    from skimage.feature import peak_local_max
    from skimage.filters import gaussian, threshold_otsu
    from skimage.measure import label, regionprops
    from skimage.morphology import remove_small_objects
    from skimage.segmentation import watershed

    image = np.load(path)  # whole image in memory
    h = rgb2hed(image)[..., 0]
    sm = gaussian(h, sigma=1.5)
    fg = ndi.binary_fill_holes(sm > threshold_otsu(sm))
    fg = remove_small_objects(fg, 200)
    dist = ndi.distance_transform_edt(fg)
    lab = label(fg)
    peaks = peak_local_max(dist, min_distance=7, labels=lab, exclude_border=False)
    markers = np.zeros(fg.shape, np.int32)
    markers[tuple(peaks.T)] = np.arange(1, len(peaks) + 1)
    ws = watershed(-dist, markers, mask=fg)
    areas = np.array([p.area for p in regionprops(ws)]) * PIXEL_SIZE_UM**2
    return int(((areas >= 50) & (areas <= 600)).sum())


def _vm_hwm_mb() -> float:
    """Peak resident memory of this process (VmHWM; unlike ru_maxrss not inherited at exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(kind: str, path: Path) -> None:
    t0 = time.perf_counter()
    if kind == "limit":  # the limit: the array loaded and one numpy pass over its pixels
        image = np.load(path)
        n = int(image.reshape(-1, image.shape[-1]).mean(axis=0).size)
    else:
        n = run_neuroprotect(path) if kind == "neuroprotect" else run_naive(path)
    wall = time.perf_counter() - t0
    peak_mb = _vm_hwm_mb()
    print(json.dumps({"count": n, "seconds": wall, "peak_rss_mb": peak_mb}))


def _child(kind: str, path: Path) -> dict[str, float]:
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    out = subprocess.run(
        [sys.executable, __file__, "--one", kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _mem_available_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2048, 10240])
    ap.add_argument("--no-naive-large", action="store_true", help="Skip naive on > 4k images.")
    ap.add_argument("--json", type=Path, help="write the rows to this file (run_all.py)")
    ap.add_argument("--one", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        one(args.one[0], Path(args.one[1]))
        return
    rows = []
    table: list[dict] = []  # one row per size for run_all.py
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"nissl_{size}.npy"
            t0 = time.perf_counter()
            make_image(size, path)
            gen = time.perf_counter() - t0
            mp = size * size / 1e6
            kinds = ["neuroprotect", "naive"]
            if size > 4096 and (args.no_naive_large or _mem_available_gb() < 12):
                kinds = ["neuroprotect"]
            for kind in kinds:
                r = _child(kind, path)
                rows.append((size, kind, mp, r, gen))
                print(
                    f"{size}x{size} {kind:<12} {r['seconds']:8.1f} s  "
                    f"{mp / r['seconds']:6.2f} MP/s/core  peak {r['peak_rss_mb']:7.0f} MB  "
                    f"count {r['count']}  (generated in {gen:.0f} s)",
                    flush=True,
                )
            seconds = {k: r["seconds"] for s_, k, _mp, r, _g in rows if s_ == size}
            table.append(
                {
                    "hot path": f"neuron count {size} x {size} (process)",
                    "seconds": seconds["neuroprotect"],
                    "limit": "np.load + numpy pass",
                    "limit_s": _child("limit", path)["seconds"],
                    "earlier": "naive skimage",
                    "earlier_s": seconds.get("naive"),
                }
            )
    print("\n| image | pipeline | time (s) | MP/s per core | peak RSS (MB) | cells |")
    print("|---|---|---|---|---|---|")
    for size, kind, mp, r, _ in rows:
        print(
            f"| {size}² | {kind} | {r['seconds']:.1f} | {mp / r['seconds']:.2f} | "
            f"{r['peak_rss_mb']:.0f} | {r['count']} |"
        )
    write_rows(table, args.json)


if __name__ == "__main__":
    main()
