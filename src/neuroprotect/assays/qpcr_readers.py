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

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from os import PathLike
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError

__all__ = ["CT_COLUMNS", "UNDETERMINED_WORDS", "parse_ct_values", "read_ct_table"]

#: Columns of every table returned by :func:`read_ct_table`.
CT_COLUMNS: tuple[str, ...] = (
    "sample",
    "group",
    "gene",
    "ct",
    "undetermined",
    "efficiency",
    "well",
    "source_row",
)
#: Cell texts read as "no amplification" (compared case-insensitively).
UNDETERMINED_WORDS = frozenset(
    {"undetermined", "undet", "no ct", "no cq", "nan", "n/a", "na", "", "-", "none", "not detected"}
)

CtFormat = Literal["auto", "long", "wide", "quantstudio", "cfx", "rdml"]
FileLike = str | PathLike[str]

_SAMPLE = ("sample", "sample_name", "sample name", "animal_id", "animal", "sample_id")
_GENE = ("gene", "target", "target_name", "target name", "detector", "detector name", "assay")
_CT = ("ct", "cq", "cт", "c_t", "ct_value", "cq_value")
_GROUP = ("group", "condition", "treatment", "biological set name", "biological_set_name")
_WELL = ("well", "well position", "well_position", "pos", "position")


