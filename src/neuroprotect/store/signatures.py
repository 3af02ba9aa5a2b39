"""Electronic signatures of runs (21 CFR Part 11 style): bound to the run's content hash.

The content hash covers what a reader of the run relies on: the run's id, input hash, package
version and parameters, and every stored measurement and result, as canonical text. A signature
records it; :func:`list_signatures` recomputes it, so a signature whose run no longer matches would
show as not valid (the database triggers of migration 0005 keep signed runs from changing at all).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from neuroprotect.errors import InputError
from neuroprotect.store.app_models import SignatureRow
from neuroprotect.store.engine import write_session
from neuroprotect.store.reading import load_run
from neuroprotect.store.repository import _audit_row

#: What a signature means, as shown to the signer before signing and on the report.
MEANINGS = {
    "reviewed": "I have reviewed this analysis run, its inputs and its results.",
    "approved": "I approve this analysis run and its results as the study's record.",
}


@dataclass(frozen=True)
class Signature:
    id: int
    run_id: str
    signer: str
    meaning: str
    content_sha256: str
    signed_at: datetime
    #: The run still has the content that was signed.
    valid: bool


def run_content_hash(engine: Engine, run_id: str) -> str:
    """SHA-256 of a run's stored content (see the module notes); InputError for an unknown run."""
    run = load_run(engine, run_id)
    head = {k: run["run"][k] for k in ("run_id", "input_hash", "package_version", "parameters")}
    digest = hashlib.sha256(b"neuroprotect-run-content-v1\n")
    digest.update(json.dumps(head, sort_keys=True, default=str).encode())
    for name in ("measurements", "results"):
        digest.update(f"\n{name}\n".encode())
        digest.update(run[name].to_csv(index=False).encode())
    return digest.hexdigest()


def sign_run(engine: Engine, run_id: str, *, user_id: int, signer: str, meaning: str) -> Signature:
    """Record a signature of ``run_id`` (and its audit entry) in one transaction.

    Raises
    ------
    InputError
        An unknown meaning or run, or the same person signing with the same meaning twice.
    """
    if meaning not in MEANINGS:
        raise InputError(f"Expected a meaning among {', '.join(MEANINGS)}, but got {meaning!r}")
    content = run_content_hash(engine, run_id)
    with write_session(engine) as session:
        twice = session.scalar(
            select(SignatureRow.id).where(
                SignatureRow.run_id == run_id,
                SignatureRow.user_id == user_id,
                SignatureRow.meaning == meaning,
            )
        )
        if twice is not None:
            raise InputError(
                f"Expected a new signature, but you already signed this run as {meaning!r}"
            )
        row = SignatureRow(
            run_id=run_id, user_id=user_id, signer=signer, meaning=meaning, content_sha256=content
        )
        session.add(row)
        session.flush()
        study_id = load_study_id(session, run_id)
        session.add(
            _audit_row(
                action="run signed",
                study_id=study_id,
                run_id=run_id,
                details={"meaning": meaning, "content_sha256": content, "signature": row.id},
                actor=signer,
            )
        )
        session.flush()
        return Signature(row.id, run_id, signer, meaning, content, row.signed_at, True)


def load_study_id(session: Session, run_id: str) -> str | None:
    from neuroprotect.store.models import RunRow, StudyRow

    return session.scalar(
        select(StudyRow.study_id)
        .join(RunRow, RunRow.study_pk == StudyRow.id)
        .where(RunRow.run_id == run_id)
    )


def list_signatures(engine: Engine, run_id: str) -> list[Signature]:
    """Signatures of a run, oldest first, each checked against the run's current content."""
    with Session(engine) as session:
        rows = list(
            session.scalars(
                select(SignatureRow).where(SignatureRow.run_id == run_id).order_by(SignatureRow.id)
            )
        )
    if not rows:
        return []
    current = run_content_hash(engine, run_id)
    return [
        Signature(
            r.id,
            r.run_id,
            r.signer,
            r.meaning,
            r.content_sha256,
            r.signed_at,
            r.content_sha256 == current,
        )  # fmt: skip
        for r in rows
    ]


__all__ = ["MEANINGS", "Signature", "list_signatures", "run_content_hash", "sign_run"]
