"""TTC image analysis throughput: megapixels per second per core, ours beside a naive pipeline.

Run: ``.venv/bin/python benchmarks/bench_histology_ttc.py [--sizes 2048 10240] [--no-naive-10k]``

For each size a square synthetic plate of 9 slices (seeded, with exact ground truth) is written as
a tiled, zlib-compressed RGB TIFF carrying its pixel size. Each pipeline runs in its own process
(one thread: OMP/OpenBLAS/MKL threads = 1) that reads the file, measures per-slice areas and
reports wall time and peak resident memory:

- ``neuroprotect``: :func:`neuroprotect.histology.ttc_images.measure_ttc_slices` (tile-by-tile
  block averaging in linear light to <= 1024 px, tissue, slices, midlines, adaptive colour model, areas);
- ``naive``: the whole image in memory with scikit-image: ``rgb2hsv`` (float64), Otsu on
  saturation for tissue, ``label`` + ``remove_small_objects``, Otsu on saturation within tissue for
  the pale part, hemispheres split at each slice's centroid column.

Megapixels per second per core = image megapixels / wall seconds / threads (1). The infarct area
error against the truth is printed beside it, so speed is not bought with accuracy.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _table import write_rows  # noqa: E402

from neuroprotect.datasets.synthetic_ttc import make_ttc_scene, write_ttc_scene_tiff  # noqa: E402


def _peak_mb() -> float:
    """Peak resident memory of this process: VmHWM (Linux; unlike ru_maxrss it does not carry
    the parent's size over fork + exec), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ours(path: str, queue: mp.Queue) -> None:
    from neuroprotect.histology.ttc_images import measure_ttc_slices

    t0 = time.perf_counter()
    m = measure_ttc_slices([path])
    dt = time.perf_counter() - t0
    peak = _peak_mb()
    queue.put((dt, peak, float(m.slices["infarct_area_mm2"].sum()), len(m.slices)))


def _naive(path: str, pixel_size_mm: float, queue: mp.Queue) -> None:
    import tifffile
    from skimage.color import rgb2hsv
    from skimage.filters import threshold_otsu
    from skimage.measure import label, regionprops
    from skimage.morphology import remove_small_objects

    t0 = time.perf_counter()
    img = tifffile.imread(path)
    hsv = rgb2hsv(img)
    sat, val = hsv[..., 1], hsv[..., 2]
    tissue = (sat > threshold_otsu(sat)) | (val > threshold_otsu(val))
    tissue = remove_small_objects(tissue, max_size=tissue.size // 2000)
    labels = label(tissue)
    pale_t = threshold_otsu(sat[tissue])
    infarct = 0.0
    n = 0
    for region in regionprops(labels):
        if region.area < tissue.sum() * 0.02:
            continue
        n += 1
        r0, c0, r1, c1 = region.bbox
        cx = region.centroid[1]
        cols = np.arange(c0, c1)[None, :]
        mask = labels[r0:r1, c0:c1] == region.label
        pale = mask & (sat[r0:r1, c0:c1] < pale_t)
        left, right = pale & (cols < cx), pale & (cols >= cx)
        infarct += max(left.sum(), right.sum()) * pixel_size_mm**2
    dt = time.perf_counter() - t0
    peak = _peak_mb()
    queue.put((dt, peak, float(infarct), n))


def _limit(path: str, queue: mp.Queue) -> None:
    """The limit: the TIFF decoded by tifffile and one numpy pass over its pixels."""
    import tifffile

    t0 = time.perf_counter()
    img = tifffile.imread(path)
    img.reshape(-1, img.shape[-1]).mean(axis=0)
    dt = time.perf_counter() - t0
    queue.put((dt, _peak_mb(), float("nan"), 0))


def _run(target, *args) -> tuple[float, float, float, int]:  # type: ignore[no-untyped-def]
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        return (float("nan"), float("nan"), float("nan"), 0)
    return queue.get()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[2048, 10240])
    ap.add_argument("--no-naive-10k", action="store_true", help="skip the naive run above 4k")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--keep", type=Path, default=None, help="folder to keep the TIFFs in")
    ap.add_argument("--json", type=Path, help="write the rows to this file (run_all.py)")
    args = ap.parse_args()
    scene = make_ttc_scene(args.seed, n_slices=9, per_row=3)
    scene = replace(scene, height_mm=scene.width_mm)
    rows = []
    table: list[dict] = []  # one row per size for run_all.py
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            px = scene.width_mm / size
            path = folder / f"ttc_plate_{size}.tif"
            cached = path.with_suffix(".truth.csv")
            t0 = time.perf_counter()
            if args.keep and path.is_file() and cached.is_file():  # same seed and size: reuse
                truth = pd.read_csv(cached)
            else:
                truth = write_ttc_scene_tiff(scene, path, pixel_size_mm=px, tile=512)
                truth.to_csv(cached, index=False)
            gen = time.perf_counter() - t0
            true_infarct = float(truth["infarct_area_mm2"].sum())
            mpix = size * size / 1e6
            runs = [("neuroprotect", _run(_ours, str(path)))]
            limit_s = _run(_limit, str(path))[0]
            if not (args.no_naive_10k and size > 4096):
                runs.append(("naive skimage", _run(_naive, str(path), px)))
            for name, (dt, peak, infarct, n) in runs:
                rows.append(
                    {
                        "size": f"{size} x {size}",
                        "pipeline": name,
                        "seconds": dt,
                        "MP/s/core": mpix / dt,
                        "peak_MB": peak,
                        "slices": n,
                        "infarct_err_pct": (infarct / true_infarct - 1) * 100,
                    }
                )
            by_name = {name: r[0] for name, r in runs}
            table.append(
                {
                    "hot path": f"TTC plate {size} x {size} (process)",
                    "seconds": by_name["neuroprotect"],
                    "limit": "tifffile decode + numpy",
                    "limit_s": limit_s,
                    "earlier": "naive skimage",
                    "earlier_s": by_name.get("naive skimage"),
                }
            )
            made = "reused" if gen < 1 else f"generated in {gen:.0f} s"
            print(f"plate {size}x{size}: {made} ({path.stat().st_size / 1e6:.0f} MB TIFF)")
    df = pd.DataFrame(rows)
    for _size, part in df.groupby("size", sort=False):
        ours = part.loc[part["pipeline"] == "neuroprotect", "MP/s/core"].iloc[0]
        df.loc[part.index, "speed_vs_ours"] = part["MP/s/core"] / ours
    cols = list(df.columns)
    print("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
    for rec in df.itertuples(index=False):
        cells = [f"{v:.3g}" if isinstance(v, float) else str(v) for v in rec]
        print("| " + " | ".join(cells) + " |")
    write_rows(table, args.json)


if __name__ == "__main__":
    main()