def parse_ct_values(
    values: pd.Series,
    *,
    file: FileLike | None = None,
    field: str = "ct",
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Ct cells -> (ct floats, undetermined flags).

    Words in :data:`UNDETERMINED_WORDS` give ``(nan, True)``; numbers (decimal comma accepted)
    give ``(value, False)``; anything else raises naming the row. Ct must be >= 0.
    """
    text = values.astype(str).str.strip()
    low = text.str.lower()
    undetermined = low.isin(UNDETERMINED_WORDS).to_numpy() | values.isna().to_numpy()
    nums = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").to_numpy(float)
    bad = np.isnan(nums) & ~undetermined
    rows = np.arange(len(values)) + 2 if rows is None else rows
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"Expected a Ct value (a number, or 'Undetermined'), but got {text.iloc[i]!r}",
            file=file,
            row=int(rows[i]),
            field=field,
        )
    neg = (nums < 0) & ~undetermined
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise InputError(
            f"Expected a Ct value >= 0, but got {text.iloc[i]!r}",
            file=file,
            row=int(rows[i]),
            field=field,
        )
    nums[undetermined] = np.nan
    return nums, undetermined


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    low = {c.lower().strip(): c for c in columns}
    return next((low[n] for n in names if n in low), None)


def _sniff(path: Path) -> str:
    if path.suffix.lower() in {".rdml", ".xml"}:
        return "rdml"
    head = path.read_text(encoding="utf-8-sig", errors="replace")[:20000]
    if head.lstrip().startswith("*") or "[Results]" in head:
        return "quantstudio"
    first = head.splitlines()[0].lower() if head else ""
    if "cq" in re.split(r"[,;\t]", first) and "target" in first and "sample" in first:
        return "cfx"
    cols = [c.strip().lower() for c in re.split(r"[,;\t]", first)]
    if any(c in _GENE for c in cols) and any(c in _CT for c in cols):
        return "long"
    return "wide"


def _read_csv(path: Path | io.StringIO) -> pd.DataFrame:
    if isinstance(path, Path):
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            return pd.read_excel(path, dtype=str).fillna("")
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            header = fh.readline()
    else:
        header = path.getvalue().splitlines()[0] if path.getvalue() else ""
    counts = {sep: header.count(sep) for sep in ("\t", ";", ",")}
    sep = max(counts, key=lambda k: counts[k]) if any(counts.values()) else ","
    try:
        raw = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(
            f"Expected a readable Ct table ({str(exc).splitlines()[0]})", file=str(path)
        ) from None
    raw.columns = [str(c).strip() for c in raw.columns]
    return raw.loc[:, [c for c in raw.columns if c and not c.startswith("Unnamed")]]


def _assemble(
    sample: pd.Series,
    gene: pd.Series,
    ct_cells: pd.Series,
    *,
    file: Path,
    rows: np.ndarray,
    group: pd.Series | None = None,
    efficiency: pd.Series | None = None,
    well: pd.Series | None = None,
    ct_field: str = "ct",
) -> pd.DataFrame:
    ct, und = parse_ct_values(ct_cells.reset_index(drop=True), file=file, field=ct_field, rows=rows)
    out = pd.DataFrame(
        {
            "sample": sample.astype(str).str.strip().to_numpy(),
            "group": group.astype(str).str.strip().to_numpy() if group is not None else None,
            "gene": gene.astype(str).str.strip().to_numpy(),
            "ct": ct,
            "undetermined": und,
            "efficiency": np.nan,
            "well": well.astype(str).str.strip().to_numpy() if well is not None else None,
            "source_row": rows.astype(int),
        }
    )
    if efficiency is not None:
        eff = pd.to_numeric(
            efficiency.astype(str).str.replace(",", ".", regex=False), errors="coerce"
        ).to_numpy(float)
        out["efficiency"] = eff
    for col, what in (("sample", "a sample name"), ("gene", "a gene name")):
        empty = out[col].isin(["", "nan", "None"])
        if empty.any():
            i = int(np.flatnonzero(empty.to_numpy())[0])
            raise InputError(
                f"Expected {what}, but the cell is empty", file=file, row=int(rows[i]), field=col
            )
    return out


def _read_long(path: Path) -> pd.DataFrame:
    raw = _read_csv(path)
    cols = list(raw.columns)
    s, g, c = _find(cols, _SAMPLE), _find(cols, _GENE), _find(cols, _CT)
    for found, name in ((s, "sample"), (g, "gene"), (c, "ct")):
        if found is None:
            raise InputError(
                f"Expected a column {name!r} in a long Ct table, but the header has "
                f"{', '.join(map(repr, cols))}",
                file=path,
            )
    grp, well = _find(cols, _GROUP), _find(cols, _WELL)
    eff = _find(cols, ("efficiency", "e", "amplification_factor"))
    return _assemble(
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
    raw = _read_csv(path)
    cols = list(raw.columns)
    grp = _find(cols, _GROUP)
    smp = _find(cols, _SAMPLE)
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
            _assemble(
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


def _read_quantstudio(path: Path) -> pd.DataFrame:
    lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    found = next((i for i, line in enumerate(lines) if line.strip() == "[Results]"), None)
    if found is not None:
        start = found
    else:
        first = next(
            (i for i, line in enumerate(lines) if line.strip() and not line.startswith("*")), None
        )
        if first is None:
            raise InputError(
                "Expected a [Results] section in the QuantStudio export", file=path
            ) from None
        start = first - 1
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    body = [line for line in lines[start + 1 : end] if line.strip()]
    raw = _read_csv(io.StringIO("\n".join(body)))
    cols = list(raw.columns)
    s, g = (
        _find(cols, ("sample name", "sample")),
        _find(cols, ("target name", "detector", "target")),
    )
    c = _find(cols, ("ct", "cт", "cq", "crt"))
    for col_found, name in ((s, "Sample Name"), (g, "Target Name"), (c, "CT")):
        if col_found is None:
            raise InputError(
                f"Expected a column {name!r} in the [Results] section, but it has {', '.join(map(repr, cols))}",
                file=path,
            )
    rows = np.arange(len(raw)) + start + 3  # file line numbers (header at start + 2)
    omit = _find(cols, ("omit",))
    keep = (
        ~raw[omit].str.lower().isin({"true", "yes", "1"})
        if omit
        else pd.Series(True, index=raw.index)
    )
    raw, rows = raw.loc[keep], rows[keep.to_numpy()]
    well = _find(cols, ("well position", "well"))
    blank = raw[s].str.strip() == ""  # empty wells (no sample assigned)
    raw, rows = raw.loc[~blank], rows[~blank.to_numpy()]
    return _assemble(
        raw[s],
        raw[g],
        raw[c],
        file=path,
        rows=rows,
        well=raw[well] if well else None,
        ct_field=c or "CT",
    )


def _read_cfx(path: Path) -> pd.DataFrame:
    raw = _read_csv(path)
    cols = list(raw.columns)
    s, g, c = _find(cols, ("sample",)), _find(cols, ("target",)), _find(cols, ("cq",))
    grp = _find(cols, ("biological set name",))
    if s is None or g is None or c is None:
        raise InputError(
            "Expected columns 'Sample', 'Target' and 'Cq' in the CFX export", file=path
        )
    blank = raw[s].str.strip() == ""
    raw = raw.loc[~blank]
    rows = raw.index.to_numpy() + 2
    group = raw[grp] if grp and (raw[grp].str.strip() != "").all() else None
    return _assemble(
        raw[s],
        raw[g],
        raw[c],
        file=path,
        rows=rows,
        group=group,
        well=raw["Well"] if "Well" in raw else None,
        ct_field=c,
    )


def _strip_ns(root: ET.Element) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]


def _read_rdml(path: Path) -> pd.DataFrame:
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                name = next((n for n in zf.namelist() if n.lower().endswith(".xml")), None)
                if name is None:
                    raise InputError("Expected rdml_data.xml inside the RDML file", file=path)
                root = ET.fromstring(zf.read(name))
        else:
            root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise InputError(f"Expected RDML (XML), but it does not parse ({exc})", file=path) from None
    _strip_ns(root)
    groups: dict[str, str] = {}
    for smp in root.findall("sample"):
        for ann in smp.findall("annotation"):
            if (ann.findtext("property") or "").strip().lower() == "group":
                groups[smp.get("id", "")] = (ann.findtext("value") or "").strip()
    records = []
    for run in root.iter("run"):
        for react in run.findall("react"):
            sample_el = react.find("sample")
            sample = sample_el.get("id", "") if sample_el is not None else ""
            for data in react.findall("data"):
                tar = data.find("tar")
                cq = data.findtext("cq")
                records.append(
                    {
                        "sample": sample,
                        "group": groups.get(sample),
                        "gene": tar.get("id", "") if tar is not None else "",
                        "cq": "" if cq is None or float(cq) < 0 else cq.strip(),
                        "well": f"{run.get('id', '')}:{react.get('id', '')}",
                    }
                )
    if not records:
        raise InputError(
            "Expected react/data elements with Cq values in the RDML file, but found none",
            file=path,
        )
    raw = pd.DataFrame(records)
    group = raw["group"] if raw["group"].notna().all() else None
    return _assemble(
        raw["sample"],
        raw["gene"],
        raw["cq"],
        file=path,
        rows=np.arange(len(raw)) + 1,
        group=group,
        well=raw["well"],
        ct_field="cq",
    )


_READERS = {
    "long": _read_long,
    "wide": _read_wide,
    "quantstudio": _read_quantstudio,
    "cfx": _read_cfx,
    "rdml": _read_rdml,
}


def read_ct_table(
    path: FileLike, *, format: CtFormat = "auto", samples: pd.DataFrame | None = None
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

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CT_COLUMNS`: ``sample``, ``group``, ``gene``, ``ct`` (float, NaN only for
        undetermined wells), ``undetermined`` (bool), ``efficiency`` (amplification factor or
        NaN), ``well``, ``source_row`` (row/line in the file).

    Raises
    ------
    InputError
        Unknown layout, missing columns, a Ct cell that is neither a number nor an
        "undetermined" word, samples without a group.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("Expected an existing Ct table, but it does not exist", file=path)
    kind = _sniff(path) if format == "auto" else format
    if kind not in _READERS:
        raise InputError(
            f"Expected a format among auto, {', '.join(_READERS)}, but got {format!r}", file=path
        )
    out = _READERS[kind](path)
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
    if out["group"].isna().any():
        raise InputError(
            "Expected a group for every sample (a group column, RDML 'group' annotations or a "
            "samples table with columns sample, group), but the file has none",
            file=path,
        )
    out["group"] = out["group"].astype(str)
    return out[list(CT_COLUMNS)].reset_index(drop=True)
