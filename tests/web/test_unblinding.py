"""Unblinding in the browser and through the API, as ``neuroprotect unblind`` (the reference).

Analytic: before, runs are on codes and the allocation has no group names; after the PI opens the
key, the allocation maps every code to its group, a new run has group names (and so is hidden
from a scorer), and the audit log names the PI. Wrong passphrases and other roles are refused.
"""

from __future__ import annotations

from pathlib import Path

from neuroprotect.store.audit_query import list_audit
from neuroprotect.web.worker import work_once
from tests.web.conftest import Lab, upload_parts, write_mini_study


def _key(folder: Path, name: str) -> list[tuple[str, tuple[str, bytes]]]:
    return [("key", ("allocation.key", (folder.parent / f"{name}.key").read_bytes()))]


def test_pi_unblinds_own_study_and_later_runs_use_group_names(lab: Lab, tmp_path: Path) -> None:
    manifest = write_mini_study(tmp_path / "blind", blinded=True, study_id="blind")
    pi = lab.client("pi")
    upload = pi.post("/api/studies", files=upload_parts(manifest)).json()["id"]
    url = f"/api/studies/{upload}/unblind"
    for role in ("analyst", "scorer", "pi2"):
        denied = lab.client(role).post(
            url, files=_key(manifest.parent, "blind"), data={"passphrase": "pw"}
        )
        assert denied.status_code == 403, role
    wrong = pi.post(url, files=_key(manifest.parent, "blind"), data={"passphrase": "nope"})
    assert wrong.status_code == 422
    assert list_audit(lab.engine, action="unblind refused")[0]["actor"] == "pi@lab.org"
    done = pi.post(url, files=_key(manifest.parent, "blind"), data={"passphrase": "pw"})
    assert done.status_code == 200, done.text
    codes = done.json()["group_codes"]
    assert sorted(set(codes.values())) == ["low", "sham", "vehicle"]
    assert (
        pi.post(url, files=_key(manifest.parent, "blind"), data={"passphrase": "pw"}).status_code
        == 422
    )
    alloc = pi.get(f"/api/studies/{upload}/allocation").json()
    assert alloc["unblinded"] and all(
        a["group_name"] == codes[a["group"]] for a in alloc["animals"]
    )
    assert list_audit(lab.engine, action="study unblinded")[0]["actor"] == "pi@lab.org"

    job = pi.post(f"/api/studies/{upload}/runs").json()["job_id"]
    work_once(lab.engine, lab.settings, "w")
    run_id = pi.get(f"/api/jobs/{job}").json()["run_id"]
    provenance = pi.get(f"/api/runs/{run_id}").json()
    assert provenance["blinded"] is False
    groups = {
        r["group"] for r in pi.get(f"/api/runs/{run_id}/results").json()["results"] if r["group"]
    }
    assert groups <= {"sham", "vehicle", "low"} and groups
    assert lab.client("scorer").get(f"/api/runs/{run_id}").status_code == 403


def test_unblind_form_on_the_study_page(lab: Lab, tmp_path: Path) -> None:
    manifest = write_mini_study(tmp_path / "blind", blinded=True, study_id="blind")
    pi = lab.client("pi")
    upload = pi.post("/api/studies", files=upload_parts(manifest)).json()["id"]
    page = pi.get(f"/studies/{upload}").text
    assert "Unblind this study" in page
    assert "Unblind this study" not in lab.client("analyst").get(f"/studies/{upload}").text
    form = {"csrf_token": pi.headers["X-CSRF-Token"], "passphrase": "pw"}
    answer = pi.post(f"/studies/{upload}/unblind", files=_key(manifest.parent, "blind"), data=form,
                     follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    after = pi.get(answer.headers["location"]).text
    assert "Unblinded" in after and "Unblind this study" not in after
