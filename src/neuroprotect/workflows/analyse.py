"""Study analysis: manifest -> readouts -> tidy tables -> statistics (no storage, no report)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from neuroprotect.design.attrition import compute_attrition
from neuroprotect.errors import InputError, collect_input_warnings
from neuroprotect.io.animals import load_animals
from neuroprotect.io.hashing import sha256_file
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Role, Study, load_study
from neuroprotect.stats import ComparisonResult, compare_groups, compare_two
from neuroprotect.stats.compare import method_description
from neuroprotect.stats.posthoc import dunn_interval_sentence
from neuroprotect.store.records import RESULT_FIELDS, RawFileRecord
from neuroprotect.store.repository import compute_input_hash
from neuroprotect.workflows.outcome import RawFile, StudyOutcome, VariableResult
from neuroprotect.workflows.provenance import package_versions
from neuroprotect.workflows.readouts import (
    ReadoutData,
    VariableSpec,
    get_readout_type,
    strict_run,
)

Progress = Callable[[str], None]

#: Roles compared against vehicle in the treatment family (sham is the model check, not in the family).
FAMILY_ROLES = (Role.TREATMENT, Role.POSITIVE_CONTROL)


def collect_raw_files(
    study: Study, *, states: dict[Path, tuple[int, int]] | None = None
) -> list[RawFile]:
    """Every input file of a study with its SHA-256: manifest, animals table, readout files and
    files named in readout parameters (e.g. a standard-curve table).

    ``states``, when given, receives each file's (size, mtime) taken before it was hashed, for
    :func:`check_unchanged` at the end of the run."""
    entries: list[tuple[Path, str]] = []
    if study.manifest_path is not None:
        entries.append((Path(study.manifest_path), "manifest"))
    entries.append((study.resolve(study.animals), "animals"))
    for readout in study.readouts:
        entries += [(p, readout.id) for p in study.readout_files(readout)]
        for value in readout.params.values():
            # a parameter may name one file or a list of them (one layout per plate...)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and item.strip() and study.resolve(item).is_file():
                    entries.append((study.resolve(item), readout.id))
    seen: set[Path] = set()
    out = []
    for path, role in entries:
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        if states is not None:
            states[key] = _file_state(key)
        out.append(RawFile(path=key, sha256=sha256_file(key), size=key.stat().st_size, role=role))
    return out


def _file_state(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def check_unchanged(raw_files: list[RawFile], states: dict[Path, tuple[int, int]]) -> None:
    """Refuse a run whose raw files changed after they were hashed (a copy still being written,
    an instrument appending to its export): the stored hash would not describe what was read.

    The size and modification time are compared first; only a file whose stat changed is hashed
    again, so a touched but identical file passes.
    """
    for f in raw_files:
        try:
            now = _file_state(f.path)
        except OSError:
            raise InputError(
                "Expected the file to stay in place during the run, but it disappeared",
                file=f.path,
            ) from None
        if now != states[f.path] and sha256_file(f.path) != f.sha256:
            raise InputError(
                "Expected the file to stay unchanged during the run, but its content changed "
                "after it was hashed; run again once it is complete",
                file=f.path,
            )


def validate_study(
    manifest: str | Path, *, strict: bool = False, allow_outside_paths: bool | None = None
) -> Study:
    """Check a manifest, its animals table and every readout file, without statistics or storage.

    A readout file that a run would skip is an :class:`~neuroprotect.errors.InputWarning` (an
    error with ``strict``)."""
    study = load_study(manifest, allow_outside_paths=allow_outside_paths)
    animals = load_animals(study)
    for readout in study.readouts:
        rtype = get_readout_type(study, readout)
        with strict_run(strict):
            rtype.load(study, readout, study.readout_files(readout), animals)
    return study


def _family_order(study: Study, present: set[str]) -> list[str]:
    vehicle = study.vehicle.id
    return [vehicle] + [g.id for g in study.groups if g.role in FAMILY_ROLES and g.id in present]


def analyse_variable(
    study: Study,
    readout_id: str,
    readout_type: str,
    spec: VariableSpec,
    values: pd.DataFrame,
    animals: pd.DataFrame,
) -> VariableResult:
    """Model check (sham vs vehicle) and treatment family (each treatment vs vehicle) for one
    variable. ``values`` holds one row per analysed animal: animal_id, group, value."""
    present = set(values[C.GROUP])
    vehicle = study.vehicle.id
    warnings: list[str] = []
    where = f"readouts.{readout_id}.{spec.name}"
    if vehicle not in present:
        raise InputError(
            f"Expected values for the vehicle group {vehicle!r}, but there are none",
            file=study.manifest_path,
            field=where,
        )
    comparison: ComparisonResult | None = None
    model_check: ComparisonResult | None = None
    try:
        family = _family_order(study, present)
        if len(family) >= 2:
            data = values[values[C.GROUP].isin(family)]
            comparison = compare_groups(
                data,
                dv=C.VALUE,
                group=C.GROUP,
                control=vehicle,
                ordinal=spec.ordinal,
                alpha=study.alpha,
                order=family,
            )
        sham = study.sham
        if sham is not None and sham.id in present:
            data = values[values[C.GROUP].isin([sham.id, vehicle])]
            model_check = compare_two(
                data, dv=C.VALUE, group=C.GROUP, a=vehicle, b=sham.id, ordinal=spec.ordinal
            )
    except InputError as exc:
        # The data were valid but cannot be compared (e.g. every value identical): say so in the
        # report instead of failing the whole study.
        warnings.append(no_statistics(exc))
        comparison = model_check = None
    return VariableResult(
        readout_id=readout_id,
        readout_type=readout_type,
        spec=spec,
        data=values.reset_index(drop=True),
        comparison=comparison,
        model_check=model_check,
        warnings=warnings,
    )


def no_statistics(exc: InputError) -> str:
    """The warning of a variable that cannot be compared, without the internal column name
    ('value') that the statistics name for a user's own table."""
    return f"no statistics ({exc.message.replace(f' of {C.VALUE!r}', '')})."


