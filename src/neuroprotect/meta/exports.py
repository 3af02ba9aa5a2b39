"""Comparison tables from systematic-review exports: SyRF quantitative data and CAMARADES sheets.

Both readers return the table :func:`~neuroprotect.meta.effect_sizes.compute_effect_sizes` takes
(one row per treatment-vs-control comparison; SDs, not SEMs), the notes a user should read and
the rows that could not be used.

SyRF (app.syrf.org.uk, "Export quantitative data"; column names from its data dictionary,
github.com/camaradesuk/syrf_userguide ``data-export/data-dictionary/quantitative.md``) exports
one row per cohort x outcome x time point: ``StudyId, ExperimentId, CohortId, CohortLabel,
NumberOfAnimals, IsDiseaseModelControl, IsTreatmentControl, TreatmentLabel(s), OutcomeId,
OutcomeLabel, GreaterIsWorse, TimeInMinute(s), OutcomeAverage, OutcomeAverageType,
OutcomeError, OutcomeErrorType`` (the example export spells the last ``ErrorType``). Within one
experiment, outcome and time point a cohort whose disease model is a control is the sham, one
whose treatments are all controls is the (vehicle) control, the others are treated cohorts; each
treated cohort is compared with the control. A control serving several treated cohorts is split
between them (n / m, Vesterinen et al. 2014).

CAMARADES sheets hold one row per comparison in the notation of Vesterinen et al. (2014):
``study, comparison, mean_c, sd_c, n_c, mean_rx, sd_rx, n_rx, sham_mean`` (+ ``error_type``
SD/SEM, ``ctrl_shared_by`` or ``n_c_true`` for a shared control); spelled-out headers such as
``Control mean`` or ``Treatment n`` are accepted too (see :data:`CAMARADES_COLUMNS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.io.tables import Column, read_table

__all__ = [
    "CAMARADES_COLUMNS",
    "SYRF_COLUMNS",
    "ExportTable",
    "from_camarades",
    "from_syrf",
    "read_export",
]


def _c(name: str, kind: str = "float", *aliases: str, required: bool = True) -> Column:
    return Column(
        name,
        kind,  # type: ignore[arg-type]
        required=required,
        allow_missing=not required,
        aliases=aliases,
    )


#: CAMARADES comparison-level sheet: our name, then the headers accepted for it.
CAMARADES_COLUMNS = [
    _c("study", "str", "study_id", "study id", "studyid", "author_year", "reference"),
    _c("comparison", "str", "comparison_id", "comparison id", "comparison label", required=False),
    _c("n_c", "float", "n_ctrl", "control n", "control_n", "n control", "number in control group"),
    _c("mean_c", "float", "mean_ctrl", "control mean", "control_mean", "mean control"),
    _c("sd_c", "float", "sd_ctrl", "control sd", "control_sd", "control error", "control sd/sem"),
    _c("n_rx", "float", "n_treat", "treatment n", "treatment_n", "n treatment", "number treated"),
    _c("mean_rx", "float", "mean_treat", "treatment mean", "treatment_mean", "mean treatment"),
    _c("sd_rx", "float", "sd_treat", "treatment sd", "treatment_sd", "treatment error"),
    _c("sham_mean", "float", "sham mean", "sham", required=False),
    _c("error_type", "str", "sd or sem", "sd_or_sem", "errortype", "error type", required=False),
    _c("ctrl_shared_by", "float", "control shared by", "n_arms_sharing_control", required=False),
    _c(
        "n_c_true",
        "float",
        "true n control",
        "true control n",
        "corrected control n",
        required=False,
    ),
    _c("greater_is_worse", "bool", "greaterisworse", "greater is worse", required=False),
]

#: SyRF quantitative-data export (names from its data dictionary; aliases from its example).
SYRF_COLUMNS = [
    _c("StudyId", "str"),
    _c("ExperimentId", "str", "ExperimentLabel"),
    _c("CohortId", "str"),
    _c("CohortLabel", "str", required=False),
    _c("NumberOfAnimals", "float"),
    _c("IsDiseaseModelControl", "str"),
    _c("IsTreatmentControl", "str"),
    _c("TreatmentLabel(s)", "str", "TreatmentLabels", "TreatmentLabel", required=False),
    _c("OutcomeId", "str", "OutcomeLabel"),
    _c("OutcomeLabel", "str", required=False),
    _c("GreaterIsWorse", "bool", required=False),
    _c("TimeInMinute", "str", "TimeInMinutes", required=False),
    _c("OutcomeAverage", "float"),
    _c("OutcomeAverageType", "str", required=False),
    _c("OutcomeError", "float"),
    _c("ErrorType", "str", "OutcomeErrorType"),
    _c("Reconciled", "str", required=False),
    _c("InvestigatorId", "str", required=False),
    _c("Authors", "str", required=False),
    _c("Year", "str", required=False),
]


@dataclass
class ExportTable:
    """Comparisons read from an export, with notes and the rows left out."""

    comparisons: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    skipped: list[dict[str, object]] = field(default_factory=list)


def _sd(error: pd.Series, kind: pd.Series, n: pd.Series, rows: pd.Series) -> pd.Series:
    """SD from an error column: as is for SD, ``SEM * sqrt(n)`` for SEM (n: the real group size)."""
    k = kind.fillna("SD").astype(str).str.strip().str.upper().replace({"": "SD", "SE": "SEM"})
    bad = ~k.isin(["SD", "SEM"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"Expected the error type SD or SEM, but got {kind.iloc[i]!r}",
            row=int(rows.iloc[i]),
            field="error_type",
        )
    return pd.Series(np.where(k == "SEM", error * np.sqrt(n), error), index=error.index)


def from_camarades(data: pd.DataFrame) -> ExportTable:
    """Comparison table from a CAMARADES sheet read with :data:`CAMARADES_COLUMNS`.

    SEMs (``error_type`` SEM) become SDs with the group's own n; the control n used for the
    effect size is ``n_c_true`` when given, else ``n_c / ctrl_shared_by``, else ``n_c`` (split
    later by a ``control_id`` column, when the sheet has one and neither of the others).
    """
    rows = data["source_row"]
    kind = data["error_type"] if "error_type" in data else pd.Series([None] * len(data))
    kind.index = data.index
    out = data.drop(columns=[c for c in ("error_type",) if c in data]).copy()
    out["sd_ctrl"] = _sd(data["sd_c"], kind, data["n_c"], rows)
    out["sd_treat"] = _sd(data["sd_rx"], kind, data["n_rx"], rows)
    n_ctrl = data["n_c"].astype(float)
    notes = []
    if "ctrl_shared_by" in data:
        shared = data["ctrl_shared_by"].fillna(1.0)
        if (shared < 1).any():
            i = int(np.flatnonzero((shared < 1).to_numpy())[0])
            raise InputError(
                f"Expected ctrl_shared_by >= 1, but got {shared.iloc[i]!r}",
                row=int(rows.iloc[i]),
                field="ctrl_shared_by",
            )
        n_ctrl = n_ctrl / shared
    if "n_c_true" in data:
        n_ctrl = data["n_c_true"].where(data["n_c_true"].notna(), n_ctrl)
    split = int((n_ctrl != data["n_c"]).sum())
    if split:
        notes.append(f"{split} comparisons use a shared control's split n (n_c_true or n_c / m)")
    out["n_ctrl"] = n_ctrl
    out["n_treat"] = data["n_rx"].astype(float)
    out["mean_ctrl"] = data["mean_c"]
    out["mean_treat"] = data["mean_rx"]
    if "greater_is_worse" in data:
        out["lower_is_better"] = data["greater_is_worse"]
    if "comparison" in out:
        out["comparison"] = out["comparison"].fillna(out["study"])
    out = out.drop(columns=[c for c in ("n_c", "mean_c", "sd_c", "n_rx", "mean_rx", "sd_rx")])
    if "ctrl_shared_by" in data or "n_c_true" in data:  # already split: never split twice
        out = out.drop(columns=["control_id"], errors="ignore")
    return ExportTable(out, notes)


def _flags(values: pd.Series) -> pd.Series:
    """SyRF's ``TRUE;FALSE`` lists as 'all', 'none' or 'some' true."""

    def one(v: object) -> str:
        parts = [p.strip().upper() for p in str(v).split(";") if p.strip()]
        trues = sum(p in ("TRUE", "YES", "1") for p in parts)
        return "all" if parts and trues == len(parts) else ("none" if trues == 0 else "some")

    return values.map(one)


