"""``neuroprotect assay qpcr | qpcr-stability | qpcr-efficiency | western``: molecular bench assays."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from neuroprotect.cli._common import format_cell, in_file, print_json, user_errors
from neuroprotect.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


app = typer.Typer(
    help="Molecular bench assays: qPCR relative expression and Western blot densitometry.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
molecular_app = app


class QpcrMethod(StrEnum):
    livak = "livak"
    pfaffl = "pfaffl"


class QpcrInterval(StrEnum):
    pooled = "pooled"
    tukey = "tukey"
    welch = "welch"
    sd = "sd"


class QpcrPairing(StrEnum):
    paired = "paired"
    unpaired = "unpaired"


class CtFormat(StrEnum):
    auto = "auto"
    long = "long"
    wide = "wide"
    quantstudio = "quantstudio"
    cfx = "cfx"
    rdml = "rdml"


class BackgroundKind(StrEnum):
    lane_edge = "lane_edge"
    rolling_ball = "rolling_ball"
    none = "none"


def _fmt(value: Any) -> str:
    return format_cell(value, digits=4)


def _echo_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    typer.echo("  ".join(columns))
    for row in rows:
        typer.echo("  ".join(_fmt(row.get(c)) for c in columns))


def _pairs(values: list[str], option: str) -> dict[str, str]:
    out = {}
    for item in values:
        if "=" not in item:
            raise InputError(f"Expected NAME=VALUE, but got {item!r}", field=option)
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _samples(path: Path | None) -> pd.DataFrame | None:
    if path is None:
        return None
    from neuroprotect.io.tables import Column, read_table

    return read_table(
        path,
        [Column("sample", "str", aliases=("animal_id", "sample_name")), Column("group", "str")],
    )


@app.command("qpcr")
def qpcr(
    cts: Path = typer.Argument(
        ..., help="Ct table: long/wide CSV, QuantStudio/CFX export or RDML."
    ),
    reference: list[str] = typer.Option(
        ..., "--reference", help="Reference gene (repeat for several: geometric mean)."
    ),
    control_group: str = typer.Option(
        ..., "--control-group", help="Group every group is compared with."
    ),
    method: QpcrMethod = typer.Option(
        QpcrMethod.livak, "--method", help="livak (E = 2) or pfaffl."
    ),
    efficiency: list[str] = typer.Option(
        [], "--efficiency", help="GENE=E amplification factor (2 = 100 %) for pfaffl; repeatable."
    ),
    interval: QpcrInterval = typer.Option(
        QpcrInterval.pooled,
        "--interval",
        help="pooled t CI (ANOVA residual variance), tukey (rtpcr), welch, or sd (pcr package range).",
    ),
    pairing: QpcrPairing = typer.Option(
        QpcrPairing.paired,
        "--pairing",
        help="paired (ΔCt per sample) or unpaired (separate tubes).",
    ),
    confidence: float = typer.Option(0.95, "--confidence", help="Confidence level."),
    samples: Path | None = typer.Option(
        None, "--samples", help="CSV with sample, group for exports without groups."
    ),
    fmt: CtFormat = typer.Option(CtFormat.auto, "--format", help="Input layout."),
    undetermined_ct: float | None = typer.Option(
        None, "--undetermined-ct", help="Count undetermined wells as this Ct (default: leave out)."
    ),
    max_replicate_sd: float = typer.Option(
        0.5, "--max-replicate-sd", help="Flag replicate SD above this."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Relative expression (2^-ΔΔCt) per gene and group vs the control group.

    Technical replicates are averaged first (mean Ct); undetermined Ct are flagged and left out.

    Example: neuroprotect assay qpcr cts.csv --reference Gapdh --control-group vehicle --json
    """
    from neuroprotect.assays.qpcr import RESULT_FIELDS, compute_relative_expression
    from neuroprotect.assays.qpcr_readers import read_ct_table
    from neuroprotect.stats.result import records

    with user_errors():
        effs = {}
        for gene, value in _pairs(efficiency, "--efficiency").items():
            try:
                effs[gene] = float(value)
            except ValueError:
                raise InputError(
                    f"Expected a number for {gene}, but got {value!r}", field="--efficiency"
                ) from None
        wells = read_ct_table(cts, format=fmt.value, samples=_samples(samples))
        try:
            res = compute_relative_expression(
                wells,
                reference=reference,
                control_group=control_group,
                method=method.value,
                efficiency=effs or None,
                pairing=pairing.value,
                interval=interval.value,
                confidence=confidence,
                max_replicate_sd=max_replicate_sd,
                undetermined_ct=undetermined_ct,
            )
        except InputError as exc:
            raise InputError(exc.message, file=cts, row=exc.row, field=exc.field) from None
    out: dict[str, Any] = {
        "results": records(res.results, RESULT_FIELDS),
        "flags": records(res.flags),
        "efficiencies": res.efficiencies,
        "warnings": res.warnings,
    }
    if as_json:
        print_json(out)
        return
    for w in res.warnings:
        typer.echo(f"warning: {w}", err=True)
    _echo_table(
        out["results"],
        [
            "gene",
            "group",
            "delta_ct",
            "delta_delta_ct",
            "fold_change",
            "ci_low",
            "ci_high",
            "n",
            "p_val",
        ],
    )


