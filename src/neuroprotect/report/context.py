"""From a :class:`StudyOutcome` to the plain values the HTML template shows (all rounding here)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from neuroprotect.design.attrition import compute_attrition
from neuroprotect.design.checklists import fill_checklists
from neuroprotect.report.evidence import evidence_context
from neuroprotect.report.figures import (
    GroupStyle,
    assign_group_colours,
    figure_to_svg,
    render_group_plot,
    tidy_figure,
)
from neuroprotect.report.format import (
    BLINDED_SIGNIFICANCE_FOOTNOTE,
    SIGNIFICANCE_FOOTNOTE,
    as_finite,
    format_bytes,
    format_dose,
    format_number,
    p_phrase,
    significance_mark,
)
from neuroprotect.report.labels import ROLE_NAMES, label_with_unit, unit_suffix
from neuroprotect.report.methods import (
    collect_warnings,
    describe_choice,
    group_counts,
    omnibus_sentence,
    write_methods_text,
)
from neuroprotect.report.tables import (
    adjusted_p,
    contrast_rows,
    detail_table,
    qc_items,
    summary_rows,
)
from neuroprotect.report.units import unit_words
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Group, Role, Study
from neuroprotect.workflows.outcome import StudyOutcome, VariableResult
from neuroprotect.workflows.readouts import ReadoutData


def _knowledge_name(section: str, key: str, ident: str) -> str:
    """Display name from the knowledge base (compound or protocol); the id itself when unknown."""
    try:
        from neuroprotect.knowledge.base import load_section, resolve_compound, resolve_protocol

        resolved = resolve_compound(ident) if section == "compounds" else resolve_protocol(ident)
        for entry in load_section(section)[key]:
            if entry.get("id") == resolved:
                return str(entry.get("name") or ident)
    except Exception:  # the report must render even if the knowledge base is unavailable
        pass
    return ident


def _readout_title(study: Study, readout_id: str) -> tuple[str, str]:
    """(title, type) of a readout from the manifest, then the readout-type registry."""
    for r in study.readouts:
        if r.id == readout_id:
            if r.title:
                return r.title, r.type
            try:
                from neuroprotect.workflows.readouts import readout_types

                return readout_types()[r.type].title, r.type
            except Exception:
                return r.id.replace("_", " ").capitalize(), r.type
    return readout_id, ""


def coded_study(outcome: StudyOutcome) -> Study:
    """While a study is blinded, the report's groups are its group codes (roles unknown)."""
    codes = sorted({str(c) for c in outcome.animals[C.GROUP].dropna()})
    groups = [Group(id=code, label=f"Group {code}", role=Role.TREATMENT) for code in codes]
    return outcome.study.model_copy(update={"groups": groups})


def marks_for(variable: VariableResult, study: Study) -> dict[str, str]:
    """Significance marks above each group: ``*`` vs vehicle, ``#`` for sham vs vehicle."""
    marks: dict[str, str] = {}
    if not any(g.role == Role.VEHICLE for g in study.groups):
        return marks  # blinded: comparisons are all pairs, no mark per group
    vehicle = study.vehicle.id
    for result, symbol in ((variable.comparison, "*"), (variable.model_check, "#")):
        if result is None or result.contrasts.empty:
            continue
        for row in result.contrasts.to_dict("records"):
            group = str(row.get("group"))
            if symbol == "#":
                # vehicle vs sham: the '#' stands above the vehicle group, as in Prism figures
                marks[vehicle] = significance_mark(adjusted_p(row), symbol=symbol)
            elif group != vehicle:
                marks[group] = significance_mark(adjusted_p(row), symbol=symbol)
    return marks


def _variable_view(variable: VariableResult, study: Study, colours: dict[str, str]) -> dict:
    spec = variable.spec
    styles = [GroupStyle(g.id, g.display, colours[g.id]) for g in study.groups]
    present = set(variable.data[C.GROUP].astype(str)) if C.GROUP in variable.data else set()
    styles = [s for s in styles if s.id in present]
    ylabel = label_with_unit(spec.label, spec.unit) + unit_words(study).axis_suffix
    svg = render_group_plot(
        variable.data,
        groups=styles,
        ylabel=ylabel,
        ordinal=spec.ordinal,
        marks=marks_for(variable, study),
    )
    contrasts = contrast_rows(variable.model_check, study, colours, symbol="#")
    contrasts += contrast_rows(variable.comparison, study, colours, symbol="*")
    method_lines = []
    blinded = not any(g.role == Role.VEHICLE for g in study.groups)
    for res, who in (
        (variable.comparison, "all pairs (blinded)" if blinded else "vs vehicle"),
        (variable.model_check, "sham vs vehicle"),
    ):
        if res is not None:
            method_lines.append(
                {"who": who, "choice": describe_choice(res), "omnibus": omnibus_sentence(res)}
            )
    return {
        "anchor": f"{variable.readout_id}-{spec.name}",
        "label": spec.label,
        "unit": spec.unit,
        "unit_suffix": unit_suffix(spec.label, spec.unit),
        "ordinal": spec.ordinal,
        "centre": "median and IQR" if spec.ordinal else "mean ± SEM",
        "direction": "lower is better" if spec.lower_is_better else "higher is better",
        "svg": svg,
        "summary": summary_rows(variable, study, colours),
        "contrasts": contrasts,
        "methods": method_lines,
    }


