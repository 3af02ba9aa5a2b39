"""``neuroprotect run``: analyse a study, store it in one transaction, write the report and JSON.

Order matters for the "nothing half-written" rule: everything that can fail on user input (manifest,
animals, readout files, statistics) happens before the store is touched; the store write is one
transaction; the output files are written to temporary names and renamed into place.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neuroprotect.schema.manifest import load_study
from neuroprotect.stats.result import records
from neuroprotect.store.engine import init_db, make_engine
from neuroprotect.store.repository import RawFileRecord, save_run
from neuroprotect.workflows.analyse import (
    Progress,
    analyse_study,
    measurements_table,
    results_table,
)
from neuroprotect.workflows.outcome import StudyOutcome, all_warnings


@dataclass(frozen=True)
class RunFiles:
    report: Path
    results: Path


def store_outcome(
    outcome: StudyOutcome, *, db_url: str | None = None, actor: str | None = None
) -> StudyOutcome:
    """Save a run (one transaction); identical inputs already stored are recognised, not duplicated.

    ``actor`` (who ran it, for the audit log) defaults to the login name.
    """
    study = outcome.study
    engine = make_engine(db_url)
    try:
        init_db(engine)
        manifest_text = (
            Path(study.manifest_path).read_text(encoding="utf-8") if study.manifest_path else ""
        )
        saved = save_run(
            engine,
            study={
                "study_id": study.study_id,
                "title": study.title,
                "compound": study.compound,
                "model": study.model,
                "species": study.species,
                "manifest_text": manifest_text,
            },
            groups=[
                {
                    "group_id": g.id,
                    "label": g.display,
                    "role": g.role.value,
                    "compound": g.compound,
                    "dose_mg_kg": g.dose_mg_kg,
                    "route": g.route,
                    "timing": g.timing,
                }
                for g in study.groups
            ],
            animals=outcome.animals,
            raw_files=[
                RawFileRecord(path=str(f.path), sha256=f.sha256, size=f.size, role=f.role)
                for f in outcome.raw_files
            ],
            parameters=outcome.parameters,
            measurements=measurements_table(outcome),
            results=results_table(outcome),
            package_version=outcome.versions["neuroprotect"],
            started_at=outcome.started_at,
            finished_at=outcome.finished_at or datetime.now(UTC),
            actor=actor,
        )
    finally:
        engine.dispose()
    outcome.run_id = saved.run_id
    outcome.reused = saved.reused
    return outcome


def stored_unblinding(study_id: str, *, db_url: str | None = None) -> dict[str, Any] | None:
    """The recorded unblinding of a study, or None while it is blinded."""
    from neuroprotect.store.unblinding import get_unblinding

    engine = make_engine(db_url)
    try:
        init_db(engine)
        return get_unblinding(engine, study_id)
    finally:
        engine.dispose()


def unblind_study(
    manifest: str | Path,
    *,
    key_path: str | Path,
    passphrase: str,
    db_url: str | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Open a study's sealed allocation key and record the unblinding (who, when) in the store.

    ``actor`` names who unblinds in the audit log (default the login name).

    Raises
    ------
    InputError
        Not a blinded study, wrong passphrase, a key of another study, or already unblinded.
        A refused attempt is written to the audit log too.
    """
    from neuroprotect.design.blinding import open_key
    from neuroprotect.errors import InputError
    from neuroprotect.io.hashing import sha256_file
    from neuroprotect.store.repository import audit
    from neuroprotect.store.unblinding import record_unblinding

    study = load_study(manifest)
    if not study.blinded:
        raise InputError(
            "Expected a blinded study (design.blinding.analysis_blinded: true), but it is not blinded",
            file=study.manifest_path,
            field="design.blinding.analysis_blinded",
        )
    engine = make_engine(db_url)
    try:
        init_db(engine)
        try:
            key = open_key(key_path, passphrase)
            if key.study_id != study.study_id:
                raise InputError(
                    f"Expected the key of study {study.study_id!r}, but it belongs to {key.study_id!r}",
                    file=key_path,
                )
        except InputError as exc:
            audit(
                engine,
                action="unblind refused",
                study_id=study.study_id,
                details={"reason": exc.message},
                actor=actor,
            )
            raise
        when = record_unblinding(
            engine,
            study_id=study.study_id,
            group_codes=key.group_codes,
            key_sha256=sha256_file(key_path),
            actor=actor,
        )
    finally:
        engine.dispose()
    return {
        "study_id": study.study_id,
        "group_codes": key.group_codes,
        "unblinded_at": when.isoformat(),
    }


