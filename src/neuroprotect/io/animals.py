"""The animals table of a study: one row per animal, validated against the manifest's groups.

An in vitro study's table lists cultures instead (:mod:`neuroprotect.io.cultures`)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from neuroprotect.errors import InputError, InputWarning
from neuroprotect.io.tables import Column, read_table
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Study

ANIMAL_TABLE_COLUMNS = [
    Column(C.ANIMAL_ID, "str"),
    Column(C.GROUP, "str"),
    Column(
        C.BODY_WEIGHT_G,
        "float",
        required=False,
        min=0,
        allow_missing=True,
        aliases=("body_weight",),
    ),
    Column(C.SEX, "str", required=False, allow_missing=True),
    Column(C.EXCLUDED, "bool", required=False),
    Column(C.EXCLUSION_REASON, "str", required=False, allow_missing=True, aliases=("reason",)),
]


#: Said when an animals table holds group codes but the manifest does not declare the study blinded.
CODED_TABLE_HINT = (
    "; if these are the group codes of a sealed allocation (design randomize --seal-key), "
    "declare the study blinded in the manifest: design: {blinding: {analysis_blinded: true}}"
)


def load_animals(study: Study, *, group_codes: dict[str, str] | None = None) -> pd.DataFrame:
    """Read and check the animals table named by the manifest.

    For a blinded study (``design.blinding.analysis_blinded``) the ``group`` column holds group
    codes. Without ``group_codes`` they are kept as they are (role and dose unknown); with the
    unblinded ``group_codes`` (code -> group id) they are replaced by the group ids.

    Returns
    -------
    pandas.DataFrame
        ``animal_id, group, body_weight_g, sex, excluded, exclusion_reason, role, dose_mg_kg,
        source_row``; ``group`` holds the group id (or the blinded code when the study is blinded).

    Raises
    ------
    InputError
        Duplicate animal id, unknown group, bad body weight, excluded animal without a reason.
    """
    if study.in_vitro:
        from neuroprotect.io.cultures import load_cultures

        return load_cultures(study, group_codes=group_codes)
    path = study.resolve(study.animals)
    table = read_table(path, ANIMAL_TABLE_COLUMNS)
    return check_unit_table(study, table, path, group_codes=group_codes, unit="animal")


def check_unit_table(
    study: Study,
    table: pd.DataFrame,
    path: Path,
    *,
    group_codes: dict[str, str] | None,
    unit: str,
) -> pd.DataFrame:
    """Checks shared by the animals and the cultures tables (``unit``: what a row is): unique
    ids, known groups (or group codes when blinded), a reason for every exclusion; adds ``role``
    and ``dose_mg_kg``."""
    if C.EXCLUDED not in table:
        table[C.EXCLUDED] = False
    if C.EXCLUSION_REASON not in table:
        table[C.EXCLUSION_REASON] = None
    dup = table[C.ANIMAL_ID].duplicated()
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise InputError(
            f"Expected unique {unit} ids, but {table[C.ANIMAL_ID].iloc[i]!r} appears more than once",
            file=path,
            row=int(table["source_row"].iloc[i]),
            field=C.ANIMAL_ID,
        )
    if study.blinded:
        table = _decode_groups(study, table, path, group_codes)
        if group_codes is None:
            table[C.ROLE] = None
            table[C.DOSE_MG_KG] = None
            return table
    known = {g.id for g in study.groups}
    # a table of nothing but unknown groups is most likely the coded table of a blinded study
    coded = "" if known & set(table[C.GROUP]) else CODED_TABLE_HINT
    for i, g in enumerate(table[C.GROUP]):
        if g not in known:
            near = [k for k in known if str(g).lower() == k.lower()]
            hint = f" (did you mean {near[0]!r}? ids are case-sensitive)" if near else ""
            raise InputError(
                f"Expected one of the manifest's groups ({', '.join(sorted(known))}), "
                f"but got {g!r}{hint or coded}",
                file=path,
                row=int(table["source_row"].iloc[i]),
                field=C.GROUP,
            )
    empty = [g.id for g in study.groups if g.id not in set(table[C.GROUP])]
    if empty:
        warnings.warn(
            InputWarning(
                f"{path}: no {unit}s in group(s) {', '.join(empty)} of the manifest; "
                "they are left out of the analysis"
            ),
            stacklevel=3,
        )
    for i, (excluded, reason) in enumerate(
        zip(table[C.EXCLUDED], table[C.EXCLUSION_REASON], strict=True)
    ):
        if excluded and not reason:
            raise InputError(
                f"Expected an exclusion_reason for an excluded {unit}, but it is empty",
                file=path,
                row=int(table["source_row"].iloc[i]),
                field=C.EXCLUSION_REASON,
            )
    table[C.ROLE] = [study.group(g).role.value for g in table[C.GROUP]]
    table[C.DOSE_MG_KG] = [study.group(g).dose_mg_kg for g in table[C.GROUP]]
    return table


def _decode_groups(
    study: Study, table: pd.DataFrame, path: Path, group_codes: dict[str, str] | None
) -> pd.DataFrame:
    codes = list(dict.fromkeys(table[C.GROUP]))
    if group_codes is None:
        if len(codes) > len(study.groups):
            raise InputError(
                f"Expected at most {len(study.groups)} group codes (one per group), but found "
                f"{len(codes)}: {', '.join(codes)}",
                file=path,
                field=C.GROUP,
            )
        return table
    for i, code in enumerate(table[C.GROUP]):
        if code not in group_codes:
            raise InputError(
                f"Expected a group code of the unblinded key ({', '.join(sorted(group_codes))}), "
                f"but got {code!r}",
                file=path,
                row=int(table["source_row"].iloc[i]),
                field=C.GROUP,
            )
    table = table.copy()
    table[C.GROUP_CODE] = table[C.GROUP]
    table[C.GROUP] = table[C.GROUP].map(group_codes)
    return table