#: Each-vs-control procedure -> its all-pairs counterpart (blinded analyses have no known control).
ALL_PAIRS = {"anova-dunnett": "tukey", "welch": "games-howell", "kruskal-dunn": "dunn-all"}


def analyse_variable_blinded(
    study: Study,
    readout_id: str,
    readout_type: str,
    spec: VariableSpec,
    values: pd.DataFrame,
    animals: pd.DataFrame,
) -> VariableResult:
    """All-pairs comparison of coded groups (the vehicle is not known while the study is blinded).

    The procedure is chosen by the same rules as the unblinded analysis (ordinal scale, normality,
    equal variances) and then applied to all pairs: Tukey, Games-Howell or Dunn.
    """
    codes = sorted(set(values[C.GROUP]))
    if len(codes) < 2:
        return VariableResult(
            readout_id, readout_type, spec, values.reset_index(drop=True), None, None
        )
    try:
        probe = compare_groups(
            values,
            dv=C.VALUE,
            group=C.GROUP,
            control=codes[0],
            ordinal=spec.ordinal,
            alpha=study.alpha,
            order=codes,
        )
        comparison = compare_groups(
            values,
            dv=C.VALUE,
            group=C.GROUP,
            control=codes[0],
            method=ALL_PAIRS[probe.method],
            ordinal=spec.ordinal,
            alpha=study.alpha,
            order=codes,
        )
    except InputError as exc:
        return VariableResult(
            readout_id,
            readout_type,
            spec,
            values.reset_index(drop=True),
            None,
            None,
            warnings=[no_statistics(exc)],
        )
    # The probe's reason opens with its each-vs-control procedure and names codes[0] as the
    # control: say the all-pairs procedure actually run instead, keeping why it was chosen.
    probe_says = method_description(probe.method, control=codes[0])
    all_pairs_says = method_description(comparison.method, control=codes[0])
    why = probe.method_reason.replace(
        probe_says[:1].upper() + probe_says[1:],
        all_pairs_says[:1].upper() + all_pairs_says[1:],
        1,
    )
    if probe.method == "kruskal-dunn":  # the intervals' Bonferroni level counts all pairs
        why = why.replace(
            dunn_interval_sentence(len(probe.contrasts), "holm"),
            dunn_interval_sentence(len(comparison.contrasts), "holm"),
        )
    comparison.method_reason = (
        f"Blinded analysis of coded groups, all pairs (no group is known to be the control). {why}"
    )
    return VariableResult(
        readout_id=readout_id,
        readout_type=readout_type,
        spec=spec,
        data=values.reset_index(drop=True),
        comparison=comparison,
        model_check=None,
    )


def _analysed_values(measurements: pd.DataFrame, variable: str, excluded: set[str]) -> pd.DataFrame:
    rows = measurements[measurements[C.VARIABLE] == variable]
    rows = rows[~rows[C.ANIMAL_ID].isin(excluded)]
    return rows[[C.ANIMAL_ID, C.GROUP, C.VALUE]].dropna(subset=[C.VALUE])


