"""``neuroprotect histology ...``: image analysis of histological sections (TTC infarct volume)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import typer

from neuroprotect.cli._common import fail, output_dir, print_json, user_errors

app = typer.Typer(
    help="Histology images: TTC infarct, Nissl neurons, nuclei, TUNEL, DAB IHC.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Side(StrEnum):
    left = "left"
    right = "right"


class VolumeMethod(StrEnum):
    sum = "sum"
    cavalieri = "cavalieri"
    trapezoid = "trapezoid"


def _int_list(text: str | None, option: str) -> tuple[int, ...] | None:
    if text is None or not text.strip():
        return None
    try:
        return tuple(int(v) for v in text.replace(" ", "").split(","))
    except ValueError:
        fail(f"{option}: Expected slice numbers separated by commas (e.g. 3,1,2), but got {text!r}")


def _midlines(values: list[str]) -> dict[int, tuple[float, float]]:
    out: dict[int, tuple[float, float]] = {}
    for v in values:
        try:
            n, angle, offset = v.split(":")
            out[int(n)] = (float(angle), float(offset))
        except ValueError:
            fail(f"--midline: Expected SLICE:ANGLE_DEG:OFFSET_PX (e.g. 2:4.5:-10), but got {v!r}")
    return out


@contextmanager
def _progress(total: int) -> Iterator[Callable[[str], None]]:
    """A transient progress bar on stderr (stdout stays clean for --json)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("TTC", total=total)
        seen = [0]

        def step(message: str) -> None:
            bar.update(task, description=message, completed=seen[0])
            seen[0] += 1

        yield step


