"""``neuroprotect histology nuclei``: nucleus counts on a nuclear stain (DAPI, Hoechst).

The same segmentation as ``histology tunel`` (:func:`neuroprotect.histology.nuclei.count_nuclei`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer

from neuroprotect.cli._common import print_json, user_errors
from neuroprotect.cli.histology_cells import (
    ROI_HELP,
    _clean,
    _print_regions,
    _records,
    _roi,
    _value,
    _warn,
    _write_qc,
    read_image,
)

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def grey_to_rgb(channel: np.ndarray) -> np.ndarray:
    """uint8 RGB view of one channel (1-99.8 % stretch)."""
    x = channel.astype(np.float32)
    lo, hi = np.percentile(x[::4, ::4], [1, 99.8])
    g = np.clip((x - lo) / max(hi - lo, 1e-6) * 255, 0, 255).astype(np.uint8)
    return np.stack([g, g, g], axis=-1)


def size_legend(
    overlay: np.ndarray, diameter_um: float, source: str, image: np.ndarray, pixel_size_um: float
) -> np.ndarray:
    """The QC overlay with a circle of the nucleus diameter used and its value (top left)."""
    from neuroprotect.histology.cell_size import draw_size_legend

    f = max(1, int(np.ceil(max(image.shape[:2]) / 2048)))  # render_overlay's downsampling
    return draw_size_legend(
        overlay,
        diameter_px=diameter_um / pixel_size_um / f,
        text=f"nucleus {diameter_um:.3g} um ({source})",
    )


@app.command("nuclei")
def nuclei(
    image: Path = typer.Argument(..., help="Nuclear-stain image (grey or multi-channel TIFF/PNG)."),
    pixel_size_um: float = typer.Option(..., "--pixel-size-um", help="µm per pixel."),
    channel: int | None = typer.Option(
        None, "--channel", help="0-based channel of the nuclear stain (multi-channel images)."
    ),
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
    threshold: float | None = typer.Option(
        None, "--threshold", help="Nuclear threshold above background (default 0.5 x Otsu)."
    ),
    qc: Path | None = typer.Option(None, "--qc", help="Write a QC overlay PNG here."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Count nuclei (DAPI, Hoechst) and their density per mm²; nucleus size from the image.

    The nucleus diameter is estimated from the image unless --nucleus-diameter-um is given.

    Example: neuroprotect histology nuclei field.tif --pixel-size-um 0.65 --qc qc.png --json
    """
    from neuroprotect.histology.nuclei import count_nuclei, nuclear_channel
    from neuroprotect.histology.qc import CYAN, render_overlay

    with user_errors():
        arr = read_image(image)
        regions = _roi(roi)
        res = count_nuclei(
            arr,
            pixel_size_um=pixel_size_um,
            channel=channel,
            roi=regions,
            nucleus_diameter_um=nucleus_diameter_um,
            min_area_um2=min_area_um2,
            max_area_um2=max_area_um2,
            threshold=threshold,
            file=image,
        )
        if qc is not None:
            overlay = render_overlay(
                grey_to_rgb(nuclear_channel(arr, channel, file=image)),
                pixel_size_um=pixel_size_um,
                outlines=[(res.labels, CYAN)],
                regions=regions or [],
            )
            _write_qc(
                qc, size_legend(overlay, res.diameter_um, res.diameter_source, arr, pixel_size_um)
            )
    _warn(res.warnings)
    if as_json:
        est = res.size_estimate
        print_json(
            {
                "image": str(image),
                "count": res.count,
                "density_per_mm2": _value(res.density_per_mm2),
                "area_mm2": _value(res.area_mm2),
                "diameter_um": _value(res.diameter_um),
                "diameter_source": res.diameter_source,
                "diameter_estimate": _clean(est.as_dict()) if est is not None else None,
                "regions": _records(res.regions),
                "cells": _records(res.cells[["x", "y", "area_um2"]]),
                "method": _clean(res.method),
                "warnings": res.warnings,
            }
        )
        return
    typer.echo(
        f"{image}: {res.count} nuclei, {res.density_per_mm2:.6g} per mm² (nucleus diameter "
        f"{res.diameter_um:.3g} µm, {res.diameter_source})"
    )
    _print_regions(res.regions, ["count", "area_mm2", "density_per_mm2"])
