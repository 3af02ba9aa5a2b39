"""The study beside the knowledge base: mechanism check and published evidence (issue 8)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from neuroprotect.knowledge.base import resolve_compound, resolve_protocol
from neuroprotect.knowledge.overlay import check_mechanism
from neuroprotect.schema.manifest import Role
from neuroprotect.workflows.outcome import StudyOutcome


def observed_directions(outcome: StudyOutcome) -> pd.DataFrame:
    """Per variable, the direction of the compound's significant contrasts vs vehicle.

    Only the study compound's treatment groups count (not the positive control). A contrast is
    significant when its multiplicity-adjusted p is below the study's alpha.
    """
    study = outcome.study
    compound = resolve_compound(study.compound) or study.compound
    own = {
        g.id
        for g in study.groups
        if g.role == Role.TREATMENT and (resolve_compound(g.compound or study.compound) == compound)
    }
    rows = []
    for v in outcome.variables:
        if v.comparison is None:
            continue
        contrasts = v.comparison.contrasts
        mine = contrasts[contrasts["group"].astype(str).isin(own)]
        significant = mine[mine["p_adj"] < study.alpha]
        signs = {int(np.sign(e)) for e in significant["estimate"] if np.isfinite(e) and e != 0}
        direction = (
            "none"
            if not signs
            else "mixed"
            if len(signs) > 1
            else ("increase" if signs == {1} else "decrease")
        )
        labels = {g.id: g.display for g in study.groups}
        evidence = (
            "; ".join(
                f"{labels.get(str(r['group']), r['group'])}: p = {r['p_adj']:.2g}"
                for r in significant.to_dict("records")
            )
            or "no significant contrast"
        )
        rows.append(
            {
                "variable": v.spec.name,
                "label": v.spec.label,
                "direction": direction,
                "evidence": evidence,
            }
        )
    return pd.DataFrame(rows, columns=["variable", "label", "direction", "evidence"])


def mechanism_table(outcome: StudyOutcome) -> pd.DataFrame | None:
    """The mechanism check of a study (None when blinded or the compound has no pathway)."""
    compound = resolve_compound(outcome.study.compound)
    if outcome.blinded or compound is None:
        return None
    try:
        return check_mechanism(compound, observed_directions(outcome))
    except ValueError:  # the compound has no node in the pathway graph
        return None


def published_evidence(outcome: StudyOutcome) -> pd.DataFrame:
    """Knowledge-base efficacy records for the study's compound and model (with citations)."""
    from neuroprotect.knowledge.queries import list_efficacy

    compound = resolve_compound(outcome.study.compound)
    if compound is None:
        return pd.DataFrame()
    table = list_efficacy(compound=compound)
    protocol = resolve_protocol(outcome.study.model)
    same_model = table["protocol_ref"] == protocol
    return (
        table.assign(same_model=same_model)
        .sort_values("same_model", ascending=False)
        .reset_index(drop=True)
    )