def skipped_files(outcome: StudyOutcome) -> list[dict[str, str]]:
    """Every file (or trial) a readout skipped: ``[{"readout", "file", "reason"}, ...]``."""
    return [
        {"readout": rid, **s.to_dict()}
        for rid, data in outcome.readouts.items()
        for s in data.skipped
    ]


def outcome_to_json(outcome: StudyOutcome) -> dict[str, Any]:
    """The ``results.json`` document of a run."""
    study = outcome.study
    variables = []
    for v in outcome.variables:
        variables.append(
            {
                "readout": v.readout_id,
                "readout_type": v.readout_type,
                "variable": v.spec.name,
                "label": v.spec.label,
                "unit": v.spec.unit,
                "ordinal": v.spec.ordinal,
                "treatment_comparison": v.comparison.to_dict() if v.comparison else None,
                "model_check": v.model_check.to_dict() if v.model_check else None,
                "warnings": v.warnings,
            }
        )
    return {
        "study": study.model_dump(mode="json"),
        "run": {
            "run_id": outcome.run_id,
            "reused": outcome.reused,
            "input_hash": outcome.input_hash,
            "started_at": outcome.started_at.isoformat(),
            "finished_at": outcome.finished_at.isoformat() if outcome.finished_at else None,
            "versions": outcome.versions,
            "parameters": outcome.parameters,
        },
        "raw_files": [
            {"path": str(f.path), "sha256": f.sha256, "size": f.size, "role": f.role}
            for f in outcome.raw_files
        ],
        "animals": records(outcome.animals.drop(columns=["source_row"], errors="ignore")),
        "variables": variables,
        "results": records(results_table(outcome)),
        "warnings": all_warnings(outcome),
        "skipped": skipped_files(outcome),
        "blinded": outcome.blinded,
        "unblinding": (
            {k: str(v) for k, v in outcome.unblinding.items() if k != "group_codes"}
            if outcome.unblinding
            else None
        ),
    }


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(outcome: StudyOutcome, out_dir: str | Path) -> RunFiles:
    """Write ``report.html`` and ``results.json`` into ``out_dir``."""
    from neuroprotect.report.html import render_report

    out = Path(out_dir)
    html = render_report(outcome)
    payload = json.dumps(outcome_to_json(outcome), indent=2, allow_nan=False, default=str)
    report, results = out / "report.html", out / "results.json"
    _atomic_write(results, payload + "\n")
    _atomic_write(report, html)
    return RunFiles(report=report, results=results)


def run_study(
    manifest: str | Path,
    *,
    out_dir: str | Path,
    db_url: str | None = None,
    store: bool = True,
    progress: Progress | None = None,
    strict: bool = False,
    allow_outside_paths: bool | None = None,
    actor: str | None = None,
) -> tuple[StudyOutcome, RunFiles]:
    """Analyse, store and report one study.

    ``progress`` receives one message per step; ``actor`` names who ran it in the audit log
    (default the login name; the web app passes the user's e-mail).
    ``strict``: refuse the run at the first bad readout file instead of skipping it with a
    warning (see :func:`~neuroprotect.workflows.analyse.analyse_study`).
    ``allow_outside_paths`` lets the manifest name files outside its folder (see
    :func:`~neuroprotect.schema.manifest.load_study`).

    Returns
    -------
    (StudyOutcome, RunFiles)
        The outcome (with ``run_id`` and ``reused`` set when stored) and the written files.
    """
    note = progress or (lambda _msg: None)
    study = load_study(manifest, allow_outside_paths=allow_outside_paths)
    if store:  # an unusable store path fails now, not after the analysis
        make_engine(db_url).dispose()
    unblinding = (
        stored_unblinding(study.study_id, db_url=db_url) if study.blinded and store else None
    )
    outcome = analyse_study(study, progress=note, unblinding=unblinding, strict=strict)
    outcome.finished_at = datetime.now(UTC)
    if store:
        note("storing run")
        store_outcome(outcome, db_url=db_url, actor=actor)
    note("writing report")
    return outcome, write_outputs(outcome, out_dir)
