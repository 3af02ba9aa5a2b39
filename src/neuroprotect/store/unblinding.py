"""Recording and reading the unblinding of a blinded study (with its audit entry)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from neuroprotect.errors import InputError
from neuroprotect.store.engine import write_session
from neuroprotect.store.models import UnblindingRow
from neuroprotect.store.repository import _audit_row, current_actor


def record_unblinding(
    engine: Engine,
    *,
    study_id: str,
    group_codes: dict[str, str],
    key_sha256: str,
    actor: str | None = None,
) -> datetime:
    """Store the code -> group mapping of a study and log who unblinded it, in one transaction.

    Raises
    ------
    InputError
        The study was already unblinded.
    """
    who = actor or current_actor()
    with write_session(engine) as session:
        existing = session.scalar(select(UnblindingRow).where(UnblindingRow.study_id == study_id))
        if existing is not None:
            raise InputError(
                f"Expected a blinded study, but {study_id!r} was already unblinded by "
                f"{existing.actor} at {existing.unblinded_at.isoformat(timespec='seconds')}"
            )
        row = UnblindingRow(
            study_id=study_id, group_codes=dict(group_codes), key_sha256=key_sha256, actor=who
        )
        session.add(row)
        session.add(
            _audit_row(
                action="study unblinded",
                study_id=study_id,
                run_id=None,
                details={"key_sha256": key_sha256, "groups": len(group_codes)},
                actor=who,
            )
        )
        session.flush()
        return row.unblinded_at


def get_unblinding(engine: Engine, study_id: str) -> dict[str, Any] | None:
    """``{"group_codes", "actor", "unblinded_at", "key_sha256"}`` of an unblinded study, else None."""
    with Session(engine) as session:
        row = session.scalar(select(UnblindingRow).where(UnblindingRow.study_id == study_id))
        if row is None:
            return None
        return {
            "group_codes": dict(row.group_codes),
            "actor": row.actor,
            "unblinded_at": row.unblinded_at,
            "key_sha256": row.key_sha256,
        }
