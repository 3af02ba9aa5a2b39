"""Raw tissue files of the simulated model demos: images, plates, blots, scores and TTC tables.

Like :mod:`neuroprotect.datasets.demo_behavior_files`, each writer turns the units' protection
(0 = the untreated insult, 1 = sham) into the raw files a lab would have: Nissl and TUNEL images
(:mod:`neuroprotect.datasets.synthetic_cells`), ELISA plate exports with a 4PL standard curve,
Griess NOx samples and standards, Western blot band volumes, Longa scores and TTC slice areas.
Images are small (256 x 256 px) so that a demo runs in seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import skimage.io

from neuroprotect.datasets.demo_behavior_files import DemoUnit, between
from neuroprotect.datasets.synthetic_cells import make_fluorescence_image, make_nissl_image

__all__ = [
    "write_elisa",
    "write_neuro_ttc",
    "write_nissl",
    "write_nos_nox",
    "write_plate",
    "write_tunel",
    "write_western",
]

IMAGE_SHAPE = (256, 256)
ROWS = "ABCDEFGH"
#: Contralateral hemisphere area (mm²) of six 2-mm coronal slices and the infarct's share of each.
CONTRA_MM2 = np.array([44.0, 58.0, 66.0, 68.0, 61.0, 47.0])
INFARCT_SHARE = np.array([0.10, 0.35, 0.55, 0.55, 0.40, 0.15])


def _csv(table: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, lineterminator="\n")


def write_nissl(
    out: Path, entry: dict[str, Any], units: list[DemoUnit], rng: np.random.Generator
) -> None:
    """One cresyl-violet CA1 field per animal (0.5 µm/px): about 45 pyramidal neurons in the
    sham field and 8 after the untreated insult (delayed CA1 death), plus glia and debris."""
    folder = out / entry["files"][0].split("/")[0]
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for u in units:
        n = int(np.clip(round(between(u.protection, 8, 45) + rng.normal(0, 3)), 2, 60))
        cells = make_nissl_image(
            shape=IMAGE_SHAPE, n_neurons=n, n_glia=12, n_debris=4, seed=int(rng.integers(2**31))
        )
        skimage.io.imsave(folder / f"{u.id}.tif", cells.image, check_contrast=False)
        rows.append((u.id, f"{folder.name}/{u.id}.tif", cells.pixel_size_um))
    _csv(
        pd.DataFrame(rows, columns=["animal_id", "image", "pixel_size_um"]),
        out / entry["params"]["sections"],
    )


def write_tunel(
    out: Path, entry: dict[str, Any], units: list[DemoUnit], rng: np.random.Generator
) -> None:
    """One two-channel field per animal (nuclei, TUNEL): 3 % positive nuclei in sham, 40 %
    after the untreated insult."""
    folder = out / entry["files"][0].split("/")[0]
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for u in units:
        frac = float(np.clip(between(u.protection, 0.40, 0.03) + rng.normal(0, 0.03), 0.0, 1.0))
        cells = make_fluorescence_image(
            shape=IMAGE_SHAPE, n_nuclei=45, positive_fraction=frac, seed=int(rng.integers(2**31))
        )
        skimage.io.imsave(folder / f"{u.id}.tif", cells.image, check_contrast=False)
        rows.append((u.id, f"{folder.name}/{u.id}.tif", cells.pixel_size_um))
    _csv(
        pd.DataFrame(rows, columns=["animal_id", "image", "pixel_size_um"]),
        out / entry["params"]["sections"],
    )


def write_nos_nox(
    out: Path, entry: dict[str, Any], units: list[DemoUnit], rng: np.random.Generator
) -> None:
    """Total NOx by nitrate reduction + Griess: hippocampal NOx about 18 µM in sham and 40 µM
    after ischemia (NOS activity rises, seed 000), standards 0-100 µM at 540 nm."""
    slope, blank = 0.0095, 0.045
    std = [(c, blank + slope * c + rng.normal(0, 0.004)) for c in (0, 5, 10, 25, 50, 100)]
    _csv(
        pd.DataFrame(std, columns=["concentration", "absorbance"]).round(4),
        out / entry["params"]["standards"],
    )
    rows = []
    for u in units:
        nox = between(u.protection, 40.0, 18.0) * float(np.exp(rng.normal(0, 0.12)))
        protein = round(float(rng.normal(2.0, 0.15)), 2)
        rows.append((u.id, round(blank + slope * nox + rng.normal(0, 0.004), 4), protein))
    table = pd.DataFrame(rows, columns=["animal_id", "absorbance_total", "protein_mg_ml"])
    _csv(table, out / entry["files"][0])


#: Western blot targets: band volume after the untreated insult relative to sham. PSD-95 rises
#: after 4VO and IMM-H004 lowers it (seed 002: "decrease the expression of PSD-95").
INSULT_FOLD = {
    "Bax": 2.2,
    "Bcl-2": 0.45,
    "cleaved caspase-3": 3.0,
    "PSD-95": 1.8,
    "synapsin 1": 0.55,
    "cytochrome c": 2.5,
}


def write_western(
    out: Path, entry: dict[str, Any], units: list[DemoUnit], rng: np.random.Generator
) -> None:
    """Band volumes (densitometry) per lane, one lane per unit, beta-actin as loading control:
    each target's level moves from the sham level to :data:`INSULT_FOLD` with the insult."""
    params = entry["params"]
    params["loading_control"] = "beta-actin"
    better = [t for t in params.get("higher_is_better", []) if INSULT_FOLD.get(t, 1.0) < 1.0]
    if "higher_is_better" in params:
        params["higher_is_better"] = better
    lanes, bands = [], []
    for lane, u in enumerate(units, start=1):
        lanes.append((lane, u.id))
        load = float(rng.normal(1.0, 0.08))
        bands.append((lane, "beta-actin", round(20000.0 * load)))
        for target in params["targets"]:
            fold = float(np.exp(between(u.protection, np.log(INSULT_FOLD.get(target, 1.0)), 0.0)))
            noise = float(np.exp(rng.normal(0, 0.12)))
            bands.append((lane, target, round(8000.0 * load * fold * noise)))
    _csv(pd.DataFrame(lanes, columns=["lane", "animal_id"]), out / params["layout"])
    _csv(pd.DataFrame(bands, columns=["lane", "target", "volume"]), out / entry["files"][0])


