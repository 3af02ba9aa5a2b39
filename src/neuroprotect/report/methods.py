"""The auto-written methods paragraph and the warnings list of a study report."""

from __future__ import annotations

import platform
from dataclasses import dataclass
from typing import Any

import pandas as pd

from neuroprotect.report.format import format_dof, format_number, p_phrase
from neuroprotect.report.labels import (
    MULTIPLICITY,
    STATISTIC_SYMBOLS,
    effect_name,
    label_with_unit,
    method_name,
    name_of_test,
)
from neuroprotect.report.units import analysed_experiments, unit_of_analysis_text, unit_words
from neuroprotect.schema import columns as C
from neuroprotect.stats.result import ComparisonResult
from neuroprotect.workflows.outcome import (
    StudyOutcome,
    VariableResult,
    exclusion_warning,
    readout_warning,
)


@dataclass(frozen=True)
class ReportWarning:
    """One line of the report's warnings section."""

    kind: str  # "Run", "Readout", "Assumption", "Sample size", "Exclusion", "Statistics"
    text: str


def group_counts(outcome: StudyOutcome) -> pd.DataFrame:
    """Animals per group from the animals table, in manifest order.

    Returns
    -------
    pandas.DataFrame
        ``group, planned_n, randomised_n, excluded_n, analysed_n``; ``planned_n`` is None when the
        manifest does not give it. Randomised counts every row of the animals table. In vitro
        ``randomised_n`` and ``excluded_n`` count cultures and ``analysed_n`` the independent
        experiments with an analysed culture (the unit of analysis; ``planned_n`` plans them).
    """
    animals = outcome.animals
    experiments = analysed_experiments(outcome) if outcome.study.in_vitro else None
    rows = []
    for g in outcome.study.groups:
        mine = animals[animals[C.GROUP] == g.id] if C.GROUP in animals else animals.iloc[0:0]
        excluded = (
            int(mine[C.EXCLUDED].fillna(False).astype(bool).sum()) if C.EXCLUDED in mine else 0
        )
        rows.append(
            {
                "group": g.id,
                "planned_n": g.planned_n,
                "randomised_n": len(mine),
                "excluded_n": excluded,
                "analysed_n": (
                    len(mine) - excluded if experiments is None else int(experiments[g.id])
                ),
            }
        )
    return pd.DataFrame(rows)


def excluded_animals(outcome: StudyOutcome) -> pd.DataFrame:
    """Excluded rows of the animals table (``animal_id, group, exclusion_reason``)."""
    animals = outcome.animals
    if C.EXCLUDED not in animals:
        return pd.DataFrame(columns=[C.ANIMAL_ID, C.GROUP, C.EXCLUSION_REASON])
    out = animals[animals[C.EXCLUDED].fillna(False).astype(bool)]
    cols = [c for c in (C.ANIMAL_ID, C.GROUP, C.EXCLUSION_REASON) if c in out]
    return out[cols].reset_index(drop=True)


def _display(outcome: StudyOutcome, group_id: Any) -> str:
    try:
        return outcome.study.group(str(group_id)).display
    except KeyError:
        return str(group_id)


def _variable_label(v: VariableResult) -> str:
    return label_with_unit(v.spec.label, v.spec.unit)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def omnibus_sentence(result: ComparisonResult) -> str:
    """``One-way ANOVA: F(4, 44) = 12.4, p < 0.001``; empty without an omnibus test.

    Tests without a known statistic letter read ``Name: statistic 3.2 (df 4), p = 0.0143``.
    """
    om = result.omnibus or {}
    if not om or om.get("statistic") is None:
        return ""
    p_text = p_phrase(om.get("p_val"))
    dof = om.get("dof")
    name = name_of_test(om.get("test")) or "Omnibus test"
    name = name[:1].upper() + name[1:]
    symbol = STATISTIC_SYMBOLS.get(str(om.get("test")).lower())
    stat = format_number(om.get("statistic"))
    if symbol:
        df_text = f"({format_dof(dof)})" if dof is not None else ""
        return f"{name}: {symbol}{df_text} = {stat}, {p_text}"
    df_text = f" (df {format_dof(dof)})" if dof is not None else ""
    return f"{name}: statistic {stat}{df_text}, {p_text}"