def _skipped_items(data: ReadoutData) -> list[tuple[str, str]]:
    """Quality-control rows for the files a readout skipped: a count, then file and reason."""
    if not data.skipped:
        return []
    rows = [("Files skipped", f"{len(data.skipped)} (not analysed; see the reasons below)")]
    return rows + [(f"Skipped: {s.file}", s.reason) for s in data.skipped]


def _unit_ids(table: pd.DataFrame, study: Study) -> pd.DataFrame:
    """In vitro, the unit id column of a detail table is headed "Culture ID"."""
    if study.in_vitro and C.ANIMAL_ID in table:
        return table.rename(columns={C.ANIMAL_ID: "culture_id"})
    return table


def _readout_views(outcome: StudyOutcome, colours: dict[str, str]) -> list[dict]:
    order = [r.id for r in outcome.study.readouts]
    order += [rid for rid in outcome.readouts if rid not in order]
    order += [v.readout_id for v in outcome.variables if v.readout_id not in order]
    views = []
    for rid in dict.fromkeys(order):
        variables = [v for v in outcome.variables if v.readout_id == rid]
        data: ReadoutData | None = outcome.readouts.get(rid)
        if not variables and data is None:
            continue
        title, rtype = _readout_title(outcome.study, rid)
        views.append(
            {
                "id": rid,
                "title": title,
                "type": rtype,
                "variables": [_variable_view(v, outcome.study, colours) for v in variables],
                "qc": (qc_items("", data.qc) + _skipped_items(data)) if data is not None else [],
                "links": [
                    {"caption": caption, "href": Path(path).resolve().as_uri()}
                    for caption, path in (data.links.items() if data is not None else [])
                ],
                "figures": [
                    {"title": title, "svg": figure_to_svg(tidy_figure(fig))}
                    for title, fig in (data.figures.items() if data is not None else [])
                ],
                "details": [
                    detail_table(k, _unit_ids(t, outcome.study)) for k, t in data.details.items()
                ]
                if data
                else [],
                "warnings": list(data.warnings) if data is not None else [],
            }
        )
    return views


def _glance(outcome: StudyOutcome) -> dict:
    """Results at a glance: one row per variable, one column per group compared with vehicle."""
    study = outcome.study
    if outcome.blinded:
        return {"columns": [], "rows": []}
    columns = [g for g in study.groups if g.role != Role.VEHICLE]
    rows = []
    for v in outcome.variables:
        cells = []
        by_group: dict[str, tuple[dict, str]] = {}
        for res, symbol in ((v.comparison, "*"), (v.model_check, "#")):
            if res is not None:
                for row in res.contrasts.to_dict("records"):
                    group, control = str(row.get("group")), str(row.get("control"))
                    # the model check (vehicle vs sham) fills the sham column
                    key = control if symbol == "#" and group == study.vehicle.id else group
                    by_group[key] = (row, symbol)
        for g in columns:
            if g.id not in by_group:
                cells.append({"mark": "", "p": "", "tone": "none", "arrow": ""})
                continue
            row, symbol = by_group[g.id]
            p = adjusted_p(row)
            estimate = as_finite(row.get("estimate"))
            arrow = "" if estimate is None or estimate == 0 else ("↓" if estimate < 0 else "↑")
            tone = "ns"
            if p is not None and p < study.alpha and estimate is not None and g.role != Role.SHAM:
                tone = "good" if (estimate < 0) == v.spec.lower_is_better else "bad"
            elif p is not None and p < study.alpha:
                tone = "model"
            cells.append(
                {
                    "mark": significance_mark(p, symbol=symbol),
                    "p": p_phrase(p),
                    "tone": tone,
                    "arrow": arrow,
                }
            )
        rows.append(
            {
                "label": v.spec.label,
                "unit_suffix": unit_suffix(v.spec.label, v.spec.unit),
                "anchor": f"{v.readout_id}-{v.spec.name}",
                "cells": cells,
            }
        )
    headers = [
        {"label": g.display, "note": "model check" if g.role == Role.SHAM else ""} for g in columns
    ]
    return {"columns": headers, "rows": rows}


