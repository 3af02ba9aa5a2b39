"""Neurological deficit scores after experimental stroke (Longa, Bederson, Garcia, mNSS).

Scores are ordinal: a change from 1 to 2 need not equal a change from 3 to 4, so they are
summarised by median and IQR and compared with rank tests. This module checks a score table
against its scale; it does not average or transform the scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike

import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.schema.checks import id_column, numeric_column, require_columns, row_number

__all__ = ["SCALES", "ScoreScale", "check_neuro_scores", "get_scale"]


@dataclass(frozen=True)
class ScoreScale:
    """A neurological deficit scale.

    Attributes
    ----------
    name
        Machine name used in ``study.yaml`` (``params: {scale: longa}``).
    label
        Display name.
    min, max
        Lowest and highest possible score (inclusive); scores are whole numbers.
    higher_is_worse
        True when a higher score means a larger deficit (Longa, Bederson, mNSS); False for the
        modified Garcia scale, where 18 is a normal animal.
    reference
        The paper defining the scale.
    """

    name: str
    label: str
    min: int
    max: int
    higher_is_worse: bool
    reference: str
    description: str = ""


#: The supported scales, by machine name.
SCALES: dict[str, ScoreScale] = {
    s.name: s
    for s in (
        ScoreScale(
            "longa",
            "Longa score",
            0,
            4,
            True,
            "Longa EZ et al. (1989) Stroke 20:84-91",
            "0 no deficit; 1 failure to extend the contralateral forepaw; 2 circling; "
            "3 falling to the contralateral side; 4 no spontaneous walking, depressed "
            "consciousness.",
        ),
        ScoreScale(
            "bederson",
            "Bederson score",
            0,
            3,
            True,
            "Bederson JB et al. (1986) Stroke 17:472-476",
            "0 no deficit; 1 forelimb flexion; 2 decreased resistance to lateral push; 3 circling.",
        ),
        ScoreScale(
            "garcia",
            "modified Garcia score",
            3,
            18,
            False,
            "Garcia JH et al. (1995) Stroke 26:627-634",
            "Six tests scored 0-3 or 1-3 (spontaneous activity, symmetry of limb movement, "
            "forepaw outstretching, climbing, body proprioception, vibrissae response); "
            "18 = normal, 3 = most severe.",
        ),
        ScoreScale(
            "mnss",
            "modified neurological severity score (mNSS)",
            0,
            18,
            True,
            "Chen J et al. (2001) Stroke 32:1005-1011",
            "Motor, sensory, balance and reflex tests; 0 normal, 1-6 mild, 7-12 moderate, "
            "13-18 severe injury.",
        ),
    )
}

_ALIASES = {
    "longa": "longa",
    "zea_longa": "longa",
    "bederson": "bederson",
    "garcia": "garcia",
    "modified_garcia": "garcia",
    "mgarcia": "garcia",
    "mnss": "mnss",
    "nss": "mnss",
}


def get_scale(
    name: str, *, field: str | None = None, file: str | PathLike[str] | None = None
) -> ScoreScale:
    """The scale called ``name`` (case-insensitive; ``modified_garcia`` and ``zea_longa`` accepted).

    Raises
    ------
    InputError
        Unknown scale name.
    """
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    if key not in _ALIASES:
        raise InputError(
            f"Expected a neurological scale among {', '.join(sorted(SCALES))}, but got {name!r}",
            file=file,
            field=field,
        )
    return SCALES[_ALIASES[key]]


def check_neuro_scores(
    scores: pd.DataFrame,
    *,
    scale: str | ScoreScale,
    score_column: str = "score",
    file: str | PathLike[str] | None = None,
) -> pd.DataFrame:
    """Check a table of neurological scores against its scale.

    Parameters
    ----------
    scores
        One row per animal (and timepoint) with columns ``animal_id`` and ``score`` (name set by
        ``score_column``), optionally ``timepoint`` and ``source_row``.
    scale
        A :data:`SCALES` name (``longa``, ``bederson``, ``garcia``, ``mnss``) or a
        :class:`ScoreScale`.
    file
        Where the table came from, named in errors.

    Returns
    -------
    pandas.DataFrame
        ``animal_id`` (str), ``timepoint`` (str or None), ``neuro_score`` (float holding whole
        numbers), ``source_row`` (when given): the input rows in their original order.

    Raises
    ------
    InputError
        Missing column, empty animal id, a score that is not a whole number within the scale's
        range, or an animal scored twice at the same timepoint; the message names the row.

    Notes
    -----
    Ranges: Longa 0-4 (Longa 1989), Bederson 0-3 (Bederson 1986), modified Garcia 3-18 (Garcia
    1995; higher is better), mNSS 0-18 (Chen 2001). Scores are ordinal, so downstream statistics
    use medians and rank tests.

    Examples
    --------
    >>> import pandas as pd
    >>> check_neuro_scores(pd.DataFrame({"animal_id": ["a"], "score": [2]}), scale="longa")
      animal_id timepoint  neuro_score
    0         a      None          2.0
    """
    sc = scale if isinstance(scale, ScoreScale) else get_scale(scale, file=file)
    require_columns(scores, ["animal_id", score_column], file=file)
    ids = id_column(scores, "animal_id", file=file)
    values = numeric_column(
        scores,
        score_column,
        file=file,
        min=sc.min,
        max=sc.max,
        integer=True,
        what=f"a whole-number score between {sc.min} and {sc.max} ({sc.label})",
    )
    if "timepoint" in scores.columns:
        timepoints = [
            None if pd.isna(t) or str(t).strip() == "" else str(t).strip()
            for t in scores["timepoint"]
        ]
    else:
        timepoints = [None] * len(scores)
    out = pd.DataFrame({"animal_id": ids, "timepoint": timepoints, "neuro_score": values})
    seen: set[tuple[str, str | None]] = set()
    for i, key in enumerate(zip(out["animal_id"], out["timepoint"], strict=True)):
        if key in seen:
            when = f" at timepoint {key[1]!r}" if key[1] is not None else ""
            raise InputError(
                f"Expected one score per animal{when}, but {key[0]!r} is scored more than once",
                file=file,
                row=row_number(scores, i),
                field="animal_id",
            )
        seen.add(key)
    if "source_row" in scores.columns:
        out["source_row"] = scores["source_row"].to_numpy()
    return out