def _contrast_tests(result: ComparisonResult) -> list[str]:
    """Display names of the contrast-level tests that the method name does not already say."""
    if "test" not in result.contrasts:
        return []
    raw = dict.fromkeys(result.contrasts["test"].dropna().astype(str))
    return [name_of_test(t) for t in raw if t.lower() != result.method.lower()]


def describe_choice(result: ComparisonResult) -> str:
    """The procedure and its post-hoc test, then why it was chosen (``method_reason``)."""
    reason = result.method_reason.strip()
    if reason:
        reason = reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")
    text = method_name(result.method)
    # The statistics engine's reason usually opens with the procedure: do not say it twice.
    if reason and text.split(" followed")[0].lower() in reason.lower():
        return reason
    tests = [t for t in _contrast_tests(result) if t.lower() not in text.lower()]
    if tests:
        text += f" ({_join(tests)})"
    text = text[:1].upper() + text[1:] + "."
    return f"{text} {reason}" if reason else text


def _effect_types(outcome: StudyOutcome) -> list[str]:
    types: list[str] = []
    for v in outcome.variables:
        for res in (v.comparison, v.model_check):
            if res is not None and "effect_type" in res.contrasts:
                types += [effect_name(t) for t in res.contrasts["effect_type"].dropna().astype(str)]
    return list(dict.fromkeys(types))


def write_methods_text(outcome: StudyOutcome) -> str:
    """The statistical methods paragraph of a study, written from what the run actually did.

    Returns
    -------
    str
        Paragraphs separated by blank lines: design and exclusions; an introduction followed by one
        line per variable (single newlines) naming the chosen test and why
        (``ComparisonResult.method`` and ``method_reason``) and the sham vs vehicle check;
        multiplicity, alpha and effect sizes; software versions.
    """
    study = outcome.study
    counts = group_counts(outcome)
    paragraphs: list[str] = []

    randomised = int(counts["randomised_n"].sum())
    excluded = excluded_animals(outcome)
    words = unit_words(study)
    unit, units = words.unit, words.units
    design = (
        f"{randomised} {units} were allocated to {len(study.groups)} groups "
        f"({_join([_display(outcome, g.id) for g in study.groups])})."
    )
    if len(excluded):
        reasons = excluded.get(C.EXCLUSION_REASON, pd.Series(dtype=str)).fillna("no reason given")
        by_reason = reasons.astype(str).value_counts(sort=False)
        listed = _join([f"{reason} (n = {n})" for reason, n in by_reason.items()])
        design += (
            f" {len(excluded)} {f'{unit} was' if len(excluded) == 1 else f'{units} were'} "
            f"excluded before analysis: {listed}; {randomised - len(excluded)} were analysed."
        )
    else:
        design += f" No {unit} was excluded."
    if study.in_vitro:
        design += " " + unit_of_analysis_text(outcome)
    shown = "independent experiments are" if study.in_vitro else "animals are"
    design += (
        f" Individual {shown} shown with the group mean ± SEM for continuous variables and the "
        "median with interquartile range for ordinal scores."
    )
    paragraphs.append(design)

    choices: list[str] = []
    for v in outcome.variables:
        parts: list[str] = []
        if v.comparison is not None:
            parts.append(describe_choice(v.comparison))
        if v.model_check is not None:
            parts.append("Sham vs vehicle (model check): " + describe_choice(v.model_check))
        if not parts:
            parts.append("Not compared statistically.")
        choices.append(f"{_variable_label(v)}: " + " ".join(parts))
    if choices:
        compared = (
            "The analysis was blinded: all pairs of coded groups were compared"
            if outcome.blinded
            else "Each treatment and positive-control group was compared with vehicle"
        )
        paragraphs.append(
            "\n".join(
                [
                    f"{compared}; the test was chosen automatically for each variable from the "
                    "scale of the data and checks of normality and equal variances:",
                    *choices,
                ]
            )
        )

    procedures = list(
        dict.fromkeys(v.comparison.method for v in outcome.variables if v.comparison is not None)
    )
    stats_par = []
    if procedures:
        handling = [
            MULTIPLICITY.get(m, f"the adjustment of the {method_name(m)} procedure")
            for m in procedures
        ]
        which = (
            "P-values of all pairs of coded groups" if outcome.blinded else "P-values vs vehicle"
        )
        stats_par.append(
            f"{which} are adjusted for the comparisons within each variable by "
            + _join(handling)
            + "."
        )
        if any(v.model_check is not None for v in outcome.variables):
            stats_par.append(
                "The sham vs vehicle check is a separate single comparison and is not adjusted."
            )
    stats_par.append(f"Tests are two-sided with α = {study.alpha:g}.")
    effects = _effect_types(outcome)
    if effects:
        stats_par.append(
            f"Effect sizes ({_join(effects)}) are given with 95% confidence intervals."
        )
    paragraphs.append(" ".join(stats_par))

    versions = dict(outcome.versions)
    main = versions.pop("neuroprotect", None)
    python = versions.pop("python", None) or platform.python_version()
    libs = _join([f"{k} {v}" for k, v in versions.items()])
    software = (
        f"Analyses were run with neuroprotect {main or '(version unknown)'} on Python {python}"
    )
    software += f" ({libs})." if libs else "."
    if outcome.run_id:
        software += f" Run id {outcome.run_id}."
    paragraphs.append(software)
    return "\n\n".join(paragraphs)


