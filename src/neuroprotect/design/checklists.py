"""ARRIVE 2.0 and STAIR checklists filled from a study manifest.

Each item gets a status — ``reported`` (the manifest holds the information), ``partial``,
``missing`` (with advice on what to add) or ``manuscript`` (prose the authors write; neuroprotect
cannot judge it) — and the evidence it was judged on.

References
----------
Percie du Sert N et al. (2020). The ARRIVE guidelines 2.0. PLoS Biol 18(7):e3000410.
Lyden P et al. (2021). Top priorities for cerebroprotective studies - a paradigm shift: report from
STAIR XI. Stroke 52:3063-3071, Table 2.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from neuroprotect.knowledge.base import resolve_protocol
from neuroprotect.schema.manifest import Group, Role, Study

CHECKLIST_COLUMNS = ("checklist", "item", "title", "status", "evidence", "advice")

HISTOLOGY_TYPES = {"ttc_table", "ttc_images", "nissl_images", "tunel_images", "ihc_images"}
FUNCTION_TYPES = {"neuro_score", "water_maze", "y_maze", "open_field", "passive_avoidance"}
MOLECULAR_TYPES = {"elisa", "qpcr", "western_blot", "binding"}


def _yes_no(flag: bool | None) -> str:
    """A manifest flag for people: yes, no, or not stated."""
    return "not stated" if flag is None else ("yes" if flag else "no")


def _status(ok: bool, partial: bool = False) -> str:
    return "reported" if ok else ("partial" if partial else "missing")


#: Word stems of species names by cortex (STAIR B11); "Wistar rats" and "C57BL/6 mice" count too.
_LISSENCEPHALIC = ("rat", "mouse", "mice", "gerbil", "hamster", "rabbit", "marmoset", "zebrafish")
_GYRENCEPHALIC = (
    "pig", "minipig", "swine", "sheep", "ovine", "dog", "canine", "cat", "feline", "ferret", "monkey",
    "macaque", "baboon", "primate", "human",
)  # fmt: skip


def _cortex(species: str) -> str | None:
    """'lissencephalic', 'gyrencephalic' or None (unknown) from a free-text species name."""
    words = [w.rstrip("s") for w in re.split(r"[^a-z]+", species.lower()) if w]
    if any(w in _LISSENCEPHALIC or w + "s" in _LISSENCEPHALIC for w in words):
        return "lissencephalic"
    if any(w in _GYRENCEPHALIC for w in words):
        return "gyrencephalic"
    return None


def _treatments(study: Study) -> list[Group]:
    return [g for g in study.groups if g.role == Role.TREATMENT]


def _arrive(study: Study) -> list[tuple[str, str, str, str, str]]:
    d = study.design
    roles = {g.role for g in study.groups}
    planned = [g.planned_n for g in study.groups]
    items: list[tuple[str, str, str, str, str]] = []

    def add(item: str, title: str, status: str, evidence: str, advice: str = "") -> None:
        items.append((item, title, status, evidence, advice))

    add(
        "1",
        "Study design",
        _status(Role.VEHICLE in roles and bool(d.experimental_unit), Role.VEHICLE in roles),
        f"{len(study.groups)} groups ({', '.join(sorted(r.value for r in roles))}); "
        f"experimental unit: {d.experimental_unit or 'not stated'}",
        ""
        if d.experimental_unit
        else "State the experimental unit (design.experimental_unit: animal).",
    )
    add(
        "2",
        "Sample size",
        _status(
            all(planned) and d.sample_size is not None, any(planned) or d.sample_size is not None
        ),
        "planned n per group: "
        + (
            ", ".join(
                f"{g.id} {g.planned_n if g.planned_n is not None else '?'}" for g in study.groups
            )
            if any(n is not None for n in planned)
            else "not stated"
        )
        + "; a-priori calculation: "
        f"{d.sample_size.method if d.sample_size else 'not stated'}",
        "" if d.sample_size else "Add design.sample_size (e.g. from `neuroprotect design power`).",
    )
    add(
        "3",
        "Inclusion and exclusion criteria",
        _status(bool(d.exclusion_criteria)),
        "; ".join(d.exclusion_criteria) or "no pre-registered criteria",
        ""
        if d.exclusion_criteria
        else "List pre-registered exclusion criteria (design.exclusion_criteria).",
    )
    r = d.randomisation
    add(
        "4",
        "Randomisation",
        _status(r is not None and r.seed is not None, r is not None),
        f"{r.method}; seed {r.seed}" if r else "not stated",
        ""
        if r and r.seed is not None
        else "Randomise with `neuroprotect design randomize` and record the seed.",
    )
    b = d.blinding
    blind_flags = [b.allocation_concealed, b.outcome_assessment_blinded] if b else [False, False]
    add(
        "5",
        "Blinding",
        _status(all(blind_flags), any(blind_flags)),
        (
            f"allocation concealed: {_yes_no(b.allocation_concealed)}; outcome assessment blinded: "
            f"{_yes_no(b.outcome_assessment_blinded)}; analysis blinded: {_yes_no(b.analysis_blinded)}"
        )
        if b
        else "not stated",
        ""
        if all(blind_flags)
        else "Conceal allocation and blind outcome assessment (design.blinding).",
    )
    add(
        "6",
        "Outcome measures",
        _status(bool(d.primary_outcome), True),
        f"readouts: {', '.join(r.id for r in study.readouts)}; primary: {d.primary_outcome or 'not stated'}",
        ""
        if d.primary_outcome
        else "Name the primary outcome (design.primary_outcome: readout.variable).",
    )
    add(
        "7",
        "Statistical methods",
        "reported",
        "neuroprotect writes the methods paragraph (tests chosen, assumption checks, multiplicity, software).",
    )
    animal_facts = {
        "species": study.species,
        "strain": study.strain,
        "sex": study.sex,
        "age": d.age,
        "source": d.source_of_animals,
    }
    missing = [k for k, v in animal_facts.items() if not v]
    add(
        "8",
        "Experimental animals",
        _status(not missing, len(missing) < len(animal_facts)),
        "; ".join(f"{k}: {v}" for k, v in animal_facts.items() if v)
        + "; body weights in the animals table",
        f"Add {', '.join(missing)}." if missing else "",
    )
    protocol = resolve_protocol(study.model)
    undosed = [
        g.id
        for g in study.groups
        if g.role in (Role.TREATMENT, Role.POSITIVE_CONTROL)
        and (g.dose_mg_kg is None or not g.route or not (g.timing or g.timing_min is not None))
    ]
    add(
        "9",
        "Experimental procedures",
        _status(bool(protocol) and not undosed, bool(protocol) or not undosed),
        f"model: {study.model} ({'knowledge-base protocol ' + protocol if protocol else 'not in the knowledge base'}); "
        f"anaesthesia: {d.anaesthesia or 'not stated'}",
        f"Give dose, route and timing for {', '.join(undosed)}." if undosed else "",
    )
    add(
        "10",
        "Results",
        "reported",
        "The run report gives n per group, mean, SD, SEM, effect sizes with 95% CI and exact p-values.",
    )
    manuscript = "Written in the manuscript; neuroprotect does not judge prose."
    add("11", "Abstract", "manuscript", manuscript)
    add("12", "Background", "manuscript", manuscript)
    add(
        "13",
        "Objectives",
        _status(bool(d.hypothesis)),
        d.hypothesis or "no hypothesis stated",
        "" if d.hypothesis else "State the hypothesis (design.hypothesis).",
    )
    add(
        "14",
        "Ethical statement",
        _status(bool(d.ethics_approval)),
        d.ethics_approval or "not stated",
        "" if d.ethics_approval else "Give the ethics approval (design.ethics_approval).",
    )
    add(
        "15",
        "Housing and husbandry",
        _status(bool(d.housing)),
        d.housing or "not stated",
        "" if d.housing else "Describe housing (design.housing).",
    )
    add(
        "16",
        "Animal care and monitoring",
        _status(bool(d.welfare_monitoring)),
        d.welfare_monitoring or "not stated",
        "" if d.welfare_monitoring else "Describe welfare monitoring and humane end points.",
    )
    add("17", "Interpretation / scientific implications", "manuscript", manuscript)
    add("18", "Generalisability / translation", "manuscript", manuscript)
    add(
        "19",
        "Protocol registration",
        _status(bool(d.registration)),
        d.registration or "not stated",
        ""
        if d.registration
        else "Register the protocol (e.g. preclinicaltrials.eu) and give its id.",
    )
    add(
        "20",
        "Data access",
        _status(bool(d.data_access)),
        d.data_access or "not stated",
        "" if d.data_access else "Say where the data are deposited (design.data_access).",
    )
    add(
        "21",
        "Declaration of interests",
        _status(bool(d.conflicts_of_interest)),
        d.conflicts_of_interest or "not stated",
        "" if d.conflicts_of_interest else "Declare conflicts of interest.",
    )
    return items


def _stair(study: Study) -> list[tuple[str, str, str, str, str]]:
    d = study.design
    types = {r.type for r in study.readouts}
    doses = sorted({g.dose_mg_kg for g in _treatments(study) if g.dose_mg_kg is not None})
    timings = sorted({g.timing_min for g in _treatments(study) if g.timing_min is not None})
    items: list[tuple[str, str, str, str, str]] = []

    def add(item: str, title: str, status: str, evidence: str, advice: str = "") -> None:
        items.append((item, title, status, evidence, advice))

    add(
        "A1",
        "Dose response",
        _status(len(doses) >= 3, len(doses) == 2),
        f"{len(doses)} dose(s): {', '.join(f'{x:g}' for x in doses) or 'none'} mg/kg",
        "" if len(doses) >= 3 else "Test at least three doses.",
    )
    add(
        "A2",
        "Therapeutic time window",
        _status(len(timings) >= 2),
        f"dosing times (min from insult): {', '.join(f'{t:g}' for t in timings) or 'one or unstated'}",
        "" if len(timings) >= 2 else "Add arms dosed at later times to define the time window.",
    )
    hist, func = bool(types & HISTOLOGY_TYPES), bool(types & FUNCTION_TYPES)
    add(
        "A3",
        "Histological and behavioural outcomes",
        _status(hist and func, hist or func),
        f"histology: {'yes' if hist else 'no'}; function/behaviour: {'yes' if func else 'no'}",
        "" if hist and func else "Measure both infarct/histology and functional outcome.",
    )
    mol = types & MOLECULAR_TYPES
    add(
        "A4",
        "Target engagement",
        _status(bool(mol), False),
        f"molecular readouts: {', '.join(sorted(mol)) or 'none'}",
        ""
        if mol
        else "Show the drug engages its target (e.g. Western blot or ELISA of the pathway).",
    )
    add(
        "A5",
        "Blood-brain barrier penetration",
        "missing",
        "not recorded in the manifest (drug levels in brain are not a readout type yet)",
        "Report brain exposure of the compound.",
    )
    ss = d.sample_size
    add(
        "B1",
        "A-priori sample size",
        _status(ss is not None),
        ss.method if ss else "not stated",
        "" if ss else "Add design.sample_size.",
    )
    add(
        "B2",
        "Inclusion/exclusion incl. confirmed occlusion",
        _status(
            bool(d.exclusion_criteria) and bool(d.occlusion_confirmation),
            bool(d.exclusion_criteria),
        ),
        f"criteria: {len(d.exclusion_criteria)}; occlusion confirmed by: {d.occlusion_confirmation or 'not stated'}",
        ""
        if d.occlusion_confirmation
        else "Confirm occlusion (laser-Doppler) and state the threshold.",
    )
    r = d.randomisation
    add(
        "B3",
        "Randomisation before any procedure",
        _status(bool(r and r.before_procedure), r is not None),
        f"{r.method}; before procedure: {_yes_no(r.before_procedure)}" if r else "not stated",
        ""
        if r and r.before_procedure
        else "Randomise before surgery and say so (design.randomisation.before_procedure).",
    )
    b = d.blinding
    add(
        "B4",
        "Allocation concealment",
        _status(bool(b and b.allocation_concealed)),
        f"allocation concealed: {_yes_no(b.allocation_concealed)}" if b else "not stated",
        "" if b and b.allocation_concealed else "Keep the surgeon unaware of the allocation.",
    )
    add(
        "B5",
        "Excluded animals reported",
        "reported",
        "neuroprotect reports every exclusion with its reason and the attrition flow.",
    )
    add(
        "B6",
        "Blinded outcome assessment",
        _status(bool(b and b.outcome_assessment_blinded)),
        f"outcome assessment blinded: {_yes_no(b.outcome_assessment_blinded)}"
        if b
        else "not stated",
        "" if b and b.outcome_assessment_blinded else "Blind the outcome assessors.",
    )
    add(
        "B7",
        "Age",
        _status(bool(d.age)),
        d.age or "not stated",
        "" if d.age else "Test aged animals too.",
    )
    add(
        "B8",
        "Both sexes",
        _status(study.sex == "mixed"),
        f"sex: {study.sex or 'not stated'}",
        "" if study.sex == "mixed" else "Include both sexes (with a sex-specific dose response).",
    )
    strain = (study.strain or "").lower()
    comorbid = any(
        k in strain for k in ("shr", "hypertensive", "diabet", "db/db", "ob/ob", "zucker")
    )
    add(
        "B9",
        "Comorbidities",
        _status(comorbid),
        f"strain: {study.strain or 'not stated'}",
        "" if comorbid else "Test in a comorbid strain (hypertension, diabetes).",
    )
    add(
        "B10",
        "Multiple laboratories",
        "missing",
        "a single-study manifest",
        "Replicate in a second laboratory.",
    )
    brain = _cortex(study.species)
    add(
        "B11",
        "Gyrencephalic species",
        _status(brain == "gyrencephalic", partial=brain is None),
        f"species: {study.species}"
        + ("" if brain else " (not known to neuroprotect as gyrencephalic or not)"),
        {
            "gyrencephalic": "",
            "lissencephalic": "Confirm in a gyrencephalic species before the clinic.",
            None: "Say whether the species is gyrencephalic (e.g. pig, sheep, cat, primate).",
        }[brain],
    )
    add(
        "B12",
        "Circadian phase",
        "missing",
        "not recorded",
        "Test during the rodents' active (dark) phase.",
    )
    add(
        "B13",
        "Conflict-of-interest disclosure",
        _status(bool(d.conflicts_of_interest)),
        d.conflicts_of_interest or "not stated",
        "" if d.conflicts_of_interest else "Declare conflicts of interest.",
    )
    pos = any(g.role == Role.POSITIVE_CONTROL for g in study.groups)
    add(
        "C1",
        "Positive control (legacy STAIR)",
        _status(pos),
        "positive control group present" if pos else "no positive control",
        "" if pos else "Add a positive control (edaravone is usual for ischaemia).",
    )
    add(
        "C2",
        "Physiological monitoring (legacy STAIR)",
        _status(bool(d.physiological_monitoring)),
        d.physiological_monitoring or "not stated",
        "" if d.physiological_monitoring else "Monitor temperature, blood gases and CBF.",
    )
    return items


NOT_APPLICABLE = "not applicable"
_CELL_UNIT = "design.experimental_unit: independent experiment"

#: (checklist, item) -> why it does not apply to cultured cells.
_NOT_FOR_CELLS = {
    ("ARRIVE 2.0", "15"): "in vitro study: no animals housed (give culture conditions instead)",
    ("ARRIVE 2.0", "16"): "in vitro study: no animals to monitor",
    ("STAIR XI", "B7"): "in vitro study: cultured cells have no age",
    ("STAIR XI", "B8"): "in vitro study: a cell line has one sex (say it with the cell line)",
    ("STAIR XI", "B9"): "in vitro study: no comorbid animals",
    ("STAIR XI", "B11"): "in vitro study: no brain",
    ("STAIR XI", "B12"): "in vitro study: no circadian phase",
    ("STAIR XI", "C2"): "in vitro study: no physiology to monitor",
}


def _cells_item(study: Study) -> tuple[str, str, str, str]:
    """ARRIVE item 8 for an in vitro study: the cells instead of the animals."""
    facts = {"cell line": study.cell_line, "passage": study.passage, "species": study.species}
    missing = [k for k, v in facts.items() if v in (None, "")]
    return (
        "Experimental animals (in vitro: the cells)",
        _status(not missing, len(missing) < len(facts)),
        "; ".join(f"{k}: {v}" for k, v in facts.items() if v not in (None, ""))
        + "; cultures and independent experiments in the cultures table",
        (f"Add {', '.join(missing)}; " if missing else "")
        + "give the cells' source (e.g. ATCC id) and mycoplasma testing in the manuscript.",
    )


CHECKLISTS: dict[str, Callable[[Study], list[tuple[str, str, str, str, str]]]] = {
    "ARRIVE 2.0": _arrive,
    "STAIR XI": _stair,
}


def fill_checklists(study: Study) -> pd.DataFrame:
    """ARRIVE 2.0 (items 1-21) and STAIR XI (A, B and legacy C items) for a study.

    Returns
    -------
    pandas.DataFrame
        ``checklist, item, title, status, evidence, advice``; status is one of ``reported``,
        ``partial``, ``missing``, ``manuscript`` or, for items about animals in an in vitro
        study, ``not applicable``.
    """
    rows = []
    for name, fill in CHECKLISTS.items():
        rows += [(name, *item) for item in fill(study)]
    if study.in_vitro:  # items about animals do not apply to cultured cells: say so
        for i, (name, item, title, *_rest) in enumerate(rows):
            why = _NOT_FOR_CELLS.get((name, item))
            if why is not None:
                rows[i] = (name, item, title, NOT_APPLICABLE, why, "")
            elif (name, item) == ("ARRIVE 2.0", "8"):
                rows[i] = (name, item, *_cells_item(study))
            else:  # the same item, said of cultures
                rows[i] = tuple(  # type: ignore[assignment]
                    str(x)
                    .replace("design.experimental_unit: animal", _CELL_UNIT)
                    .replace("animals", "cultures")
                    .replace("animal", "culture")
                    for x in rows[i]
                )
    return pd.DataFrame(rows, columns=list(CHECKLIST_COLUMNS))