def _study_label(row: pd.Series) -> str:
    authors = str(row.get("Authors") or "").strip().strip('"')
    first = authors.replace(";", ",").split(" and ")[0].split(",")[0].strip()
    name = first.split()[-1] if first else ""
    year = str(row.get("Year") or "").strip()
    if name and year and year.lower() != "nan":
        return f"{name} {year}"
    return str(row["StudyId"])


def _one_investigator(data: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Reconciled rows where a study has them, else the first investigator's (with a note)."""
    keep = []
    for study, rows in data.groupby("StudyId", sort=False):
        if "Reconciled" in rows and (_flags(rows["Reconciled"]) == "all").any():
            rows = rows[_flags(rows["Reconciled"]) == "all"]
        if "InvestigatorId" in rows and rows["InvestigatorId"].nunique() > 1:
            first = rows["InvestigatorId"].iloc[0]
            notes.append(
                f"study {study}: {rows['InvestigatorId'].nunique()} investigators' extractions "
                f"and none reconciled; the first one's ({first}) is used"
            )
            rows = rows[rows["InvestigatorId"] == first]
        keep.append(rows)
    return pd.concat(keep)


def from_syrf(
    data: pd.DataFrame, *, outcome: str | None = None, require_sham: bool = False
) -> ExportTable:
    """Comparison table from a SyRF quantitative export read with :data:`SYRF_COLUMNS`.

    Parameters
    ----------
    data
        The export (one row per cohort, outcome and time point).
    outcome
        Keep only this ``OutcomeLabel`` (case-insensitive).
    require_sham
        Skip comparisons without a sham cohort (the NMD needs its mean).

    Returns
    -------
    ExportTable
        Columns ``study, comparison, n_treat, mean_treat, sd_treat, n_ctrl, mean_ctrl, sd_ctrl,
        sham_mean, control_id`` (the shared control is split by ``compute_effect_sizes``),
        ``lower_is_better`` (= GreaterIsWorse), ``outcome, time_min, experiment, treatment``
        and every further column of the treated cohort's row (annotation questions), usable
        with ``--by`` and ``--moderator``.
    """
    notes: list[str] = []
    skipped: list[dict[str, object]] = []
    if outcome is not None:
        label = data["OutcomeLabel"] if "OutcomeLabel" in data else data["OutcomeId"]
        data = data[label.astype(str).str.strip().str.lower() == outcome.strip().lower()]
        if data.empty:
            raise InputError(f"Expected rows with OutcomeLabel {outcome!r}, but there are none")
    data = _one_investigator(data, notes)
    average = data.get("OutcomeAverageType", pd.Series("mean", index=data.index))
    average = average.fillna("mean").astype(str).str.strip().str.lower()
    error = data["ErrorType"].fillna("SD").astype(str).str.strip().str.upper()
    for i, r in data.iterrows():
        if average[i] not in ("mean", "", "nan"):
            reason = f"average type {r['OutcomeAverageType']!r}, not a mean: no SMD/NMD from it"
        elif error[i] not in ("SD", "SEM", "SE", ""):
            reason = f"error type {r['ErrorType']!r}, not an SD or SEM"
        else:
            continue
        skipped.append({"row": int(r["source_row"]), "reason": reason})
    data = data[average.isin(["mean", "", "nan"]) & error.isin(["SD", "SEM", "SE", ""])]
    data = data.assign(
        _sham=_flags(data["IsDiseaseModelControl"]) == "all",
        _control=_flags(data["IsTreatmentControl"]) == "all",
        _sd=_sd(
            data["OutcomeError"], data["ErrorType"], data["NumberOfAnimals"], data["source_row"]
        ),
    )
    time = data["TimeInMinute"] if "TimeInMinute" in data else pd.Series("", index=data.index)
    data = data.assign(_time=time.fillna("").astype(str))
    out: list[dict[str, object]] = []
    keys = ["StudyId", "ExperimentId", "OutcomeId", "_time"]
    known = {c.name for c in SYRF_COLUMNS} | {"source_row", "_sham", "_control", "_sd", "_time"}
    for key, group in data.groupby(keys, sort=False):
        treated = group[~group["_sham"] & ~group["_control"]]
        controls = group[~group["_sham"] & group["_control"]]
        shams = group[group["_sham"]]
        if treated.empty:
            continue
        why: str | None = None
        if controls.empty:
            why = "no control cohort (treatment control) in its experiment"
        elif len(controls) > 1:
            why = f"{len(controls)} control cohorts in its experiment; cannot tell which applies"
        elif require_sham and len(shams) != 1:
            why = "no single sham cohort (disease-model control) for the NMD"
        if why is not None:
            for _, r in treated.iterrows():
                skipped.append({"row": int(r["source_row"]), "reason": why})
            continue
        c = controls.iloc[0]
        for _, t in treated.iterrows():
            study = _study_label(t)
            row = {
                "study": study,
                "comparison": f"{study}: {t.get('CohortLabel') or t['CohortId']} vs "
                f"{c.get('CohortLabel') or c['CohortId']} ({t.get('OutcomeLabel') or t['OutcomeId']}"
                f"{', ' + t['_time'] + ' min' if t['_time'] else ''})",
                "n_treat": float(t["NumberOfAnimals"]),
                "mean_treat": float(t["OutcomeAverage"]),
                "sd_treat": float(t["_sd"]),
                "n_ctrl": float(c["NumberOfAnimals"]),
                "mean_ctrl": float(c["OutcomeAverage"]),
                "sd_ctrl": float(c["_sd"]),
                "sham_mean": float(shams.iloc[0]["OutcomeAverage"]) if len(shams) == 1 else np.nan,
                "control_id": "|".join(str(k) for k in key) + "|" + str(c["CohortId"]),
                "lower_is_better": t.get("GreaterIsWorse"),
                "outcome": t.get("OutcomeLabel") or t["OutcomeId"],
                "time_min": t["_time"],
                "experiment": t["ExperimentId"],
                "treatment": t.get("TreatmentLabel(s)"),
                "source_row": int(t["source_row"]),
            }
            row.update({k: v for k, v in t.items() if k not in known and k not in row})
            out.append(row)
    if not out:
        raise InputError(
            "Expected at least one treated cohort with a control cohort in the same experiment, "
            "outcome and time point, but found none"
        )
    table = pd.DataFrame(out)
    per_cohort = table.groupby("control_id").size()
    if (per_cohort > 1).any():
        notes.append(
            f"{int((per_cohort > 1).sum())} control cohorts serve several treated cohorts: "
            "their n is split between them (n / m)"
        )
    if table["outcome"].nunique() > 1 or table.groupby("outcome")["time_min"].nunique().gt(1).any():
        notes.append(
            "the comparisons span several outcomes or time points measured on the same animals; "
            "they are not independent: pool one outcome (--outcome) and one time point at a time"
        )
    return ExportTable(table, notes, skipped)


def read_export(
    path: str | Path,
    *,
    format: Literal["syrf", "camarades"],
    outcome: str | None = None,
    require_sham: bool = False,
    sheet: str | int | None = None,
) -> ExportTable:
    """Read a SyRF quantitative export or a CAMARADES sheet (CSV, TSV or XLSX) into comparisons.

    Errors name the file (and row and column where there is one).

    Examples
    --------
    >>> table = read_export("export.csv", format="syrf", outcome="Infarct volume")  # doctest: +SKIP
    >>> result, model, effects = meta_analyse(table.comparisons, measure="nmd")  # doctest: +SKIP
    """
    path = Path(path)
    try:
        if format == "camarades":
            return from_camarades(read_table(path, CAMARADES_COLUMNS, sheet=sheet))
        if format == "syrf":
            raw = read_table(path, SYRF_COLUMNS, sheet=sheet)
            return from_syrf(raw, outcome=outcome, require_sham=require_sham)
    except InputError as exc:
        if exc.file is not None:
            raise
        raise InputError(exc.message, file=path, row=exc.row, field=exc.field) from None
    raise InputError(f"Expected format 'syrf' or 'camarades', but got {format!r}")