def collect_warnings(outcome: StudyOutcome) -> list[ReportWarning]:
    """Everything a reader should check: run, readout and statistics warnings, assumption failures,
    groups below their planned n, and every exclusion with its reason (duplicates removed)."""
    found: list[ReportWarning] = [ReportWarning("Run", w) for w in outcome.warnings]
    titles = {r.id: r.title or r.id for r in outcome.study.readouts}
    for readout_id, data in outcome.readouts.items():
        title = titles.get(readout_id, readout_id)
        found += [ReportWarning("Readout", readout_warning(title, w)) for w in data.warnings]
    counts = group_counts(outcome).set_index("group")
    words = unit_words(outcome.study)
    for g in outcome.study.groups:
        planned = g.planned_n
        analysed = int(counts.loc[g.id, "analysed_n"])
        if planned is not None and analysed < planned:
            found.append(
                ReportWarning(
                    "Sample size",
                    f"{g.display}: {analysed} {words.analysed_plural} analysed, fewer than the "
                    f"{planned} planned.",
                )
            )
    for v in outcome.variables:
        label = _variable_label(v)
        for g in outcome.study.groups:
            have = (
                int(v.data.loc[v.data[C.GROUP] == g.id, C.VALUE].notna().sum())
                if C.GROUP in v.data and C.VALUE in v.data
                else 0
            )
            expected = int(counts.loc[g.id, "analysed_n"])
            if 0 < expected and have < expected:
                found.append(
                    ReportWarning(
                        "Sample size",
                        f"{label}: {have} of {expected} analysed {words.analysed_plural} in "
                        f"{g.display} have a value.",
                    )
                )
        found += [ReportWarning("Statistics", f"{label}: {w}") for w in v.warnings]
        for res in (v.comparison, v.model_check):
            if res is None:
                continue
            found += [ReportWarning("Statistics", f"{label}: {w}") for w in res.warnings]
    for row in excluded_animals(outcome).to_dict("records"):
        text = exclusion_warning(
            row.get(C.ANIMAL_ID),
            _display(outcome, row.get(C.GROUP)),
            row.get(C.EXCLUSION_REASON),
            unit=words.unit.capitalize(),
        )
        found.append(ReportWarning("Exclusion", text))
    seen: set[tuple[str, str]] = set()
    unique = []
    for w in found:
        if (w.kind, w.text) not in seen:
            seen.add((w.kind, w.text))
            unique.append(w)
    return unique
