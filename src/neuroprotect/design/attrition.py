"""Attrition flow (randomised -> excluded with reason -> analysed) and pre-registered criteria.

An exclusion reason counts as pre-registered when it contains one of the manifest's
``design.exclusion_criteria`` (case-insensitive), e.g. the reason "died before assessment (found
dead 20 h after reperfusion)" matches the criterion "died before assessment".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from neuroprotect.schema import columns as C


def match_criterion(reason: str, criteria: list[str]) -> str | None:
    """The pre-registered criterion an exclusion reason falls under, or None."""
    text = " ".join(str(reason).lower().split())
    for criterion in criteria:
        key = " ".join(criterion.lower().split())
        if key and key in text:
            return criterion
    return None


@dataclass
class AttritionFlow:
    """Counts of a study's attrition flow.

    Attributes
    ----------
    randomised, excluded, analysed
        Totals over groups.
    by_group
        ``group, randomised, excluded, analysed``.
    reasons
        ``reason, criterion (or None), n, groups`` — one row per distinct exclusion reason.
    unregistered
        Reasons that match no pre-registered criterion (only when criteria were given).
    """

    randomised: int
    excluded: int
    analysed: int
    by_group: pd.DataFrame
    reasons: pd.DataFrame
    unregistered: list[str] = field(default_factory=list)


def compute_attrition(animals: pd.DataFrame, *, criteria: list[str]) -> AttritionFlow:
    """Attrition flow of an animals table (``animal_id, group, excluded, exclusion_reason``)."""
    if C.EXCLUDED not in animals:
        animals = animals.assign(**{C.EXCLUDED: False, C.EXCLUSION_REASON: None})
    excluded = animals[C.EXCLUDED].fillna(False).astype(bool)
    by_group = (
        animals.assign(_ex=excluded)
        .groupby(C.GROUP, sort=False)
        .agg(randomised=(C.ANIMAL_ID, "size"), excluded=("_ex", "sum"))
        .reset_index()
    )
    by_group["excluded"] = by_group["excluded"].astype(int)
    by_group["analysed"] = by_group["randomised"] - by_group["excluded"]
    rows = []
    for reason, sub in animals[excluded].groupby(C.EXCLUSION_REASON, sort=True):
        rows.append(
            {
                "reason": str(reason),
                "criterion": match_criterion(str(reason), criteria),
                "n": len(sub),
                "groups": ", ".join(dict.fromkeys(sub[C.GROUP].astype(str))),
            }
        )
    reasons = pd.DataFrame(rows, columns=["reason", "criterion", "n", "groups"])
    unregistered = [str(r["reason"]) for r in rows if r["criterion"] is None] if criteria else []
    return AttritionFlow(
        randomised=len(animals),
        excluded=int(excluded.sum()),
        analysed=int((~excluded).sum()),
        by_group=by_group,
        reasons=reasons,
        unregistered=unregistered,
    )