def write_plate(folder: Path, plate: str, layout: str, wells: list[dict[str, Any]]) -> None:
    """A plate export (``well, value``) and its layout (``well, type, sample, ...``) on a 96-well
    plate. Samples take the inner 60 wells first (edge wells evaporate faster, and the plate
    readouts warn about samples there), standards, blanks and controls the edge wells first."""
    if len(wells) > 96:
        raise ValueError(f"Expected at most 96 wells, but got {len(wells)}")
    all_wells = [f"{r}{c}" for r in ROWS[:8] for c in range(1, 13)]
    inner = [w for w in all_wells if w[0] not in "AH" and w[1:] not in {"1", "12"}]
    edge = [w for w in all_wells if w not in inner]
    free = {"sample": inner + edge, "other": edge + inner}
    taken: set[str] = set()
    names = []
    for w in wells:
        pool = free["sample" if w.get("type") == "sample" else "other"]
        name = next(n for n in pool if n not in taken)
        taken.add(name)
        names.append(name)
    lay = [
        {"well": n, **{k: v for k, v in w.items() if k != "value"}}
        for n, w in zip(names, wells, strict=True)
    ]
    _csv(pd.DataFrame(lay), folder / layout)
    values = [round(float(w["value"]), 4) for w in wells]
    _csv(pd.DataFrame({"well": names, "value": values}), folder / plate)


#: ELISA analytes: (sham, insult) serum/tissue concentration in pg/mL.
ELISA_LEVELS = {"il1b": (25.0, 140.0), "tnfa": (30.0, 160.0)}


def write_elisa(
    out: Path, entry: dict[str, Any], units: list[DemoUnit], rng: np.random.Generator
) -> None:
    """A sandwich ELISA plate: 8 standards (0-500 pg/mL) and blanks in duplicate, samples in
    duplicate when they fit the plate; OD by a 4PL curve with reader noise."""
    slug = entry["id"].removeprefix("elisa_")
    sham, insult = ELISA_LEVELS.get(slug, (30.0, 150.0))
    a, d, c50, b = 0.06, 2.8, 180.0, 1.3

    def od(conc: float) -> float:
        return d + (a - d) / (1 + (conc / c50) ** b) + float(rng.normal(0, 0.008))

    wells: list[dict[str, Any]] = [{"type": "blank", "value": od(0.0)} for _ in range(2)]
    for conc in (0, 7.8, 15.6, 31.25, 62.5, 125, 250, 500):
        wells += [{"type": "standard", "concentration": conc, "value": od(conc)} for _ in range(2)]
    reps = 2 if len(wells) + 2 * len(units) <= 96 else 1
    for u in units:
        true = between(u.protection, insult, sham) * float(np.exp(rng.normal(0, 0.15)))
        wells += [{"type": "sample", "sample": u.id, "value": od(true)} for _ in range(reps)]
    write_plate(out, entry["files"][0], entry["params"]["layout"], wells)


def write_neuro_ttc(
    out: Path, entries: dict[str, dict[str, Any]], units: list[DemoUnit], rng: np.random.Generator
) -> None:
    """Longa scores and six TTC slices per animal 9 h after permanent MCAO (seed 002: dosed at
    6 h, assessed at 9 h): infarct about 40 % of
    the hemisphere untreated; the score follows the infarct (0 for sham)."""
    scores, slices = [], []
    for u in units:
        contra = CONTRA_MM2 * rng.normal(1.0, 0.04) * rng.normal(1.0, 0.02, 6)
        sham = u.group == "sham"
        fraction = (
            0.0 if sham else max(between(u.protection, 0.40, 0.0) + rng.normal(0, 0.05), 0.02)
        )
        lesion = INFARCT_SHARE * contra * fraction * contra.sum() / np.sum(INFARCT_SHARE * contra)
        swelling = 0.0 if sham else max(between(u.protection, 0.08, 0.0), 0.0)
        ipsi = contra * (1 + swelling + rng.normal(0, 0.005, 6))
        infarct = np.minimum(lesion * (1 + swelling), ipsi)
        for k in range(6):
            slices.append(
                (u.id, k + 1, round(ipsi[k], 2), round(contra[k], 2), round(infarct[k], 2))
            )
        latent = 0.6 + fraction * 100 / 11.0 + rng.normal(0, 0.35)
        scores.append((u.id, "9 h", 0 if sham else int(np.clip(np.rint(latent), 1, 4))))
    if "neuro_score" in entries:
        table = pd.DataFrame(scores, columns=["animal_id", "timepoint", "score"])
        _csv(table, out / entries["neuro_score"]["files"][0])
    if "ttc_table" in entries:
        columns = [
            "animal_id",
            "slice",
            "ipsilateral_area_mm2",
            "contralateral_area_mm2",
            "infarct_area_mm2",
        ]
        _csv(pd.DataFrame(slices, columns=columns), out / entries["ttc_table"]["files"][0])
