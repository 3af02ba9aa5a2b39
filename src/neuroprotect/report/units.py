"""What the report calls a study's units: animals in vivo; cultures and independent experiments
in vitro (the experiment is the unit of analysis, see
:mod:`neuroprotect.workflows.unit_of_analysis`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from neuroprotect.io.cultures import EXPERIMENT, MIN_EXPERIMENTS
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Study, UnitOfAnalysis
from neuroprotect.workflows.outcome import StudyOutcome


@dataclass(frozen=True)
class UnitWords:
    """Words of the report that depend on the setting."""

    #: What one row of the animals/cultures table is: "animal" or "culture".
    unit: str
    #: Its plural.
    units: str
    #: What one analysed value is: "animal" or "independent experiment".
    analysed: str
    #: Plural of ``analysed``.
    analysed_plural: str
    #: Figure caption's first sentence.
    dots: str
    #: Appended to the figures' y-axis labels ("" in vivo).
    axis_suffix: str
    #: Table column header of the unit ids.
    id_header: str


ANIMAL_WORDS = UnitWords(
    "animal", "animals", "animal", "animals", "Dots: individual animals.", "", "Animal ID"
)
CULTURE_WORDS = UnitWords(
    "culture",
    "cultures",
    "independent experiment",
    "independent experiments",
    "Dots: independent experiments (each the mean of its cultures, the technical replicates).",
    ", per experiment",
    "Culture ID",
)


def unit_words(study: Study) -> UnitWords:
    """:data:`CULTURE_WORDS` for an in vitro study, else :data:`ANIMAL_WORDS`."""
    return CULTURE_WORDS if study.in_vitro else ANIMAL_WORDS


def analysed_experiments(outcome: StudyOutcome) -> pd.Series:
    """Independent experiments with at least one analysed (non-excluded) culture, per group."""
    cultures = outcome.animals
    if EXPERIMENT not in cultures:
        return pd.Series(0, index=[g.id for g in outcome.study.groups])
    kept = cultures[~cultures[C.EXCLUDED].fillna(False).astype(bool)]
    counts = kept.groupby(C.GROUP)[EXPERIMENT].nunique()
    return counts.reindex([g.id for g in outcome.study.groups], fill_value=0)


def unit_of_analysis_text(outcome: StudyOutcome) -> str:
    """The methods sentences that say what the unit of analysis of an in vitro study was ("" in
    vivo)."""
    study = outcome.study
    if not study.in_vitro:
        return ""
    cultures = outcome.animals
    kept = cultures[~cultures[C.EXCLUDED].fillna(False).astype(bool)]
    n_exp = kept[EXPERIMENT].nunique() if EXPERIMENT in kept else 0
    cells = study.cell_line or "cells"
    passage = f", passage {study.passage}" if study.passage is not None else ""
    text = (
        f"The cultures ({cells}{passage}) came from {n_exp} independent "
        f"experiment{'s' if n_exp != 1 else ''}; the independent experiment is the unit of "
        "analysis, and the cultures (wells) of one group within one experiment are technical "
        "replicates. "
    )
    if study.unit_of_analysis == UnitOfAnalysis.MIXED_MODEL and not outcome.blinded:
        text += (
            "Every culture entered a linear mixed model with the group as fixed effect and a "
            "random intercept per experiment (value ~ group + (1 | experiment), REML; t-tests "
            "with Satterthwaite degrees of freedom); it assumes the treatment effect does not "
            "vary between experiments. Figures and summaries show the experiment means."
        )
    else:
        text += (
            "The cultures of each group were averaged within each experiment, and the groups "
            "were compared on these experiment means (n = experiments per group)."
        )
        if study.unit_of_analysis == UnitOfAnalysis.MIXED_MODEL:  # blinded
            text += " The mixed model of the manifest runs once the study is unblinded."
    if n_exp < MIN_EXPERIMENTS:
        text += (
            f" Fewer than {MIN_EXPERIMENTS} independent experiments: the comparison rests on too "
            "few independent replicates to generalise."
        )
    return text
