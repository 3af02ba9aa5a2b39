"""Signing runs from the web: the signer's right, the re-entered password, the signed report."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi import HTTPException
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from neuroprotect.errors import InputError
from neuroprotect.store.accounts import User, password_hash_of
from neuroprotect.store.app_models import UploadRow
from neuroprotect.store.repository import audit
from neuroprotect.store.signatures import MEANINGS, Signature, list_signatures, sign_run
from neuroprotect.web.permissions import has_right
from neuroprotect.web.security import verify_password


def study_owner_id(engine: Engine, study_id: str) -> int | None:
    """The owner of a study: who uploaded it first (a later upload of the same id does not count)."""
    with Session(engine) as session:
        return session.scalar(
            select(UploadRow.owner_id)
            .where(UploadRow.study_id == study_id)
            .order_by(UploadRow.id)
            .limit(1)
        )


def may_sign(engine: Engine, user: User, study_id: str) -> bool:
    """``runs.sign``; a PI only for the PI's own studies (see :func:`study_owner_id`)."""
    if not has_right(user.role, "runs.sign"):
        return False
    return user.role != "pi" or study_owner_id(engine, study_id) == user.id


def sign(
    engine: Engine, user: User, run: dict[str, Any], *, password: str, meaning: str
) -> Signature:
    """Sign ``run`` as ``user`` after checking the right and the re-entered password.

    Raises
    ------
    HTTPException
        403 without the right or with a wrong password (audited), 422 for a bad meaning or a
        repeated signature.
    """
    if not may_sign(engine, user, run["study_id"]):
        raise HTTPException(403, f"Your role ({user.role}) may not sign this run")
    found = password_hash_of(engine, user.email)
    if found is None or not verify_password(found[1], password):
        audit(engine, action="signature refused", study_id=run["study_id"], run_id=run["run_id"],
              details={"reason": "wrong password"}, actor=user.email)  # fmt: skip
        raise HTTPException(403, "Wrong password: the signature was not recorded")
    try:
        return sign_run(engine, run["run_id"], user_id=user.id, signer=user.email, meaning=meaning)
    except InputError as exc:
        raise HTTPException(422, exc.one_line()) from None


def signature_view(s: Signature) -> dict[str, Any]:
    return {
        "id": s.id,
        "signer": s.signer,
        "meaning": s.meaning,
        "statement": MEANINGS.get(s.meaning, ""),
        "signed_at": s.signed_at,
        "content_sha256": s.content_sha256,
        "valid": s.valid,
    }


def signed_report(report_html: str, signatures: list[Signature]) -> str:
    """The report with a "Signatures" block at the top (the stored file is left as it is)."""
    if not signatures:
        return report_html
    rows = "".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} UTC</td><td style='font-family:monospace'>{}</td></tr>".format(
            html.escape(s.signer),
            html.escape(s.meaning),
            html.escape(MEANINGS.get(s.meaning, "")),
            s.signed_at.strftime("%Y-%m-%d %H:%M:%S"),
            s.content_sha256[:16] + ("" if s.valid else " (DOES NOT MATCH the run)"),
        )
        for s in signatures
    )
    block = (
        "<section id='signatures' style='border:2px solid #1a7f37;border-radius:6px;"
        "padding:0.6rem 1rem;margin:1rem 0;font:14px/1.4 sans-serif'>"
        "<h2 style='margin:0 0 0.4rem;font-size:1.1rem'>Signatures</h2>"
        "<table style='border-collapse:collapse;width:100%'><thead><tr><th align=left>Signed by</th>"
        "<th align=left>Meaning</th><th align=left>Statement</th><th align=left>When</th>"
        f"<th align=left>Run content hash</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )
    match = re.search(r"<main[^>]*>|<body[^>]*>", report_html)
    cut = match.end() if match else 0
    return report_html[:cut] + block + report_html[cut:]


def report_with_signatures(engine: Engine, run_id: str, report_html: str) -> str:
    return signed_report(report_html, list_signatures(engine, run_id))