@app.command("qpcr-stability")
def qpcr_stability(
    cts: Path = typer.Argument(..., help="Ct table (any layout read by `assay qpcr`)."),
    gene: list[str] = typer.Option([], "--gene", help="Candidate reference gene (default: all)."),
    by_group: bool = typer.Option(False, "--by-group", help="NormFinder with the sample groups."),
    samples: Path | None = typer.Option(None, "--samples", help="CSV with sample, group."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Rank candidate reference genes: geNorm M (stepwise) and NormFinder stability (E = 2)."""
    from neuroprotect.assays.qpcr import summarise_replicates
    from neuroprotect.assays.qpcr_readers import read_ct_table
    from neuroprotect.assays.qpcr_stability import (
        compute_genorm,
        compute_normfinder,
        left_out_samples,
        relative_quantities,
    )
    from neuroprotect.stats.result import records

    with user_errors():
        wells = read_ct_table(cts, samples=_samples(samples), groups_required=by_group)
        try:
            reps = summarise_replicates(wells)
            rq = relative_quantities(reps, genes=gene or None)
            left_out = left_out_samples(reps, genes=gene or None)
            warnings = (
                [f"{cts}: samples left out (a candidate gene undetermined or not measured): "
                 + ", ".join(left_out)]
                if left_out
                else []
            )  # fmt: skip
            gn = compute_genorm(rq)
            group_of = reps.groupby("sample")["group"].first()
            nf = compute_normfinder(rq, groups=list(group_of.loc[rq.index]) if by_group else None)
        except InputError as exc:
            raise in_file(exc, cts, wells) from None
    out: dict[str, Any] = {
        "genorm": {
            "ranking": gn.ranking,
            "m_values": {k: float(v) for k, v in gn.m_values.items()},
            "steps": records(gn.steps),
            "pairwise_variation": {k: float(v) for k, v in gn.pairwise_variation.items()},
        },
        "normfinder": records(nf),
        "n_samples": int(len(rq)),
        "warnings": warnings,
    }
    if as_json:
        print_json(out)
        return
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)
    typer.echo("geNorm ranking (most stable first): " + ", ".join(gn.ranking))
    _echo_table(out["normfinder"], ["gene", "stability", "rank"])


@app.command("qpcr-efficiency")
def qpcr_efficiency(
    table: Path = typer.Argument(
        ..., help="Dilution series: a quantity column and one Ct column per gene."
    ),
    quantity: str = typer.Option(
        ..., "--quantity", help="Column with the input amount or dilution."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Amplification efficiency per gene: E = 10^(-1/slope) of Ct on log10(quantity), with R²."""
    from dataclasses import asdict

    import numpy as np

    from neuroprotect.assays.qpcr import compute_efficiency
    from neuroprotect.assays.qpcr_efficiency import efficiency_problem
    from neuroprotect.assays.qpcr_readers import parse_ct_values
    from neuroprotect.io.tables import Column, read_table

    with user_errors():
        data = read_table(table, [Column(quantity, "float", min=0)])
        genes = [c for c in data.columns if c not in (quantity, "source_row")]
        if not genes:
            raise InputError(
                "Expected Ct columns besides the quantity column, but found none", file=table
            )
        zero = (data[quantity] <= 0).to_numpy()
        if zero.any():
            i = int(np.flatnonzero(zero)[0])
            raise InputError(
                f"Expected a quantity > 0 (its log10 is taken), but got {data[quantity].iloc[i]:g}",
                file=table,
                row=int(data["source_row"].iloc[i]),
                field=quantity,
            )
        fits, warnings = [], []
        for g in genes:
            ct, und = parse_ct_values(data[g], file=table, field=g)
            try:
                fits.append(asdict(compute_efficiency(data[quantity], ct, gene=g)))
            except InputError as exc:
                raise InputError(exc.message, file=table, field=g) from None
            problem = efficiency_problem(fits[-1]["slope"], quantity=quantity)
            if problem:
                warnings.append(f"{table}: {g}: {problem}")
            if und.any():
                rows = ", ".join(str(r) for r in data["source_row"].to_numpy()[und])
                warnings.append(
                    f"{table}: {g}: {int(und.sum())} undetermined Ct left out of the standard "
                    f"curve (rows {rows}); the efficiency rests on {fits[-1]['n']} wells"
                )
    if as_json:
        print_json({"efficiencies": fits, "warnings": warnings})
        return
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)
    _echo_table(
        fits, ["gene", "slope", "r2", "efficiency", "efficiency_pct", "n", "n_undetermined"]
    )


@app.command("western")
def western(
    source: Path = typer.Argument(
        ..., help="Densitometry table (Image Lab, ImageJ, long) or blot image."
    ),
    loading_control: str | None = typer.Option(
        None, "--loading-control", help="Loading-control target, e.g. beta-actin or GAPDH."
    ),
    layout: Path | None = typer.Option(
        None, "--layout", help="Lanes CSV: lane, sample, group[, blot, center]."
    ),
    control_group: str | None = typer.Option(
        None, "--control-group", help="Group whose mean is 1 (default: the layout's first group)."
    ),
    ratio: list[str] = typer.Option(
        [], "--ratio", help="Target ratio A/B per lane, e.g. Bax/Bcl-2."
    ),
    target: str | None = typer.Option(
        None, "--target", help="Target name of a one-protein ImageJ file."
    ),
    lanes: int | None = typer.Option(None, "--lanes", help="Number of lanes in the image."),
    band: list[str] = typer.Option(
        [],
        "--band",
        help="Image band window NAME=FIRST_ROW:LAST_ROW (default: found automatically).",
    ),
    background: BackgroundKind = typer.Option(
        BackgroundKind.lane_edge,
        "--background",
        help="Image background: lane_edge, rolling_ball, none.",
    ),
    radius: float = typer.Option(25.0, "--radius", help="Rolling-ball radius (px)."),
    exclude_saturated: bool = typer.Option(
        False, "--exclude-saturated", help="Leave saturated bands out."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Band volumes normalised to the loading control; fold change vs the control group.

    Example: neuroprotect assay western bands.csv --loading-control beta-actin --layout lanes.csv
    --ratio Bax/Bcl-2 --json
    """
    import pandas as pd

    from neuroprotect.assays.western import compute_western, read_densitometry, read_lane_layout
    from neuroprotect.assays.western_image import IMAGE_SUFFIXES, measure_blot_image
    from neuroprotect.stats.result import records

    out: dict[str, Any] = {}
    with user_errors():
        lay = read_lane_layout(layout) if layout else None
        if source.suffix.lower() in IMAGE_SUFFIXES:
            centers = None
            if lay is not None and "center" in lay.columns:
                centers = pd.to_numeric(lay["center"], errors="coerce").to_numpy(float)
            n = (
                lanes
                if lanes is not None
                else (len(lay) if lay is not None and centers is None else None)
            )
            windows = {}
            for name, rows in _pairs(band, "--band").items():
                try:
                    a, b = (int(x) for x in rows.split(":"))
                except ValueError:
                    raise InputError(
                        f"Expected FIRST_ROW:LAST_ROW, but got {rows!r}", field="--band"
                    ) from None
                windows[name] = (a, b)
            bands, lane_table = measure_blot_image(
                source,
                n_lanes=n,
                centers=centers,
                bands=windows or None,
                background=background.value,
                rolling_ball_radius=radius,
            )
            out["lanes_detected"] = records(lane_table)
        else:
            bands = read_densitometry(source, target=target)
        out["bands"] = records(bands.drop(columns=["source_row"], errors="ignore"))
        if loading_control is not None:
            if lay is None:
                raise InputError(
                    "Expected --layout LANES.csv (lane, sample, group) with --loading-control"
                )
            pairs = []
            for r in ratio:
                if "/" not in r:
                    raise InputError(f"Expected A/B, but got {r!r}", field="--ratio")
                num, den = r.split("/", 1)
                pairs.append((num.strip(), den.strip()))
            res = compute_western(
                bands,
                lay,
                loading_control=loading_control,
                control_group=control_group or str(lay["group"].iloc[0]),
                ratios=pairs,
                exclude_saturated=exclude_saturated,
            )
            out.update(
                lanes=records(res.lanes),
                ratios=records(res.ratios),
                summary=records(res.summary),
                flags=records(res.flags),
                warnings=res.warnings,
            )
        else:
            sat = bands[bands["saturated"].astype(bool)]
            out["warnings"] = [
                f"saturated band: {r.target} lane {r.lane}" for r in sat.itertuples()
            ]
    if as_json:
        print_json(out)
        return
    for w in out.get("warnings", []):
        typer.echo(f"warning: {w}", err=True)
    if "summary" in out:
        _echo_table(out["summary"], ["target", "group", "n", "mean", "sd", "sem"])
    else:
        _echo_table(out["bands"], ["lane", "target", "volume", "saturated"])