def _attrition(outcome: StudyOutcome) -> dict[str, Any]:
    """Randomised -> excluded (by reason, pre-registered or not) -> analysed."""
    flow = compute_attrition(outcome.animals, criteria=outcome.study.design.exclusion_criteria)
    reasons = [
        {
            "reason": r.reason,
            "n": int(r.n),
            "groups": r.groups,
            "registered": (
                "pre-registered"
                if r.criterion
                else ("not pre-registered" if outcome.study.design.exclusion_criteria else "")
            ),
        }
        for r in flow.reasons.itertuples(index=False)
    ]
    return {
        "randomised": flow.randomised,
        "excluded": flow.excluded,
        "analysed": flow.analysed,
        "reasons": reasons,
        "criteria": list(outcome.study.design.exclusion_criteria),
    }


def _checklists(study: Study) -> list[dict[str, Any]]:
    """ARRIVE 2.0 and STAIR items filled from the manifest, with a count per status."""
    table = fill_checklists(study)
    out = []
    for name, sub in table.groupby("checklist", sort=False):
        counts = sub["status"].value_counts()
        out.append(
            {
                "name": name,
                "summary": ", ".join(
                    f"{int(counts[s])} {s}"
                    for s in ("reported", "partial", "missing", "manuscript", "not applicable")
                    if s in counts
                ),
                "items": sub.to_dict("records"),
            }
        )
    return out


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def build_context(outcome: StudyOutcome) -> dict[str, Any]:
    """Everything the template shows, as strings and lists (numbers already rounded)."""
    if outcome.blinded:
        outcome = replace(outcome, study=coded_study(outcome))
    study = outcome.study
    colours = assign_group_colours(study.groups)
    counts = group_counts(outcome).set_index("group")
    groups = []
    for g in study.groups:
        c = counts.loc[g.id]
        groups.append(
            {
                "id": g.id,
                "label": g.display,
                # while blinded, coded_study's roles are placeholders: say nothing about them
                "role": "—" if outcome.blinded else ROLE_NAMES.get(g.role, str(g.role)),
                "compound": _knowledge_name("compounds", "compounds", g.compound)
                if g.compound
                else "—",
                "dose": format_dose(g.dose_mg_kg) or "—",
                "route": g.route or "—",
                "timing": g.timing
                or (f"{g.timing_min:g} min" if g.timing_min is not None else "—"),
                "planned_n": g.planned_n if g.planned_n is not None else "—",
                "randomised_n": int(c["randomised_n"]),
                "analysed_n": int(c["analysed_n"]),
                "excluded_n": int(c["excluded_n"]),
                "short": g.planned_n is not None and int(c["analysed_n"]) < g.planned_n,
                "colour": colours[g.id],
            }
        )
    base = study.base_dir
    files = []
    for f in outcome.raw_files:
        path = Path(f.path)
        try:
            shown = str(path.resolve().relative_to(base.resolve())) if base else str(path)
        except ValueError:
            shown = str(path)
        role = "cultures" if study.in_vitro and f.role == "animals" else f.role
        files.append(
            {"path": shown, "role": role, "sha256": f.sha256, "size": format_bytes(f.size)}
        )
    finished = outcome.finished_at
    duration = (
        format_number((finished - outcome.started_at).total_seconds()) + " s" if finished else "—"
    )
    return {
        "study": {
            "id": study.study_id,
            "title": study.title,
            "description": study.description,
            "simulated": study.simulated,
            "blinded": outcome.blinded,
            "unblinding": (
                {
                    "actor": outcome.unblinding["actor"],
                    "when": _timestamp(outcome.unblinding["unblinded_at"]),
                }
                if outcome.unblinding
                else None
            ),
            "compound": _knowledge_name("compounds", "compounds", study.compound),
            "model": _knowledge_name("protocols", "protocols", study.model),
            "species": study.species,
            "strain": study.strain,
            "sex": study.sex,
            "in_vitro": study.in_vitro,
            "cell_line": study.cell_line,
            "passage": study.passage,
            "investigator": study.investigator,
            "alpha": f"{study.alpha:g}",
        },
        "run": {
            "id": outcome.run_id or "not stored",
            "date": outcome.started_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
            "started": _timestamp(outcome.started_at),
            "finished": _timestamp(finished) if finished else "—",
            "duration": duration,
            "reused": outcome.reused,
        },
        "groups": groups,
        "units": unit_words(study),
        "attrition": _attrition(outcome),
        # the checklists judge the groups' roles (vehicle, positive control...): not while blinded
        "checklists": [] if outcome.blinded else _checklists(study),
        "evidence": evidence_context(outcome),
        "glance": _glance(outcome),
        "readouts": _readout_views(outcome, colours),
        "significance_footnote": (
            BLINDED_SIGNIFICANCE_FOOTNOTE if outcome.blinded else SIGNIFICANCE_FOOTNOTE
        ),
        "methods": write_methods_text(outcome).split("\n\n"),
        "warnings": collect_warnings(outcome),
        "provenance": {
            "files": files,
            "input_hash": outcome.input_hash,
            "versions": sorted(outcome.versions.items()),
            "parameters": json.dumps(outcome.parameters, indent=2, sort_keys=True, default=str),
        },
    }
