"""Readers of qPCR Ct (Cq) tables: long, wide, QuantStudio and Bio-Rad CFX exports, and RDML.

Every reader returns the same long table, one row per well (technical replicate):

``sample, group, gene, ct, undetermined, efficiency, well, source_row``

``ct`` is the cycle threshold (Cq) as a float; a well without amplification ("Undetermined",
"No Ct", "NaN", "N/A", an empty cell, a negative RDML cq) has ``ct`` NaN **and**
``undetermined`` True, so no missing Ct is silent: :func:`neuroprotect.assays.qpcr` flags such
wells and never averages them in. ``efficiency`` is the amplification factor per cycle
(2 = 100 %) when the file gives one (rtpcr wide tables), else NaN. ``well`` is the plate
position when known, else ``None``.

Supported layouts (``format="auto"`` detects them in this order):

``rdml``
    RDML 1.x (``.rdml`` zip holding ``rdml_data.xml``, or plain ``.xml``), read with the
    standard library: ``experiment/run/react`` -> ``sample/@id``, ``data/tar/@id`` and ``cq``.
    The group comes from a sample ``annotation`` with property ``group`` (any case) or from the
    ``samples`` table.
``quantstudio``
    Applied Biosystems QuantStudio / 7500 / ViiA 7 text export: ``* key = value`` header lines,
    sections such as ``[Results]``; the ``[Results]`` section (tab-separated) is read with columns
    ``Well Position`` (or ``Well``), ``Sample Name``, ``Target Name``, ``CT``/``Cт``/``Cq``;
    rows with ``Omit`` true are dropped. Groups come from the ``samples`` table.
``cfx``
    Bio-Rad CFX Maestro "Quantification Cq Results" CSV: ``Well``, ``Target``, ``Sample``, ``Cq``
    (``Biological Set Name`` is used as the group when present, else the ``samples`` table).
``long``
    Columns ``sample`` (or ``sample_name``, ``animal_id``), ``gene`` (or ``target``,
    ``target_name``, ``detector``), ``ct`` (or ``cq``, ``cт``), optional ``group``, ``well``,
    ``efficiency``.
``wide``
    One row per well or sample: a ``group`` column (or ``condition``, ``treatment``), an optional
    ``sample`` column (else ``rep``/``replicate`` columns make the sample name, else the row), and
    either ``Ct_<gene>``/``Ct.<gene>`` columns, each optionally preceded by its efficiency column
    (the rtpcr layout ``E, Ct`` pairs), or plain gene columns holding Ct values.

The ``samples`` table (``sample, group``) maps sample names to groups for exports that do not
carry groups; it overrides nothing: a sample missing from it is an error naming the sample.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from neuroprotect.assays._ct_tables import (
    CT_COLS,
    CT_COLUMNS,
    GENE_COLS,
    GROUP_COLS,
    SAMPLE_COLS,
    UNDETERMINED_WORDS,
    WELL_COLS,
    assemble,
    find_column,
    parse_ct_values,
    read_csv_text,
)
from neuroprotect.assays.qpcr_instruments import read_cfx, read_quantstudio, read_rdml
from neuroprotect.errors import InputError

CtFormat = Literal["auto", "long", "wide", "quantstudio", "cfx", "rdml"]
FileLike = str | PathLike[str]

__all__ = ["CT_COLUMNS", "UNDETERMINED_WORDS", "parse_ct_values", "read_ct_table"]


def _sniff(path: Path) -> str:
    if path.suffix.lower() in {".rdml", ".xml"}:
        return "rdml"
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        cols = [str(c).strip().lower() for c in read_csv_text(path).columns]
    else:
        head = path.read_text(encoding="utf-8-sig", errors="replace")[:20000]
        if head.lstrip().startswith("*") or "[Results]" in head:
            return "quantstudio"
        first = head.splitlines()[0].lower() if head else ""
        cols = [c.strip().lower() for c in re.split(r"[,;\t]", first)]
    if "cq" in cols and "target" in cols and "sample" in cols:
        return "cfx"
    if any(c in GENE_COLS for c in cols) and any(c in CT_COLS for c in cols):
        return "long"
    return "wide"


def _read_long(path: Path) -> pd.DataFrame:
    raw = read_csv_text(path)
    cols = list(raw.columns)
    s, g, c = (
        find_column(cols, SAMPLE_COLS),
        find_column(cols, GENE_COLS),
        find_column(cols, CT_COLS),
    )
    for found, name in ((s, "sample"), (g, "gene"), (c, "ct")):
        if found is None:
            raise InputError(
                f"Expected a column {name!r} in a long Ct table, but the header has "
                f"{', '.join(map(repr, cols))}",
                file=path,
            )
    grp, well = find_column(cols, GROUP_COLS), find_column(cols, WELL_COLS)
    eff = find_column(cols, ("efficiency", "e", "amplification_factor"))
    return assemble(
        raw[s],
        raw[g],
        raw[c],
        file=path,
        rows=np.arange(len(raw)) + 2,
        group=raw[grp] if grp else None,
        efficiency=raw[eff] if eff else None,
        well=raw[well] if well else None,
        ct_field=c or "ct",
    )


_CT_PREFIX = re.compile(r"^(ct|cq)[._ ](.+)$", re.IGNORECASE)


def _read_wide(path: Path) -> pd.DataFrame:
    raw = read_csv_text(path)
    cols = list(raw.columns)
    grp = find_column(cols, GROUP_COLS)
    smp = find_column(cols, SAMPLE_COLS)
    rep_cols = [
        c
        for c in cols
        if c.lower() in {"rep", "replicate", "biolrep", "biol_rep", "techrep", "tech_rep", "block"}
    ]
    ct_cols = [c for c in cols if _CT_PREFIX.match(c)]
    genes: list[tuple[str, str, str | None]] = []  # (gene, ct column, efficiency column)
    if ct_cols:
        for c in ct_cols:
            gene = _CT_PREFIX.match(c).group(2)  # type: ignore[union-attr]
            i = cols.index(c)
            eff = (
                cols[i - 1]
                if i > 0
                and cols[i - 1].lower() in {gene.lower(), f"e_{gene.lower()}", f"e.{gene.lower()}"}
                else None
            )
            genes.append((gene, c, eff))
        factor_cols = [
            c
            for c in cols
            if c not in {x for g in genes for x in g[1:] if x} and c != smp and c not in rep_cols
        ]
    else:
        factor_cols = [c for c in cols if c in {grp, smp} or c in rep_cols]
        genes = [(c, c, None) for c in cols if c not in factor_cols]
        factor_cols = [c for c in factor_cols if c != smp and c not in rep_cols]
    if not genes:
        raise InputError(
            "Expected gene columns of Ct values in a wide Ct table, but found none", file=path
        )
    if grp is None:
        grp = factor_cols[0] if factor_cols else None
    # Several factor columns (rtpcr's "Type, Concentration"): the group is their combination.
    group_cols = [c for c in factor_cols if c not in rep_cols]
    if group_cols:
        group = (
            raw[group_cols].astype(str).agg(":".join, axis=1)
            if len(group_cols) > 1
            else raw[group_cols[0]]
        )
    else:
        group = None
    tech = next((c for c in rep_cols if c.lower() in {"techrep", "tech_rep"}), None)
    biol = [c for c in rep_cols if c != tech and c.lower() != "block"]
    if smp is not None:
        sample = raw[smp].astype(str)
    else:  # sample = group + biological replicate columns (+ row number when there are none)
        parts = [raw[c].astype(str) for c in group_cols + biol]
        if not biol:
            parts.append(pd.Series(np.arange(2, len(raw) + 2), index=raw.index).astype(str))
        sample = pd.concat(parts, axis=1).agg("-".join, axis=1)
    rows = np.arange(len(raw)) + 2
    parts = []
    for gene, ct_col, eff_col in genes:
        parts.append(
            assemble(
                sample,
                pd.Series([gene] * len(raw), index=raw.index),
                raw[ct_col],
                file=path,
                rows=rows,
                group=group,
                efficiency=raw[eff_col] if eff_col else None,
                ct_field=ct_col,
            )
        )
    return pd.concat(parts, ignore_index=True)


_READERS = {
    "long": _read_long,
    "wide": _read_wide,
    "quantstudio": read_quantstudio,
    "cfx": read_cfx,
    "rdml": read_rdml,
}


def _is_blank(path: Path) -> bool:
    """True for a file with nothing but whitespace (an export that wrote nothing)."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    return not head.strip() and len(head) < 65536


