"""``neuroprotect histology neurons | tunel | ihc``: cell counts and stain measures on images.

Images are read with :func:`~neuroprotect.workflows.histology_cells_readouts.read_image_array`
(the shared :func:`neuroprotect.histology.io.read_image`)
(scikit-image); the shared histology image reader (``neuroprotect.histology.io``) replaces it
when both histology branches are merged.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import typer

from neuroprotect.cli._common import output_file, print_json, user_errors
from neuroprotect.errors import InputError

if TYPE_CHECKING:  # imported where used: `histology --help` needs none of the image stack
    import pandas as pd

    from neuroprotect.histology.roi import Region


def read_image(path: Path) -> np.ndarray:
    """The image as an array (the study readouts' reader: one-line errors naming the file)."""
    from neuroprotect.workflows.histology_cells_readouts import read_image_array

    return read_image_array(path)


app = typer.Typer(
    help="Histology image analysis: Nissl neuron counts, TUNEL/IF positive nuclei, DAB IHC.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Typer renders help as Rich markup, which would swallow "[x, y]" as a style tag: escape "[".
ROI_HELP = (
    r"ROI JSON: \[\[x, y], ...] polygon, {'polyline': \[\[x, y], ...], 'width_um': W} band (CA1), "
    r"or {'regions': \[...]} (pixel coordinates). Default: whole image."
)


def _value(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if not math.isfinite(float(v)) else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _value(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (
            _clean(v)
            if isinstance(v, dict)
            else [_value(x) for x in v]
            if isinstance(v, list)
            else _value(v)
        )
        for k, v in d.items()
    }


def _roi(path: Path | None) -> list[Region] | None:
    from neuroprotect.histology.roi import read_roi

    return read_roi(path) if path is not None else None


def _write_qc(path: Path, overlay: np.ndarray) -> None:
    from skimage import io

    io.imsave(str(output_file(path)), overlay, check_contrast=False)
    typer.echo(f"QC overlay written to {path}", err=True)


def _threshold(text: str | None, words: tuple[str, ...]) -> float | str | None:
    if text is None or text in words:
        return text
    try:
        return float(text)
    except ValueError:
        raise InputError(
            f"Expected a number or one of {', '.join(words)}, but got {text!r}",
            field="--threshold",
        ) from None


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)


def _print_regions(regions: pd.DataFrame, columns: list[str]) -> None:
    for row in _records(regions):
        parts = [
            f"{c}={row[c]:.6g}" if isinstance(row[c], float) else f"{c}={row[c]}"
            for c in columns
            if row.get(c) is not None
        ]
        typer.echo(f"  {row['region']}: " + " ".join(parts))


@app.command("neurons")
def neurons(
    image: Path = typer.Argument(..., help="RGB brightfield image (Nissl / cresyl violet)."),
    pixel_size_um: float = typer.Option(..., "--pixel-size-um", help="µm per pixel."),
    roi: Path | None = typer.Option(None, "--roi", help=ROI_HELP),
    cell_diameter_um: float | None = typer.Option(
        None, "--cell-diameter-um", help="Soma diameter (µm); default: measured on the image."
    ),
    min_area_um2: float | None = typer.Option(
        None, "--min-area-um2", help="Default 50 (d/15)², d the soma diameter; or the model's."
    ),
    max_area_um2: float | None = typer.Option(
        None, "--max-area-um2", help="Default 600 (d/15)²; or the model's."
    ),
    min_solidity: float | None = typer.Option(None, "--min-solidity", help="Default 0.8."),
    max_eccentricity: float | None = typer.Option(None, "--max-eccentricity", help="Default 0.95."),
    stain: str = typer.Option(
        "estimate", "--stain", help="estimate | cresyl_violet | hematoxylin | channel 0-2."
    ),
    threshold: float | None = typer.Option(
        None, "--threshold", help="Stain OD threshold above background (default Otsu)."
    ),
    backend: str = typer.Option("classic", "--backend", help="classic | stardist | cellpose."),
    model_path: Path | None = typer.Option(
        None, "--model-path", help="StarDist model folder or Cellpose weights (never downloaded)."
    ),
    model: Path | None = typer.Option(
        None, "--model", help="Soma detector trained by 'histology train-neurons' (.npz)."
    ),
    pale: bool = typer.Option(
        True, "--pale/--no-pale", help="Also count pale somata below the Otsu threshold."
    ),
    qc: Path | None = typer.Option(None, "--qc", help="Write a QC overlay PNG here."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Count Nissl-stained neuronal somata; density per mm² and per mm of a CA1 band.

    Example: neuroprotect histology neurons ca1.png --pixel-size-um 0.5 --roi ca1.json --json

    With a detector trained on your own sections: --model lab.npz (see train-neurons).
    """
    from neuroprotect.histology.neurons import count_neurons
    from neuroprotect.histology.qc import GREEN, RED, render_overlay

    with user_errors():
        arr = read_image(image)
        regions = _roi(roi)
        stain_arg: Any = int(stain) if stain in ("0", "1", "2") else stain
        res = count_neurons(
            arr,
            pixel_size_um=pixel_size_um,
            roi=regions,
            stain=stain_arg,
            cell_diameter_um=cell_diameter_um,
            min_area_um2=min_area_um2,
            max_area_um2=max_area_um2,
            min_solidity=min_solidity,
            max_eccentricity=max_eccentricity,
            threshold=threshold,
            backend=backend,
            model_path=model_path,
            model=model,
            pale=pale,
            file=image,
        )
        if qc is not None:
            rgb = arr[..., :3] if arr.dtype == np.uint8 else _to_uint8(arr[..., :3])
            outlines = [(res.labels, GREEN)] if res.labels is not None else []
            pts = [
                (res.rejected[["x", "y"]].to_numpy(), RED),
                (res.cells[["x", "y"]].to_numpy(), GREEN),
            ]
            overlay = render_overlay(
                rgb,
                pixel_size_um=pixel_size_um,
                outlines=outlines,
                points=pts,
                regions=regions or [],
            )
            m = res.method
            legend = (
                f"{res.count} somata (green), {len(res.rejected)} rejected (red); soma diameter "
                f"{m['cell_diameter_um']:.3g} um ({m['cell_diameter_source']})"
            )
            _write_qc(qc, _with_legend(overlay, legend))
    _warn(res.warnings)
    if as_json:
        print_json(
            {
                "image": str(image),
                "count": res.count,
                "density_per_mm2": _value(res.density_per_mm2),
                "area_mm2": _value(res.area_mm2),
                "regions": _records(res.regions),
                "cells": _records(res.cells[["x", "y", "area_um2"]]),
                "n_rejected": len(res.rejected),
                "cell_diameter_um": _value(res.method["cell_diameter_um"]),
                "cell_diameter_source": res.method["cell_diameter_source"],
                "method": _clean(res.method),
                "warnings": res.warnings,
            }
        )
        return
    typer.echo(f"{image}: {res.count} neurons, {res.density_per_mm2:.6g} per mm²")
    _print_regions(res.regions, ["count", "area_mm2", "density_per_mm2", "neurons_per_mm"])


def _with_legend(overlay: np.ndarray, text: str) -> np.ndarray:
    """``text`` (what was counted, the soma size) on a white box in the top-left corner; the
    overlay keeps the image's size so it can be laid over the image."""
    from PIL import Image, ImageDraw

    img = Image.fromarray(np.ascontiguousarray(overlay[..., :3]))
    draw = ImageDraw.Draw(img)
    box = draw.textbbox((3, 1), text)
    draw.rectangle((0, 0, box[2] + 3, box[3] + 2), fill=(255, 255, 255))
    draw.text((3, 1), text, fill=(0, 0, 0))
    return np.asarray(img)


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    x = arr.astype(np.float32)
    hi = float(np.percentile(x, 99.9)) or 1.0
    return np.clip(x / hi * 255, 0, 255).astype(np.uint8)


@app.command("tunel")
def tunel(
    image: Path = typer.Argument(..., help="Multi-channel fluorescence image (TIFF)."),
    nuclear_channel: int = typer.Option(..., "--nuclear-channel", help="0-based channel index."),
    marker_channel: int = typer.Option(..., "--marker-channel", help="0-based channel index."),
    pixel_size_um: float = typer.Option(..., "--pixel-size-um", help="µm per pixel."),
    roi: Path | None = typer.Option(None, "--roi", help=ROI_HELP),
    nucleus_diameter_um: float | None = typer.Option(
        None, "--nucleus-diameter-um", help="Typical nucleus diameter; default estimated."
    ),
    min_area_um2: float | None = typer.Option(
        None, "--min-area-um2", help="Default 0.02 x the typical nucleus area."
    ),
    max_area_um2: float | None = typer.Option(
        None, "--max-area-um2", help="Default 4 x the typical nucleus area."
    ),
    threshold: str = typer.Option(
        "auto", "--threshold", help="Marker threshold: auto | otsu | a number above background."
    ),
    qc: Path | None = typer.Option(None, "--qc", help="Write a QC overlay PNG here."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Fraction of marker-positive nuclei (TUNEL, Ki-67, ...) in a two-channel image.

    Nuclei are segmented as by ``histology nuclei`` (size estimated unless given).

    Example: neuroprotect histology tunel field.tif --nuclear-channel 0 --marker-channel 1
    --pixel-size-um 0.65 --json
    """
    from neuroprotect.cli.histology_nuclei import size_legend
    from neuroprotect.histology.fluorescence import count_positive_nuclei
    from neuroprotect.histology.qc import CYAN, RED, fluorescence_composite, render_overlay

    with user_errors():
        arr = read_image(image)
        if arr.ndim == 2:
            raise InputError(
                "Expected a multi-channel image, but got a single-channel one", file=image
            )
        regions = _roi(roi)
        res = count_positive_nuclei(
            arr,
            pixel_size_um=pixel_size_um,
            nuclear_channel=nuclear_channel,
            marker_channel=marker_channel,
            roi=regions,
            nucleus_diameter_um=nucleus_diameter_um,
            min_area_um2=min_area_um2,
            max_area_um2=max_area_um2,
            marker_threshold=_threshold(threshold, ("auto", "otsu")),  # type: ignore[arg-type]
            file=image,
        )
        if qc is not None:
            comp = fluorescence_composite(
                arr, nuclear_channel=nuclear_channel, marker_channel=marker_channel
            )
            pos = res.nuclei["positive"].to_numpy()
            overlay = render_overlay(
                comp,
                pixel_size_um=pixel_size_um,
                outlines=[(res.labels, CYAN)],
                points=[(res.nuclei.loc[pos, ["x", "y"]].to_numpy(), RED)],
                regions=regions or [],
            )
            m = res.method
            overlay = size_legend(
                overlay, m["nucleus_diameter_um"], m["nucleus_diameter_source"], arr, pixel_size_um
            )
            _write_qc(qc, overlay)
    _warn(res.warnings)
    if as_json:
        print_json(
            {
                "image": str(image),
                "n_nuclei": res.n_nuclei,
                "n_positive": res.n_positive,
                "positive_pct": _value(res.positive_pct),
                "marker_threshold": _value(res.marker_threshold),
                "nucleus_diameter_um": _value(res.method["nucleus_diameter_um"]),
                "nucleus_diameter_source": res.method["nucleus_diameter_source"],
                "regions": _records(res.regions),
                "nuclei": _records(res.nuclei),
                "method": _clean(res.method),
                "warnings": res.warnings,
            }
        )
        return
    typer.echo(
        f"{image}: {res.n_positive} of {res.n_nuclei} nuclei positive ({res.positive_pct:.4g} %)"
    )
    _print_regions(res.regions, ["n_nuclei", "n_positive", "positive_pct", "area_mm2"])


@app.command("ihc")
def ihc(
    image: Path = typer.Argument(..., help="RGB brightfield image (haematoxylin + DAB)."),
    pixel_size_um: float = typer.Option(..., "--pixel-size-um", help="µm per pixel."),
    roi: Path | None = typer.Option(None, "--roi", help=ROI_HELP),
    threshold: str = typer.Option(
        "0.15", "--threshold", help="DAB optical density threshold, or otsu."
    ),
    qc: Path | None = typer.Option(None, "--qc", help="Write a QC overlay PNG here."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """% DAB-positive area and mean DAB optical density per region (colour deconvolution).

    Example: neuroprotect histology ihc section.png --pixel-size-um 0.5 --json
    """
    from neuroprotect.histology.ihc import measure_dab
    from neuroprotect.histology.qc import RED, render_overlay

    with user_errors():
        arr = read_image(image)
        regions = _roi(roi)
        res = measure_dab(
            arr,
            pixel_size_um=pixel_size_um,
            roi=regions,
            threshold=_threshold(threshold, ("otsu",)),  # type: ignore[arg-type]
            file=image,
        )
        if qc is not None:
            rgb = arr[..., :3] if arr.dtype == np.uint8 else _to_uint8(arr[..., :3])
            overlay = render_overlay(
                rgb, pixel_size_um=pixel_size_um, tint=(res.positive, RED), regions=regions or []
            )
            _write_qc(qc, overlay)
    _warn(res.warnings)
    if as_json:
        print_json(
            {
                "image": str(image),
                "positive_area_pct": _value(res.positive_area_pct),
                "mean_dab_od": _value(res.mean_dab_od),
                "threshold_od": _value(res.threshold_od),
                "regions": _records(res.regions),
                "method": _clean(res.method),
                "warnings": res.warnings,
            }
        )
        return
    typer.echo(
        f"{image}: {res.positive_area_pct:.4g} % DAB-positive area, mean DAB OD "
        f"{res.mean_dab_od:.4g}"
    )
    _print_regions(res.regions, ["area_mm2", "positive_area_pct", "mean_dab_od"])
