"""Readout types ``qpcr`` and ``western_blot``: per-animal relative expression and band ratios.

``study.yaml`` entries::

    - id: cytokine_mrna
      type: qpcr
      files: [cts.csv]                 # any layout read by assays.qpcr_readers (sample = animal_id)
      params: {reference: [Gapdh, Actb], method: livak, higher_is_better: [Bcl2]}
    - id: apoptosis_wb
      type: western_blot
      files: [bands.csv]               # Image Lab / ImageJ / long densitometry tables
      params: {layout: lanes.csv, loading_control: beta-actin, ratios: [Bax/Bcl-2]}

**qpcr** produces one variable per target gene, ``<gene>_log2_fold_change`` (e.g.
``tnf_log2_fold_change``): per animal ``−(ΔCt_animal − mean ΔCt of the vehicle group)``, the log2
relative expression (2^value is the fold change). Statistics run on this log2 (ΔΔCt) scale, where
qPCR data are close to normal and a difference of means is a ΔΔCt; fold changes and their CIs are
2^(estimate). Parameters: ``reference`` (gene or list, required), ``method`` (``livak`` or
``pfaffl``), ``efficiency`` (``{gene: E}``), ``genes`` (targets to keep), ``undetermined_ct``,
``max_replicate_sd`` (default 0.5), ``higher_is_better`` (genes whose increase is protective,
e.g. Bcl-2; default: a decrease is protective, as for TNF-α, IL-1β, Bax). Technical replicates
are averaged first; undetermined Ct and samples without a usable reference gene are flagged in
the warnings and left out.

**western_blot** produces per animal ``<target>_fold_change`` (band / loading control, relative
to the vehicle mean on the same blot) and ``<a>_<b>_ratio_fold_change`` for each ratio. Lanes of
one animal (duplicate lanes) are averaged. Parameters: ``layout`` (CSV: ``lane``, ``animal_id``,
optional ``blot``; required), ``loading_control`` (required), ``ratios`` (list of ``A/B``),
``targets`` (keep only these), ``bands`` (for blot images: ``{target: [first_row, last_row]}``;
an image file is one blot whose lanes, left to right, are the layout's lanes of the blot named
like the file stem, see :mod:`neuroprotect.assays.western_image`), ``background`` (images:
``lane_edge``, ``rolling_ball`` or ``none``), ``exclude_saturated`` (default false: saturated bands are kept and
warned about), ``higher_is_better`` (targets, e.g. Bcl-2, PSD-95).

With a blinded study the vehicle group is not known, so values are centred on the mean of all
animals instead (a constant shift; group comparisons are unchanged) and a warning says so.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from neuroprotect.assays.qpcr import compute_relative_expression
from neuroprotect.assays.qpcr_readers import read_ct_table
from neuroprotect.assays.western import compute_western, read_densitometry
from neuroprotect.assays.western_image import IMAGE_SUFFIXES, measure_blot_image
from neuroprotect.errors import InputError
from neuroprotect.io.tables import Column, read_table
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Readout, Study
from neuroprotect.workflows.readouts import (
    ReadoutData,
    ReadoutType,
    VariableSpec,
    readout_batch,
    register,
)
from neuroprotect.workflows.table_io import (
    REQUIRED,
    display_path,
    missing_data_warning,
    readout_params,
    tidy_measurements,
)

__all__ = ["load_qpcr", "load_western_blot", "variable_name"]

_CENTRE = "__all__"


def variable_name(name: str, suffix: str) -> str:
    """``TNF-α`` + ``log2_fold_change`` -> ``tnf_α_log2_fold_change`` (snake case)."""
    slug = re.sub(r"[^0-9a-zA-Zα-ωΑ-Ω]+", "_", name).strip("_").lower()
    return f"{slug}_{suffix}"


def _str_list(value: Any, study: Study, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise InputError(
        f"Expected a name or a list of names, but got {value!r}",
        file=study.manifest_path,
        field=field,
    )


def _control(
    study: Study, animals: pd.DataFrame, warnings: list[str], readout: Readout
) -> str | None:
    vehicle = study.vehicle.id
    if vehicle in set(animals[C.GROUP].astype(str)):
        return vehicle
    warnings.append(
        "no group is known to be the reference (blinded study): values centred on the mean "
        "of all animals"
    )
    return None


def _samples_of(animals: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {"sample": animals[C.ANIMAL_ID].astype(str), "group": animals[C.GROUP].astype(str)}
    )


def load_qpcr(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """qPCR Ct tables -> per-animal log2 relative expression per target gene."""
    p = readout_params(
        study,
        readout,
        {
            "reference": (object, REQUIRED),
            "method": (str, "livak"),
            "efficiency": (object, None),
            "genes": (object, None),
            "undetermined_ct": (float, None),
            "max_replicate_sd": (float, 0.5),
            "higher_is_better": (object, None),
        },
    )
    where = f"readouts.{readout.id}.params"
    refs = _str_list(p["reference"], study, f"{where}.reference")
    genes = _str_list(p["genes"], study, f"{where}.genes") or None
    better = {
        g.lower() for g in _str_list(p["higher_is_better"], study, f"{where}.higher_is_better")
    }
    eff = p["efficiency"]
    if eff is not None and not (
        isinstance(eff, dict) and all(isinstance(v, (int, float)) for v in eff.values())
    ):
        raise InputError(
            f"Expected a mapping gene: efficiency, but got {eff!r}",
            file=study.manifest_path,
            field=f"{where}.efficiency",
        )
    warnings: list[str] = []
    control = _control(study, animals, warnings, readout)
    samples = _samples_of(animals)
    parts = []
    batch = readout_batch(readout)  # a Ct file that cannot be read is skipped
    for path in files:
        with batch.item(path, name=display_path(path, study)):
            wells = read_ct_table(path, samples=samples)
            wells["source_file"] = [path] * len(wells)
            parts.append(wells)
    batch.finish(what="Ct files")
    wells = pd.concat(parts, ignore_index=True)
    if control is None:
        wells["group_real"] = wells["group"]
        wells["group"] = _CENTRE
    try:
        res = compute_relative_expression(
            wells,
            reference=refs,
            control_group=control or _CENTRE,
            method=p["method"],
            efficiency=eff,
            genes=genes,
            undetermined_ct=p["undetermined_ct"],
            max_replicate_sd=p["max_replicate_sd"],
        )
    except InputError as exc:
        raise InputError(
            exc.message,
            file=files[0] if len(files) == 1 else study.manifest_path,
            field=exc.field or where,
        ) from None
    warnings += [str(w) for w in res.warnings]
    per = res.samples.rename(columns={"sample": C.ANIMAL_ID})
    first = wells.groupby("sample", sort=False).agg(
        source_file=("source_file", "first"), source_row=("source_row", "min")
    )
    specs = []
    wide = pd.DataFrame({C.ANIMAL_ID: per[C.ANIMAL_ID].unique()})
    for gene in per["gene"].unique():
        spec = VariableSpec(
            variable_name(gene, "log2_fold_change"),
            f"{gene} mRNA (log2 fold change vs vehicle)",
            "log2 fold change",
            lower_is_better=gene.lower() not in better,
        )
        specs.append(spec)
        values = per[per["gene"] == gene].set_index(C.ANIMAL_ID)["log2_fold_change"]
        wide[spec.name] = wide[C.ANIMAL_ID].map(values)
    wide[C.SOURCE_FILE] = wide[C.ANIMAL_ID].map(first["source_file"])
    wide[C.SOURCE_ROW] = wide[C.ANIMAL_ID].map(first["source_row"]).astype(int)
    measurements = tidy_measurements(study, readout, animals, wide, tuple(specs))
    measurements = measurements[measurements[C.VALUE].notna()].reset_index(drop=True)
    warnings += missing_data_warning(readout, animals, per[C.ANIMAL_ID])
    details = {
        "samples": res.samples.assign(
            group=lambda d: d["sample"].map(samples.set_index("sample")["group"])
        ),
        "replicates": res.replicates.assign(
            group=lambda d: d["sample"].map(samples.set_index("sample")["group"])
        ),
        "flags": res.flags,
    }
    if control is not None:
        details["fold_changes"] = res.results
    return ReadoutData(
        measurements=measurements,
        details=details,
        qc={
            "reference_genes": refs,
            "method": p["method"],
            "efficiencies": res.efficiencies,
            "technical_replicates": "Ct averaged per sample and gene before ΔCt (undetermined wells left out)",
            "scale": "log2 relative expression: -(ΔCt - mean ΔCt of the vehicle group)",
            "n_flags": int(len(res.flags)),
        },
        warnings=warnings,
        variables=tuple(specs),
        skipped=batch.skipped,
    )


def load_western_blot(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """Densitometry tables -> per-animal fold changes of normalised bands and band ratios."""
    p = readout_params(
        study,
        readout,
        {
            "layout": (str, REQUIRED),
            "loading_control": (str, REQUIRED),
            "ratios": (object, None),
            "targets": (object, None),
            "exclude_saturated": (object, False),
            "higher_is_better": (object, None),
            "bands": (object, None),
            "background": (str, "lane_edge"),
        },
    )
    where = f"readouts.{readout.id}.params"
    ratios = []
    for r in _str_list(p["ratios"], study, f"{where}.ratios"):
        if "/" not in r:
            raise InputError(
                f"Expected a ratio A/B, but got {r!r}",
                file=study.manifest_path,
                field=f"{where}.ratios",
            )
        a, b = r.split("/", 1)
        ratios.append((a.strip(), b.strip()))
    keep = {t.lower() for t in _str_list(p["targets"], study, f"{where}.targets")}
    better = {
        t.lower() for t in _str_list(p["higher_is_better"], study, f"{where}.higher_is_better")
    }
    layout_path = study.resolve(p["layout"])
    layout = read_table(
        layout_path,
        [
            Column("lane", "int", min=1),
            Column(C.ANIMAL_ID, "str", aliases=("sample", "animal")),
            Column("blot", "str", required=False, aliases=("membrane", "gel")),
        ],
    )
    known = set(animals[C.ANIMAL_ID].astype(str))
    for i, a in enumerate(layout[C.ANIMAL_ID]):
        if str(a) not in known:
            raise InputError(
                f"Expected an animal_id listed in the animals table, but got {a!r}",
                file=layout_path,
                row=int(layout[C.SOURCE_ROW].iloc[i]),
                field=C.ANIMAL_ID,
            )
    if "blot" not in layout:
        layout["blot"] = "1"
    warnings: list[str] = []
    control = _control(study, animals, warnings, readout)
    group = animals.set_index(C.ANIMAL_ID)[C.GROUP].astype(str)
    lay = pd.DataFrame(
        {
            "lane": layout["lane"],
            "sample": layout[C.ANIMAL_ID].astype(str),
            "blot": layout["blot"].astype(str),
        }
    )
    lay["group"] = lay["sample"].map(group) if control else _CENTRE
    bands = []
    batch = readout_batch(readout)  # a blot image or densitometry file that cannot be read
    for path in files:
        with batch.item(path, name=display_path(path, study)):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                t = _image_bands(path, lay, p, study, where, single=len(files) == 1)
            else:
                t = read_densitometry(path)
            t["source_file"] = [path] * len(t)
            bands.append(t)
    batch.finish(what="blot files")
    band_table = pd.concat(bands, ignore_index=True)
    try:
        res = compute_western(
            band_table,
            lay,
            loading_control=p["loading_control"],
            control_group=control or _CENTRE,
            ratios=ratios,
            exclude_saturated=bool(p["exclude_saturated"]),
        )
    except InputError as exc:
        raise InputError(
            exc.message,
            file=files[0] if len(files) == 1 else study.manifest_path,
            field=exc.field or where,
        ) from None
    warnings += [str(w) for w in res.warnings]
    lanes = res.lanes if not keep else res.lanes[res.lanes["target"].str.lower().isin(keep)]
    long = pd.concat(
        [
            lanes.assign(name=lanes["target"], kind="fold_change")[
                ["sample", "name", "kind", "fold_change"]
            ],
            res.ratios.assign(name=res.ratios["ratio"], kind="ratio_fold_change")[
                ["sample", "name", "kind", "fold_change"]
            ],
        ],
        ignore_index=True,
    )
    per_animal = (
        long.groupby(["sample", "name", "kind"], sort=False)["fold_change"].mean().reset_index()
    )
    wide = pd.DataFrame({C.ANIMAL_ID: per_animal["sample"].unique()})
    specs = []
    for (name, kind), block in per_animal.groupby(["name", "kind"], sort=False):
        label = f"{name} / {p['loading_control']}" if kind == "fold_change" else f"{name} ratio"
        numerator = str(name).split("/")[0].lower()
        spec = VariableSpec(
            variable_name(str(name), str(kind)),
            f"{label} (fold of vehicle)",
            "fold of vehicle",
            lower_is_better=numerator not in better,
        )
        specs.append(spec)
        wide[spec.name] = wide[C.ANIMAL_ID].map(block.set_index("sample")["fold_change"])
    src = layout.groupby(C.ANIMAL_ID, sort=False)[C.SOURCE_ROW].min()
    wide[C.SOURCE_FILE] = layout_path
    wide[C.SOURCE_ROW] = wide[C.ANIMAL_ID].map(src).astype(int)
    measurements = tidy_measurements(study, readout, animals, wide, tuple(specs))
    measurements = measurements[measurements[C.VALUE].notna()].reset_index(drop=True)
    warnings += missing_data_warning(readout, animals, wide[C.ANIMAL_ID])
    n_sat = int(band_table["saturated"].sum())
    return ReadoutData(
        measurements=measurements,
        details={"lanes": res.lanes, "ratios": res.ratios, "flags": res.flags},
        qc={
            "loading_control": p["loading_control"],
            "normalisation": "band volume / loading-control volume in the same lane, relative to the vehicle mean per blot",
            "layout_file": display_path(layout_path, study),
            "n_saturated_bands": n_sat,
            "n_lanes": int(len(lay)),
        },
        warnings=warnings,
        variables=tuple(specs),
        skipped=batch.skipped,
    )


def _image_bands(
    path: Path, lay: pd.DataFrame, p: dict[str, Any], study: Study, where: str, *, single: bool
) -> pd.DataFrame:
    """Band volumes of one blot image; its lanes are the layout's lanes of blot ``path.stem``
    (or every lane when the readout has one image and the layout no blot column)."""
    windows = p["bands"]
    if not isinstance(windows, dict) or not all(
        isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) for x in v)
        for v in windows.values()
    ):
        raise InputError(
            "Expected bands: {target: [first_row, last_row], ...} for blot images, but got "
            f"{windows!r}",
            file=study.manifest_path,
            field=f"{where}.bands",
        )
    blot = path.stem if path.stem in set(lay["blot"]) else ("1" if single else None)
    if blot is None:
        raise InputError(
            f"Expected a layout blot named {path.stem!r} for this image, but the layout has "
            f"{', '.join(sorted(set(lay['blot'])))}",
            file=path,
        )
    lanes = lay[lay["blot"] == blot].sort_values("lane")
    measured, _ = measure_blot_image(
        path,
        n_lanes=len(lanes),
        bands={str(k): (v[0], v[1]) for k, v in windows.items()},
        background=p["background"],
    )
    measured["lane"] = measured["lane"].map(dict(enumerate(lanes["lane"], start=1)))
    measured["blot"] = blot
    measured["source_row"] = 1
    return measured


register(
    ReadoutType(
        name="qpcr",
        title="qPCR relative expression",
        variables=(),
        load=load_qpcr,
        description="2^-ΔΔCt (Livak) or efficiency-corrected (Pfaffl) relative expression; "
        "statistics on the log2 scale.",
    )
)
register(
    ReadoutType(
        name="western_blot",
        title="Western blot densitometry",
        variables=(),
        load=load_western_blot,
        description="Band volume normalised to a loading control, fold of vehicle; band ratios.",
    )
)