def analyse_study(
    study: Study,
    *,
    progress: Progress | None = None,
    unblinding: dict[str, Any] | None = None,
    strict: bool = False,
) -> StudyOutcome:
    """Run every readout of a study and its statistics.

    A blinded study (``design.blinding.analysis_blinded``) is analysed on its group codes, all
    pairs, unless ``unblinding`` (from the store, written by ``neuroprotect unblind``) gives the
    code -> group mapping. This function never reads an allocation key.

    Excluded animals (``excluded`` true in the animals table) keep their raw measurements in the
    tidy table but are left out of the statistics; the report lists them with their reasons.

    A readout file that fails a per-file check is skipped with a warning and listed in
    ``ReadoutData.skipped`` (:mod:`neuroprotect.io.batch`), unless ``strict`` (or the readout's
    ``strict: true`` in the manifest) makes it an error.

    Raises
    ------
    InputError
        Any problem with the manifest, the animals table or a readout file.
    """
    started = datetime.now(UTC)
    note = progress or (lambda _msg: None)
    note("hashing raw files")
    states: dict[Path, tuple[int, int]] = {}
    raw_files = collect_raw_files(study, states=states)
    codes = unblinding["group_codes"] if unblinding else None
    with collect_input_warnings() as animal_notes:
        animals = load_animals(study, group_codes=codes if study.blinded else None)
    blinded = study.blinded and codes is None
    excluded = set(animals.loc[animals[C.EXCLUDED], C.ANIMAL_ID])
    readouts: dict[str, ReadoutData] = {}
    variables: list[VariableResult] = []
    warnings: list[str] = list(animal_notes)  # they name the animals file
    for readout in study.readouts:
        note(f"readout {readout.id} ({readout.type})")
        rtype = get_readout_type(study, readout)
        with collect_input_warnings() as read_notes, strict_run(strict):
            data = rtype.load(study, readout, study.readout_files(readout), animals)
        readouts[readout.id] = data
        data.warnings[:0] = read_notes  # input warnings (e.g. encoding) come first
        for spec in data.variables or rtype.variables:
            values = _analysed_values(data.measurements, spec.name, excluded)
            if values.empty:
                continue
            if study.in_vitro:
                from neuroprotect.workflows.analyse_in_vitro import analyse_variable_in_vitro

                variables.append(
                    analyse_variable_in_vitro(
                        study, readout.id, readout.type, spec, values, animals, blinded=blinded
                    )
                )
                continue
            analyse = analyse_variable_blinded if blinded else analyse_variable
            variables.append(analyse(study, readout.id, readout.type, spec, values, animals))
    check_unchanged(raw_files, states)
    flow = compute_attrition(animals, criteria=study.design.exclusion_criteria)
    for reason in flow.unregistered:
        warnings.append(
            f"Exclusion reason {reason!r} matches none of the pre-registered exclusion criteria."
        )
    parameters: dict[str, Any] = {r.id: {"type": r.type, **r.params} for r in study.readouts}
    parameters["alpha"] = study.alpha
    parameters["blinded"] = blinded
    if study.in_vitro:
        parameters["unit_of_analysis"] = str(study.unit_of_analysis)
    if study.blinded and unblinding:
        parameters["unblinded_with_key"] = unblinding["key_sha256"]
    versions = package_versions()
    # A new neuroprotect version may compute differently: it does not reuse older runs.
    parameters["neuroprotect_version"] = versions["neuroprotect"]
    return StudyOutcome(
        study=study,
        animals=animals,
        readouts=readouts,
        variables=variables,
        raw_files=raw_files,
        input_hash=compute_input_hash(
            [RawFileRecord(str(f.path), f.sha256, f.size, f.role) for f in raw_files], parameters
        ),
        parameters=parameters,
        versions=versions,
        started_at=started,
        warnings=warnings,
        blinded=blinded,
        unblinding=unblinding if study.blinded else None,
    )


def results_table(outcome: StudyOutcome) -> pd.DataFrame:
    """All test results of a run in one table, columns ``store.records.RESULT_FIELDS``.

    That is ``readout, variable, family`` + ``RESULT_COLUMNS`` with ``num_df, den_df`` (the
    omnibus test's degrees of freedom) after ``dof``; an omnibus F test's ``dof`` is its
    denominator, as before.
    """
    frames = []
    for v in outcome.variables:
        for kind, res in (("model_check", v.model_check), ("treatment", v.comparison)):
            if res is None:
                continue
            omnibus = res.omnibus
            dof = omnibus.get("dof")
            # F tests give (numerator, denominator); Kruskal-Wallis one chi-square df
            num_df, den_df = dof if isinstance(dof, (list, tuple)) else (dof, float("nan"))
            if res.method not in {"welch-t", "mann-whitney"} and omnibus.get("test"):
                frames.append(
                    pd.DataFrame(
                        [
                            {
                                "test": omnibus.get("test"),
                                "contrast": "omnibus",
                                "statistic": omnibus.get("statistic"),
                                "dof": num_df if pd.isna(den_df) else den_df,
                                "num_df": num_df,
                                "den_df": den_df,
                                "p_val": omnibus.get("p_val"),
                                "p_adj": omnibus.get("p_val"),
                            }
                        ]
                    ).assign(readout=v.readout_id, variable=v.spec.name, family=kind)
                )
            frames.append(
                res.contrasts.assign(readout=v.readout_id, variable=v.spec.name, family=kind)
            )
    columns = list(RESULT_FIELDS)
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True)
    for col in columns:
        if col not in table:
            table[col] = None
    return table[columns]


def measurements_table(outcome: StudyOutcome) -> pd.DataFrame:
    """All tidy measurements of a run, canonical columns."""
    frames = [d.measurements for d in outcome.readouts.values() if not d.measurements.empty]
    if not frames:
        return pd.DataFrame(columns=list(C.MEASUREMENT_COLUMNS))
    table = pd.concat(frames, ignore_index=True)
    for col in C.MEASUREMENT_COLUMNS:
        if col not in table:
            table[col] = None
    return table[list(C.MEASUREMENT_COLUMNS)]
