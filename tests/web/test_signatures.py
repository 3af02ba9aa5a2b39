"""Electronic signatures: password re-entered, meaning shown, bound to the run's content hash;
a signed run is locked in the database; the report shows its signatures.

Analytic: the stored hash equals ``run_content_hash`` of the run; statements that would change a
signed run or a signature fail (triggers of migration 0005) while an unsigned run's rows do not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from neuroprotect.store.audit_query import list_audit
from neuroprotect.store.signatures import run_content_hash
from neuroprotect.web.worker import work_once
from tests.web.conftest import PASSWORD, Lab, upload_parts, write_mini_study


def _run(lab: Lab, folder: Path, *, study_id: str = "mini", water_shift: float = 0.0) -> str:
    manifest = write_mini_study(folder, study_id=study_id)
    if water_shift:
        water = (folder / "water.csv").read_text().splitlines()
        head, first = water[0], water[1].split(",")
        first[1] = str(float(first[1]) + water_shift)
        (folder / "water.csv").write_text("\n".join([head, ",".join(first), *water[2:]]) + "\n")
    pi = lab.client("pi")
    upload = pi.post("/api/studies", files=upload_parts(manifest)).json()["id"]
    job = pi.post(f"/api/studies/{upload}/runs").json()["job_id"]
    work_once(lab.engine, lab.settings, "w")
    run_id = pi.get(f"/api/jobs/{job}").json()["run_id"]
    assert run_id
    return str(run_id)


def test_pi_signs_own_run_with_password_and_the_report_shows_it(lab: Lab, tmp_path: Path) -> None:
    run_id = _run(lab, tmp_path / "s")
    pi = lab.client("pi")
    wrong = pi.post(
        f"/api/runs/{run_id}/signatures", json={"password": "not it at all", "meaning": "approved"}
    )
    assert wrong.status_code == 403
    assert list_audit(lab.engine, action="signature refused")
    bad = pi.post(f"/api/runs/{run_id}/signatures", json={"password": PASSWORD, "meaning": "ok"})
    assert bad.status_code == 422
    signed = pi.post(
        f"/api/runs/{run_id}/signatures", json={"password": PASSWORD, "meaning": "approved"}
    )
    assert signed.status_code == 201, signed.text
    body = signed.json()
    assert body["content_sha256"] == run_content_hash(lab.engine, run_id) and body["valid"]
    assert body["signer"] == "pi@lab.org" and "approve" in body["statement"]
    again = pi.post(
        f"/api/runs/{run_id}/signatures", json={"password": PASSWORD, "meaning": "approved"}
    )
    assert again.status_code == 422
    assert (
        lab.client("pi2")
        .post(f"/api/runs/{run_id}/signatures", json={"password": PASSWORD, "meaning": "reviewed"})
        .status_code
        == 403
    )  # another PI's study
    report = lab.client("analyst").get(f"/api/runs/{run_id}/report").text
    assert (
        "Signatures" in report and "pi@lab.org" in report and body["content_sha256"][:16] in report
    )
    page = lab.client("analyst").get(f"/runs/{run_id}").text
    assert "pi@lab.org" in page and "Sign this run" not in page  # an analyst may not sign
    assert "Sign this run" in lab.client("pi").get(f"/runs/{run_id}").text
    entry = list_audit(lab.engine, action="run signed")[0]
    assert entry["actor"] == "pi@lab.org" and entry["details"]["meaning"] == "approved"


def test_signed_run_is_locked_and_signatures_cannot_change(lab: Lab, tmp_path: Path) -> None:
    signed = _run(lab, tmp_path / "a", study_id="a")
    unsigned = _run(lab, tmp_path / "b", study_id="b")
    answer = lab.client("admin").post(
        f"/api/runs/{signed}/signatures", json={"password": PASSWORD, "meaning": "reviewed"}
    )
    assert answer.status_code == 201
    assert run_content_hash(lab.engine, signed) != run_content_hash(lab.engine, unsigned)
    raw = create_engine(lab.settings.database_url)
    refused = [
        f"UPDATE runs SET status = 'edited' WHERE run_id = '{signed}'",
        f"DELETE FROM results WHERE run_id = '{signed}'",
        f"UPDATE measurements SET value = 0 WHERE run_id = '{signed}'",
        "UPDATE signatures SET meaning = 'approved'",
        "DELETE FROM signatures",
    ]
    for statement in refused:
        with pytest.raises(DBAPIError, match="locked|append-only"):
            with raw.begin() as conn:
                conn.execute(text(statement))
    with raw.begin() as conn:  # the lock is for signed runs only
        conn.execute(text(f"UPDATE measurements SET value = 0 WHERE run_id = '{unsigned}'"))
    raw.dispose()
    signatures = lab.client("admin").get(f"/api/runs/{signed}/signatures").json()
    assert [s["valid"] for s in signatures] == [True]


def test_a_changed_study_makes_a_new_unsigned_run(lab: Lab, tmp_path: Path) -> None:
    first = _run(lab, tmp_path / "one")
    lab.client("pi").post(
        f"/api/runs/{first}/signatures", json={"password": PASSWORD, "meaning": "approved"}
    )
    same = _run(lab, tmp_path / "same")
    assert same == first  # identical inputs: the signed run is reused, not touched
    changed = _run(lab, tmp_path / "two", water_shift=5.0)
    assert changed != first
    assert lab.client("pi").get(f"/api/runs/{changed}/signatures").json() == []
