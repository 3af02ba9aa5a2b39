"""Instrument exports of Ct values: QuantStudio text, Bio-Rad CFX CSV and RDML (see
:mod:`neuroprotect.assays.qpcr_readers` for the layouts)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from neuroprotect.assays._ct_tables import assemble, find_column, read_csv_text
from neuroprotect.errors import InputError


def read_quantstudio(path: Path) -> pd.DataFrame:
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
    raw = read_csv_text(io.StringIO("\n".join(body)))
    cols = list(raw.columns)
    s, g = (
        find_column(cols, ("sample name", "sample")),
        find_column(cols, ("target name", "detector", "target")),
    )
    c = find_column(cols, ("ct", "cт", "cq", "crt"))
    for col_found, name in ((s, "Sample Name"), (g, "Target Name"), (c, "CT")):
        if col_found is None:
            raise InputError(
                f"Expected a column {name!r} in the [Results] section, but it has {', '.join(map(repr, cols))}",
                file=path,
            )
    rows = np.arange(len(raw)) + start + 3  # file line numbers (header at start + 2)
    omit = find_column(cols, ("omit",))
    keep = (
        ~raw[omit].str.lower().isin({"true", "yes", "1"})
        if omit
        else pd.Series(True, index=raw.index)
    )
    raw, rows = raw.loc[keep], rows[keep.to_numpy()]
    well = find_column(cols, ("well position", "well"))
    blank = raw[s].str.strip() == ""  # empty wells (no sample assigned)
    raw, rows = raw.loc[~blank], rows[~blank.to_numpy()]
    return assemble(
        raw[s],
        raw[g],
        raw[c],
        file=path,
        rows=rows,
        well=raw[well] if well else None,
        ct_field=c or "CT",
    )


def read_cfx(path: Path) -> pd.DataFrame:
    raw = read_csv_text(path)
    cols = list(raw.columns)
    s, g, c = (
        find_column(cols, ("sample",)),
        find_column(cols, ("target",)),
        find_column(cols, ("cq",)),
    )
    grp = find_column(cols, ("biological set name", "group"))
    if s is None or g is None or c is None:
        raise InputError(
            "Expected columns 'Sample', 'Target' and 'Cq' in the CFX export", file=path
        )
    blank = raw[s].str.strip() == ""
    raw = raw.loc[~blank]
    rows = raw.index.to_numpy() + 2
    group = raw[grp] if grp and (raw[grp].str.strip() != "").all() else None
    return assemble(
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


def read_rdml(path: Path) -> pd.DataFrame:
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
    return assemble(
        raw["sample"],
        raw["gene"],
        raw["cq"],
        file=path,
        rows=np.arange(len(raw)) + 1,
        group=group,
        well=raw["well"],
        ct_field="cq",
    )
