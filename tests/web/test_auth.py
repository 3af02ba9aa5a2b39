"""Logins, lockout, sessions, CSRF and cookies (analytic: the rules of issue 14, part 2)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from neuroprotect.store.accounts import MAX_FAILED_LOGINS, reset_password, set_active
from neuroprotect.store.app_models import UserRow
from neuroprotect.web.security import hash_password, verify_password
from tests.web.conftest import PASSWORD, Lab, make_lab, upload_parts, write_mini_study


def _login(client: TestClient, email: str, password: str) -> int:
    return client.post("/api/session", json={"email": email, "password": password}).status_code


def test_passwords_are_argon2id_and_never_stored_plain(lab: Lab) -> None:
    with Session(lab.engine) as session:
        stored = session.scalars(select(UserRow.password_hash)).all()
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in stored)
    assert verify_password(stored[0], PASSWORD) and not verify_password(stored[0], "wrong one!!")
    assert not verify_password(None, PASSWORD)


def test_wrong_password_and_unknown_user_get_the_same_401(lab: Lab) -> None:
    client = TestClient(lab.app)
    wrong = client.post("/api/session", json={"email": "pi@lab.org", "password": "nope nope nope"})
    unknown = client.post("/api/session", json={"email": "who@lab.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "np_session" not in client.cookies


def test_lockout_after_repeated_failures_and_reset_clears_it(lab: Lab) -> None:
    client = TestClient(lab.app)
    for _ in range(MAX_FAILED_LOGINS):
        assert _login(client, "analyst@lab.org", "wrong password") == 401
    assert _login(client, "analyst@lab.org", PASSWORD) == 401  # locked, right password or not
    actions = [e["action"] for e in lab.client("admin").get("/api/audit").json()]
    assert "account locked" in actions and "login refused" in actions
    reset_password(lab.engine, "analyst@lab.org", password_hash=hash_password(PASSWORD))
    assert _login(client, "analyst@lab.org", PASSWORD) == 200


def test_disabled_user_cannot_log_in_and_loses_open_sessions(lab: Lab) -> None:
    client = lab.client("scorer")
    assert client.get("/api/studies").status_code == 200
    set_active(lab.engine, "scorer@lab.org", active=False, actor="admin@lab.org")
    assert client.get("/api/studies").status_code == 401
    assert _login(TestClient(lab.app), "scorer@lab.org", PASSWORD) == 401


def test_session_cookie_is_httponly_samesite(lab: Lab) -> None:
    answer = TestClient(lab.app).post(
        "/api/session", json={"email": "pi@lab.org", "password": PASSWORD}
    )
    cookie = answer.headers["set-cookie"].lower()
    assert "np_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_unsafe_requests_need_the_csrf_token(lab: Lab, tmp_path: Path) -> None:
    client = lab.client("pi")
    token = client.headers.pop("X-CSRF-Token")
    manifest = write_mini_study(tmp_path / "s")
    assert client.post("/api/studies", files=upload_parts(manifest)).status_code == 403
    wrong = {"X-CSRF-Token": "not-the-token"}
    assert (
        client.post("/api/studies", files=upload_parts(manifest), headers=wrong).status_code == 403
    )
    ok = client.post("/api/studies", files=upload_parts(manifest), headers={"X-CSRF-Token": token})
    assert ok.status_code == 201
    # a page form without its csrf_token field is refused too
    assert client.post(f"/studies/{ok.json()['id']}/run", data={}).status_code == 403


def test_idle_session_times_out(tmp_path: Path) -> None:
    lab = make_lab(
        f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "data", session_idle=timedelta(0)
    )
    client = lab.client("admin")
    assert client.get("/api/session").status_code == 401
    lab.engine.dispose()


def test_logout_ends_the_session(lab: Lab) -> None:
    client = lab.client("analyst")
    assert client.delete("/api/session").status_code == 204
    client.cookies.clear()
    assert client.get("/api/studies").status_code == 401


def test_login_page_sets_the_session_and_follows_only_local_next(lab: Lab) -> None:
    client = TestClient(lab.app)
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"email": "pi@lab.org", "password": PASSWORD, "csrf_token": token}
    done = client.post("/login", data={**form, "next": "//evil.example/x"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/studies"
    assert client.get("/studies").status_code == 200
    stale = TestClient(lab.app).post("/login", data={**form, "csrf_token": "forged"})
    assert stale.status_code == 401 and "expired" in stale.text
