"""``neuroprotect histology train-neurons``: adapt the Nissl soma counter to a lab's sections."""

from __future__ import annotations

from pathlib import Path

import typer

from neuroprotect.cli._common import output_file, print_json, user_errors
from neuroprotect.cli.histology_cells import read_image
from neuroprotect.errors import InputError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command("train-neurons")
def train_neurons_command(
    images: list[Path] = typer.Argument(..., help="RGB Nissl images (2 or more for a score)."),
    masks: list[Path] = typer.Option(
        ...,
        "--masks",
        help="Soma masks, one per image in the same order: instance labels (0 = background) "
        "or binary.",
    ),
    out: Path = typer.Option(..., "--out", help="Model file to write (.npz)."),
    pixel_size_um: float = typer.Option(..., "--pixel-size-um", help="µm per pixel."),
    n_trees: int = typer.Option(40, "--trees", help="Random-forest size."),
    seed: int = typer.Option(0, "--seed"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Train a soma detector on your own annotated sections; print its held-out score.

    Each image is left out in turn (at most 5 folds), a model trained on the others counts it,
    and its count error and centroid F1 (matches within 5 µm) are printed; the saved model is
    trained on all images. Use it with: neuroprotect histology neurons IMAGE --model MODEL.

    Example: neuroprotect histology train-neurons a.png b.png c.png --masks a_mask.tif
    --masks b_mask.tif --masks c_mask.tif --pixel-size-um 0.35 --out lab.npz
    """
    from neuroprotect.histology.nissl_training import train_neurons

    with user_errors():
        if len(masks) != len(images):
            raise InputError(
                f"Expected one --masks per image ({len(images)}), but got {len(masks)}",
                field="--masks",
            )
        arrays = [read_image(p) for p in images]
        labels = [read_image(p) for p in masks]
        res = train_neurons(
            arrays,
            labels,
            pixel_size_um=pixel_size_um,
            names=[str(p) for p in images],
            n_trees=n_trees,
            seed=seed,
        )
        path = res.model.save(output_file(out))
    s = res.summary
    if as_json:
        print_json(
            {
                "model": str(path),
                **s,
                "held_out": res.held_out.to_dict(orient="records"),
                "min_area_um2": res.model.info["min_area_um2"],
                "max_area_um2": res.model.info["max_area_um2"],
            }
        )
        return
    typer.echo(f"model written to {path} ({s['n_images']} images)")
    if not len(res.held_out):
        typer.echo("held-out score: none (give 2 or more images to score images not trained on)")
        return
    for r in res.held_out.itertuples():
        typer.echo(
            f"  held out {r.image}: {r.n_found} found / {r.n_true} annotated, count error "
            f"{r.count_error_pct:+.1f} %, F1 {r.f1:.3f}"
        )
    typer.echo(
        f"held-out score: mean |count error| {s['mean_abs_count_error_pct']:.1f} %, "
        f"mean F1 {s['mean_f1']:.3f} (centroids within {s['match_radius_um']:g} µm)"
    )
