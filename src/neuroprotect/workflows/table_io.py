"""Helpers shared by the table readout loaders: parameters, file reading, tidy tables.

Used by :mod:`neuroprotect.workflows.table_readouts` and by any later readout that reads tables
(image-analysis outputs, plate-reader exports): they turn per-animal tables into the canonical
long measurement table and give one-line errors naming the manifest field or file/row/column.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.io.batch import Batch
from neuroprotect.io.tables import Column, read_table
from neuroprotect.schema import columns as C
from neuroprotect.schema.checks import show_value
from neuroprotect.schema.manifest import Readout, Study
from neuroprotect.workflows.readouts import VariableSpec

#: Marks a required parameter in :func:`readout_params`.
REQUIRED: Any = object()


def param_file(study: Study, readout: Readout, name: str, value: str, what: str = "file") -> Path:
    """The file ``value`` given as parameter ``name``, resolved against the manifest's folder.

    Raises
    ------
    InputError
        The file does not exist, naming the manifest field ``readouts.<id>.params.<name>``.
    """
    path = study.resolve(value)
    if not path.is_file():
        raise InputError(
            f"Expected an existing {what}, but {str(path)!r} does not exist",
            file=study.manifest_path,
            field=f"readouts.{readout.id}.params.{name}",
        )
    return path


def readout_params(
    study: Study, readout: Readout, spec: dict[str, tuple[type, Any]]
) -> dict[str, Any]:
    """Check ``readout.params`` against a specification and fill in defaults.

    Parameters
    ----------
    spec
        ``{name: (kind, default)}``; ``kind`` is ``float`` (a number > 0), ``str`` or ``object``
        (not checked here); ``default`` :data:`REQUIRED` makes the parameter mandatory.

    Raises
    ------
    InputError
        Unknown or missing parameter, or a value of the wrong kind, naming the manifest field
        ``readouts.<id>.params.<name>``.
    """
    where = f"readouts.{readout.id}.params"
    unknown = sorted(set(readout.params) - set(spec))
    if unknown:
        raise InputError(
            f"Expected parameters among {', '.join(sorted(spec)) or '(none)'}, "
            f"but got {unknown[0]!r}",
            file=study.manifest_path,
            field=f"{where}.{unknown[0]}",
        )
    out: dict[str, Any] = {}
    for name, (kind, default) in spec.items():
        value = readout.params.get(name, default)
        if value is REQUIRED:
            raise InputError(
                "Expected this parameter, but it is missing",
                file=study.manifest_path,
                field=f"{where}.{name}",
            )
        if value is not None and kind is float:
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not np.isfinite(value)
            ):
                raise InputError(
                    f"Expected a number, but got {value!r}",
                    file=study.manifest_path,
                    field=f"{where}.{name}",
                )
            if value <= 0:
                raise InputError(
                    f"Expected a number > 0, but got {value!r}",
                    file=study.manifest_path,
                    field=f"{where}.{name}",
                )
            value = float(value)
        elif value is not None and kind is str and not isinstance(value, str):
            raise InputError(
                f"Expected text, but got {value!r}",
                file=study.manifest_path,
                field=f"{where}.{name}",
            )
        out[name] = value
    return out


def display_path(path: Path, study: Study) -> str:
    """The file's path relative to the manifest's folder when it lies below it."""
    if study.base_dir is not None:
        try:
            return path.resolve().relative_to(study.base_dir.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


def check_animal_ids(table: pd.DataFrame, animals: pd.DataFrame, path: Path) -> None:
    """Raise naming file and row for the first ``animal_id`` not in the animals table."""
    known = set(animals[C.ANIMAL_ID].astype(str))
    for i, animal in enumerate(table[C.ANIMAL_ID]):
        if str(animal) not in known:
            raise InputError(
                f"Expected an animal_id listed in the animals table, but got {animal!r}",
                file=path,
                row=int(table[C.SOURCE_ROW].iloc[i]),
                field=C.ANIMAL_ID,
            )


def read_readout_files(
    files: list[Path],
    columns: list[Column],
    animals: pd.DataFrame,
    compute: Callable[[pd.DataFrame, Path], pd.DataFrame],
    keys: list[str],
    batch: Batch | None = None,
    study: Study | None = None,
) -> pd.DataFrame:
    """Read, check and compute every file of a readout.

    Each file is read with ``columns``, its animal ids are checked against ``animals``, and
    ``compute(table, path)`` turns it into a result (errors name that file). The results are
    stacked with a ``source_file`` (Path) column; a ``keys`` combination found in two files is an
    error naming the second one.

    With a ``batch`` (:func:`~neuroprotect.workflows.readouts.readout_batch`), a file that cannot
    be read or computed is skipped (listed relative to ``study``'s manifest) and the others
    used; animal ids that are not in the animals table, and records repeated across files,
    still stop the readout (a mapping to fix, not a bad file).
    """
    parts = []
    for path in files:
        read: list[pd.DataFrame] = []
        shown = display_path(path, study) if study is not None else str(path)
        with batch.item(path, name=shown, count=False) if batch else nullcontext():
            read.append(read_table(path, columns))
        if not read:
            continue
        table = read[0]
        check_animal_ids(table, animals, path)
        with batch.item(path, name=shown) if batch else nullcontext():
            result = compute(table, path)
            result[C.SOURCE_FILE] = [path] * len(result)
            parts.append(result)
    if batch is not None:
        batch.finish()
    out = pd.concat(parts, ignore_index=True)
    dup = out.duplicated(subset=keys).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        combo = ", ".join(f"{k}={show_value(out[k].iloc[i])}" for k in keys)
        key = out.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
        first = int(np.flatnonzero(key == key[i])[0])
        if out[C.SOURCE_FILE].iloc[first] == out[C.SOURCE_FILE].iloc[i]:
            where = f"is also on row {int(out[C.SOURCE_ROW].iloc[first])} of this file"
        else:
            where = f"is also in {out[C.SOURCE_FILE].iloc[first]}"
        raise InputError(
            f"Expected one record per {' and '.join(keys)} across the readout's files, but "
            f"{combo} {where}",
            file=out[C.SOURCE_FILE].iloc[i],
            row=int(out[C.SOURCE_ROW].iloc[i]),
            field=keys[0],
        )
    return out


def tidy_measurements(
    study: Study,
    readout: Readout,
    animals: pd.DataFrame,
    per_animal: pd.DataFrame,
    variables: tuple[VariableSpec, ...],
) -> pd.DataFrame:
    """Long measurement table from a per-animal table with one column per variable.

    ``per_animal`` needs ``animal_id``, ``source_file``, ``source_row``, one column per variable
    and optionally ``timepoint``. ``group`` and ``dose_mg_kg`` come from the animals table.
    Returns the columns of :data:`~neuroprotect.schema.columns.MEASUREMENT_COLUMNS`.
    """
    info = animals.set_index(C.ANIMAL_ID)
    rows = []
    for spec in variables:
        block = pd.DataFrame(
            {
                C.STUDY_ID: study.study_id,
                C.ANIMAL_ID: per_animal[C.ANIMAL_ID].astype(str).to_numpy(),
                C.READOUT: readout.id,
                C.VARIABLE: spec.name,
                C.VALUE: per_animal[spec.name].astype(float).to_numpy(),
                C.UNIT: spec.unit,
                C.TIMEPOINT: per_animal[C.TIMEPOINT].to_numpy()
                if C.TIMEPOINT in per_animal
                else None,
                C.TRIAL: None,
                C.CENSORED: False,
                C.SOURCE_FILE: [display_path(p, study) for p in per_animal[C.SOURCE_FILE]],
                C.SOURCE_ROW: per_animal[C.SOURCE_ROW].astype(int).to_numpy(),
            }
        )
        rows.append(block)
    out = pd.concat(rows, ignore_index=True)
    out[C.GROUP] = out[C.ANIMAL_ID].map(info[C.GROUP])
    out[C.DOSE_MG_KG] = out[C.ANIMAL_ID].map(info[C.DOSE_MG_KG]).astype(float)
    return out[list(C.MEASUREMENT_COLUMNS)]


def missing_data_warning(readout: Readout, animals: pd.DataFrame, measured: pd.Series) -> list[str]:
    """Warn about included animals with no record in this readout."""
    included = animals.loc[~animals[C.EXCLUDED].astype(bool), C.ANIMAL_ID].astype(str)
    missing = sorted(set(included) - set(measured.astype(str)))
    if not missing:
        return []
    return [f"no data for {len(missing)} included animal(s): {', '.join(missing)}"]


def details_frame(table: pd.DataFrame, study: Study) -> pd.DataFrame:
    """A copy of ``table`` with ``source_file`` shown relative to the manifest."""
    out = table.copy()
    if C.SOURCE_FILE in out:
        out[C.SOURCE_FILE] = [display_path(p, study) for p in out[C.SOURCE_FILE]]
    return out