def read_ct_table(
    path: FileLike,
    *,
    format: CtFormat = "auto",
    samples: pd.DataFrame | None = None,
    groups_required: bool = True,
) -> pd.DataFrame:
    """Read a Ct table in any supported layout into the long well table.

    Parameters
    ----------
    path
        CSV/TSV/XLSX table, instrument text export, or RDML file. Only read.
    format
        One of ``auto``, ``long``, ``wide``, ``quantstudio``, ``cfx``, ``rdml`` (see the module
        docstring for the columns each accepts).
    samples
        Optional table with columns ``sample`` and ``group`` giving each sample's group; needed
        when the file carries no groups, and used instead of the file's groups when given.
    groups_required
        False for analyses that do not use groups (reference-gene stability): a file without
        groups is then read with an empty ``group``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CT_COLUMNS`: ``sample``, ``group``, ``gene``, ``ct`` (float, NaN only for
        undetermined wells), ``undetermined`` (bool), ``efficiency`` (amplification factor or
        NaN), ``well``, ``source_row`` (row/line in the file).

    Raises
    ------
    InputError
        Unknown layout, missing columns, an empty file or one without wells, a Ct cell that is
        neither a number nor an "undetermined" word, samples without a group.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("Expected an existing Ct table, but it does not exist", file=path)
    if _is_blank(path):
        raise InputError("Expected a Ct table, but the file is empty", file=path)
    kind = _sniff(path) if format == "auto" else format
    if kind not in _READERS:
        raise InputError(
            f"Expected a format among auto, {', '.join(_READERS)}, but got {format!r}", file=path
        )
    out = _READERS[kind](path)
    if out.empty:
        raise InputError(
            f"Expected at least one well with a sample, gene and Ct ({kind} layout), but the "
            "table has none (only a header?)",
            file=path,
        )
    if samples is not None:
        lookup = samples.assign(sample=samples["sample"].astype(str).str.strip()).set_index(
            "sample"
        )["group"]
        missing = sorted(set(out["sample"]) - set(lookup.index))
        if missing:
            raise InputError(
                f"Expected every sample in the samples (animals) table, but {missing[0]!r} is not in it",
                file=path,
                field="sample",
            )
        out["group"] = out["sample"].map(lookup).astype(str)
    if not groups_required and out["group"].isna().all():
        return out[list(CT_COLUMNS)].assign(group="").reset_index(drop=True)
    if out["group"].isna().any():
        raise InputError(
            "Expected a group for every sample (a group column, RDML 'group' annotations or a "
            "samples table with columns sample, group), but the file has none",
            file=path,
        )
    out["group"] = out["group"].astype(str).str.strip()
    empty = out["group"].isin(["", "nan", "None"]).to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise InputError(
            f"Expected a group name for sample {out['sample'].iloc[i]!r}, but the cell is empty",
            file=path,
            row=int(out["source_row"].iloc[i]),
            field="group",
        )
    return out[list(CT_COLUMNS)].reset_index(drop=True)