@app.command("ttc")
def ttc_command(
    images: list[Path] = typer.Argument(
        ...,
        help="Photos of one animal's TTC slices (one plate, or one photo per slice, rostral first).",
    ),
    slice_thickness_mm: float = typer.Option(
        ..., "--slice-thickness-mm", help="Slab thickness (distance between slice faces), e.g. 2."
    ),
    pixel_size_mm: float | None = typer.Option(
        None, "--pixel-size-mm", help="Pixel size in mm; default: from the image metadata."
    ),
    scale_bar: float | None = typer.Option(
        None,
        "--scale-bar",
        help="Length in mm of a scale bar in the photo (a thin bar that stands out from the "
        "plate); the pixel size is measured from it.",
    ),
    lesion_side: Side | None = typer.Option(
        None, "--lesion-side", help="Lesion side as seen in the photos; default: the paler side."
    ),
    method: VolumeMethod = typer.Option(
        VolumeMethod.sum, "--method", help="Volume: sum of areas x thickness, or trapezoid."
    ),
    order: str | None = typer.Option(
        None, "--order", help="Detected slice numbers rostral to caudal, e.g. 3,1,2,4."
    ),
    exclude: str | None = typer.Option(
        None, "--exclude", help="Detected slice numbers to leave out, e.g. 5,6."
    ),
    midline: list[str] = typer.Option(
        [], "--midline", help="Corrected midline SLICE:ANGLE_DEG:OFFSET_PX (repeatable)."
    ),
    qc_dir: Path | None = typer.Option(
        None, "--qc-dir", help="Write a QC overlay PNG per photo into this folder."
    ),
    max_side: int = typer.Option(
        1024,
        "--max-side",
        min=256,
        help="Analysis scale: long side in pixels (larger photos are block-averaged).",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Infarct volume of one animal from photos of its TTC-stained coronal slices.

    Finds each slice, orders the slices rostral to caudal (reading order on a plate, then photo
    order), splits hemispheres at the midline, calls pale tissue by colour (threshold fitted to each
    photo) and computes direct and edema-corrected (Swanson) infarct volumes and edema %.
    Slice numbers in --order, --exclude and --midline are the detected numbers shown in the QC
    overlay (#n). Example:

        neuroprotect histology ttc plate.jpg --slice-thickness-mm 2 --pixel-size-mm 0.025 --json

        neuroprotect histology ttc s1.jpg s2.jpg s3.jpg --slice-thickness-mm 2 --scale-bar 10
    """
    from neuroprotect.histology.ttc import compute_infarct_volumes
    from neuroprotect.histology.ttc_images import TTCOverrides, measure_ttc_slices

    if scale_bar is not None and pixel_size_mm is not None:
        fail("Expected --pixel-size-mm or --scale-bar, but got both")
    if scale_bar is not None and scale_bar <= 0:
        fail(f"--scale-bar: Expected a length in mm > 0, but got {scale_bar:g}")
    overrides = TTCOverrides(
        order=_int_list(order, "--order"),
        exclude=_int_list(exclude, "--exclude") or (),
        lesion_side=None,
        midline=_midlines(midline),
    )
    with user_errors(), _progress(len(images)) as progress:
        result = measure_ttc_slices(
            images,
            pixel_size_mm=pixel_size_mm,
            lesion_side=lesion_side.value if lesion_side else None,
            overrides=overrides,
            qc_dir=output_dir(qc_dir) if qc_dir is not None else None,
            max_side=max_side,
            scale_bar_mm=scale_bar,
            progress=progress,
            field_prefix="",
        )
        areas = result.areas()
        if areas.empty:
            fail("Expected at least one slice that is not excluded, but all are excluded")
        volumes = compute_infarct_volumes(
            areas.assign(animal_id="animal"),
            slice_thickness_mm=slice_thickness_mm,
            method=method.value,
        ).iloc[0]
    table = result.slices
    payload = {
        "slices": [
            {
                "image": r.image,
                "slice": int(r.slice),
                "ipsilateral_area_mm2": float(r.ipsilateral_area_mm2),
                "contralateral_area_mm2": float(r.contralateral_area_mm2),
                "infarct_area_mm2": float(r.infarct_area_mm2),
                "detected": int(r.detected),
                "excluded": bool(r.excluded),
                "contralateral_pale_area_mm2": float(r.contralateral_pale_area_mm2),
                "midline_angle_deg": float(r.midline_angle_deg),
                "midline_offset_px": float(r.midline_offset_px),
                "midline_method": r.midline_method,
            }
            for r in table.itertuples(index=False)
        ],
        "infarct_volume_mm3": float(volumes["infarct_volume_mm3"]),
        "corrected_infarct_volume_mm3": float(volumes["corrected_infarct_volume_mm3"]),
        "edema_pct": float(volumes["edema_pct"]),
        "hemispheric_infarct_pct": float(volumes["hemispheric_infarct_pct"]),
        "ipsilateral_volume_mm3": float(volumes["ipsilateral_volume_mm3"]),
        "contralateral_volume_mm3": float(volumes["contralateral_volume_mm3"]),
        "n_slices": int(volumes["n_slices"]),
        "slice_thickness_mm": slice_thickness_mm,
        "method": "sum" if method.value == "cavalieri" else method.value,
        "lesion_side": result.lesion_side,
        "lesion_side_source": result.lesion_side_source,
        "pale_threshold": [a.colour.threshold for a in result.analyses],
        "pixel_size_mm": [a.pixel_size_mm for a in result.analyses],
        "qc_images": [str(p) for p in result.qc_images],
    }
    if json_out:
        print_json(payload)
        return
    import pandas as pd

    shown = pd.DataFrame(payload["slices"])[
        [
            "image",
            "slice",
            "detected",
            "ipsilateral_area_mm2",
            "contralateral_area_mm2",
            "infarct_area_mm2",
            "excluded",
        ]
    ]
    typer.echo(shown.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    typer.echo(f"lesion side: {result.lesion_side} ({result.lesion_side_source})")
    for key in (
        "infarct_volume_mm3",
        "corrected_infarct_volume_mm3",
        "edema_pct",
        "hemispheric_infarct_pct",
    ):
        typer.echo(f"{key}: {payload[key]:.2f}")
    for p in result.qc_images:
        typer.echo(f"QC: {p}")
