"""The study beside the knowledge base: mechanism check and published evidence (issue 8)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.knowledge.base import resolve_compound, resolve_protocol
from neuroprotect.knowledge.overlay import check_mechanism
from neuroprotect.report.format import p_phrase
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
                f"{labels.get(str(r['group']), r['group'])}: {p_phrase(r['p_adj'])}"
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


#: Keys a knowledge-base record's ``quantitative_data`` entry needs to be pooled.
POOLABLE_KEYS = ("outcome", "n_treat", "mean_treat", "sd_treat", "n_ctrl", "mean_ctrl", "sd_ctrl")
MIN_RECORDS_TO_POOL = 2


def _study_comparison(outcome: StudyOutcome, variable: str) -> dict[str, Any] | None:
    """The study's own comparison on ``variable``: the compound's highest dose vs vehicle."""
    study = outcome.study
    compound = resolve_compound(study.compound)
    doses = [
        g
        for g in study.groups
        if g.role == Role.TREATMENT and resolve_compound(g.compound or study.compound) == compound
    ]
    result = next((v for v in outcome.variables if v.spec.name == variable), None)
    if result is None or not doses or outcome.blinded:
        return None
    top = max(doses, key=lambda g: g.dose_mg_kg or 0.0)
    data = result.data
    treat = data.loc[data["group"] == top.id, "value"].astype(float)
    ctrl = data.loc[data["group"] == study.vehicle.id, "value"].astype(float)
    if len(treat) < 2 or len(ctrl) < 2:
        return None
    return {
        "study": f"{study.study_id} (this study, {top.display})",
        "n_treat": len(treat),
        "mean_treat": treat.mean(),
        "sd_treat": treat.std(ddof=1),
        "n_ctrl": len(ctrl),
        "mean_ctrl": ctrl.mean(),
        "sd_ctrl": ctrl.std(ddof=1),
        "lower_is_better": result.spec.lower_is_better,
    }


def pooled_evidence(
    outcome: StudyOutcome, *, records: pd.DataFrame | None = None
) -> dict[str, Any]:
    """The study's effect pooled with the knowledge base's quantitative records, when there are
    enough (at least :data:`MIN_RECORDS_TO_POOL` records on the same outcome variable).

    Effect size: Hedges' g (SMD) oriented so that benefit is positive, random effects by REML
    (:class:`neuroprotect.meta.RandomEffectsMeta`).

    Parameters
    ----------
    records
        Quantitative comparisons (columns :data:`POOLABLE_KEYS` plus ``record``); by default read
        from the ``quantitative_data`` of the knowledge base's efficacy records for the compound
        and model.

    Returns
    -------
    dict
        ``{"pooled": bool, "reason"}`` and, when pooled, ``outcome, k, estimate, ci_low, ci_high,
        tau2, i2, method`` (the tau^2 estimator), ``test`` (z), ``warnings`` (convergence notes of
        the REML fit) and ``studies`` (each with ``study, yi, vi, weight``).
    """
    from neuroprotect.meta.effect_sizes import compute_effect_sizes
    from neuroprotect.meta.models import RandomEffectsMeta

    if records is None:
        records = _quantitative_records(outcome)
    if records.empty:
        return {
            "pooled": False,
            "reason": "the knowledge base holds no effect sizes (means, SDs, "
            "n) for this compound and model, only directions of effect",
        }
    for variable, sub in records.groupby("outcome", sort=True):
        own = _study_comparison(outcome, str(variable))
        if own is None or len(sub) < MIN_RECORDS_TO_POOL:
            continue
        table = pd.concat(
            [
                sub.rename(columns={"record": "study"})[["study", *POOLABLE_KEYS[1:]]],
                pd.DataFrame([{k: v for k, v in own.items() if k != "lower_is_better"}]),
            ],
            ignore_index=True,
        )
        es = compute_effect_sizes(table, measure="smd", lower_is_better=own["lower_is_better"])
        fit = RandomEffectsMeta(method="REML").fit(es["yi"], es["vi"], labels=list(es["study"]))
        return {
            "pooled": True,
            "outcome": str(variable),
            "k": int(len(es)),
            "estimate": float(fit.estimate_),
            "ci_low": float(fit.ci_[0]),
            "ci_high": float(fit.ci_[1]),
            "tau2": float(fit.tau2_),
            "i2": float(fit.i2_),
            "method": fit.method,
            "test": fit.test,
            "warnings": list(fit.warnings_),
            "studies": [
                {"study": s, "yi": float(y), "vi": float(v), "weight": float(w)}
                for s, y, v, w in zip(es["study"], es["yi"], es["vi"], fit.weights_, strict=True)
            ],
        }
    return {
        "pooled": False,
        "reason": f"fewer than {MIN_RECORDS_TO_POOL} knowledge-base records "
        "with effect sizes on an outcome this study measured",
    }


def _quantitative_records(outcome: StudyOutcome) -> pd.DataFrame:
    from neuroprotect.knowledge.base import load_section

    compound = resolve_compound(outcome.study.compound)
    protocol = resolve_protocol(outcome.study.model)
    rows = []
    for rec in load_section("efficacy")["records"]:
        if rec.get("compound") != compound or rec.get("protocol_ref") != protocol:
            continue
        for entry in rec.get("quantitative_data") or []:
            if isinstance(entry, dict) and all(k in entry for k in POOLABLE_KEYS):
                rows.append({"record": rec["id"], **{k: entry[k] for k in POOLABLE_KEYS}})
    return pd.DataFrame(rows, columns=["record", *POOLABLE_KEYS])
