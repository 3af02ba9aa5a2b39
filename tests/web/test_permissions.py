"""Every route, for every role, checked server-side (a role x route matrix), SQLite and PostgreSQL.

Expected statuses follow the rights table in ``neuroprotect.web.permissions`` (issue 14): a
scorer is blinded (no allocation, no run with group names, no audit log); the allocation is for
admins and for a PI on the PI's own studies; anonymous requests get 401 (API) or the login page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount

from neuroprotect.web.worker import work_once
from tests.web.conftest import (
    BACKENDS,
    PASSWORD,
    Lab,
    fresh_database,
    make_lab,
    upload_parts,
    write_mini_study,
)

WHO = ("anonymous", "admin", "pi", "pi2", "analyst", "scorer")
EVERYONE = {"anonymous": 401, "admin": 200, "pi": 200, "pi2": 200, "analyst": 200, "scorer": 200}
NO_SCORER = {**EVERYONE, "scorer": 403}
ADMIN_PI = {**EVERYONE, "analyst": 403, "scorer": 403}
OWNER = {**ADMIN_PI, "pi2": 403}
PAGE = {**EVERYONE, "anonymous": 303}  # anonymous: redirected to /login


def _pdf(expected: dict[str, int]) -> dict[str, int]:
    """The PDF answers 503 when Chromium is missing; the role rules are the same."""
    return {k: (v if v != 200 else -200) for k, v in expected.items()}


# (method, path, expected status per role); {study}, {blind_study}, {run}, {blind_run}, {job}
MATRIX: list[tuple[str, str, dict[str, int]]] = [
    ("GET", "/api/session", EVERYONE),
    ("DELETE", "/api/session", {**EVERYONE, **{r: 204 for r in WHO[1:]}}),
    ("GET", "/api/studies", EVERYONE),
    ("POST", "/api/studies", {**EVERYONE, **{r: 201 for r in WHO[1:]}}),
    ("GET", "/api/studies/{study}", EVERYONE),
    ("GET", "/api/studies/{study}/allocation", OWNER),
    ("GET", "/api/studies/{blind_study}/allocation", OWNER),
    # admin (called first) unblinds; then the PI, and the page form, find it already unblinded
    ("POST", "/api/studies/{unblind_study}/unblind", {**OWNER, "admin": 200, "pi": 422}),
    (
        "POST",
        "/studies/{unblind_study}/unblind",
        {**OWNER, "anonymous": 303, "admin": 422, "pi": 422},
    ),
    ("POST", "/api/studies/{study}/runs", {**NO_SCORER, **{r: 202 for r in WHO[1:5]}}),
    ("GET", "/api/jobs/{job}", EVERYONE),
    ("GET", "/api/runs/{run}", NO_SCORER),
    ("GET", "/api/runs/{run}/report", NO_SCORER),
    ("GET", "/api/runs/{run}/results", NO_SCORER),
    ("GET", "/api/runs/{run}/report.pdf", _pdf(NO_SCORER)),
    ("GET", "/api/runs/{blind_run}", EVERYONE),
    ("GET", "/api/runs/{blind_run}/report", EVERYONE),
    ("GET", "/api/runs/{blind_run}/results", EVERYONE),
    ("GET", "/api/runs/{run}/signatures", NO_SCORER),
    ("POST", "/api/runs/{run}/signatures", {**OWNER, "admin": 201, "pi": 201}),
    ("GET", "/api/audit", ADMIN_PI),
    ("GET", "/studies", PAGE),
    ("GET", "/studies/new", PAGE),
    ("POST", "/studies/new", {**PAGE, **{r: 303 for r in WHO[1:]}}),
    ("GET", "/studies/{study}", PAGE),
    ("GET", "/studies/{study}/allocation", {**OWNER, "anonymous": 303}),
    ("POST", "/studies/{study}/run", {**PAGE, **{r: 303 for r in WHO[1:5]}, "scorer": 403}),
    ("GET", "/jobs/{job}", PAGE),
    ("GET", "/jobs/{job}/status", PAGE),
    ("GET", "/runs/{run}", {**NO_SCORER, "anonymous": 303}),
    ("GET", "/runs/{blind_run}", PAGE),
    ("GET", "/audit", {**ADMIN_PI, "anonymous": 303}),
    ("POST", "/runs/{run}/sign", {**OWNER, "anonymous": 303, "admin": 303, "pi": 303}),
    ("GET", "/studies/draft", PAGE),
    ("POST", "/studies/draft", {**PAGE, **{r: 303 for r in WHO[1:]}}),
    ("GET", "/randomise", {**NO_SCORER, "anonymous": 303}),
    ("POST", "/randomise", {**NO_SCORER, "anonymous": 303}),
    ("GET", "/knowledge", PAGE),
    ("GET", "/knowledge/{compound}", PAGE),
    ("GET", "/meta", PAGE),
    ("POST", "/meta", PAGE),
    ("POST", "/logout", {**PAGE, **{r: 303 for r in WHO[1:]}}),
]
#: Routes anyone may call (the login itself, health, docs, static files).
PUBLIC = {
    ("GET", "/api/health"),
    ("POST", "/api/session"),
    ("GET", "/"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", "/static"),
}


class World:
    def __init__(self, lab: Lab, ids: dict[str, Any], manifest: Path, key: Path) -> None:
        self.lab, self.ids, self.manifest, self.key = lab, ids, manifest, key
        self.clients: dict[str, TestClient] = {}

    def client(self, who: str, *, fresh: bool = False) -> TestClient:
        if fresh or who not in self.clients:
            client = self.lab.client(None if who == "anonymous" else who)
            if fresh:
                return client
            self.clients[who] = client
        return self.clients[who]


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    from argon2 import PasswordHasher

    from neuroprotect.web import security

    folder = tmp_path_factory.mktemp("world")
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # as cheap_argon2
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "_hasher", cheap)
        yield from _world(request.param, folder)


def _world(backend: str, folder: Path) -> Iterator[World]:
    for url in fresh_database(backend, folder):
        lab = make_lab(url, folder / "data")
        pi = lab.client("pi")
        manifest = write_mini_study(folder / "open")
        blind_manifest = write_mini_study(folder / "blind", blinded=True, study_id="blind")
        study = pi.post("/api/studies", files=upload_parts(manifest)).json()["id"]
        blind = pi.post("/api/studies", files=upload_parts(blind_manifest)).json()["id"]
        job = pi.post(f"/api/studies/{study}/runs").json()["job_id"]
        blind_job = pi.post(f"/api/studies/{blind}/runs").json()["job_id"]
        while work_once(lab.engine, lab.settings, "matrix"):
            pass
        run = pi.get(f"/api/jobs/{job}").json()["run_id"]
        blind_run = pi.get(f"/api/jobs/{blind_job}").json()["run_id"]
        assert run and blind_run
        ids = {
            "compound": "imm_h004",
            "study": study,
            "blind_study": blind,
            "run": run,
            "blind_run": blind_run,
            "job": job,
        }
        second = write_mini_study(folder / "blind2", blinded=True, study_id="blind2")
        ids["unblind_study"] = pi.post("/api/studies", files=upload_parts(second)).json()["id"]
        yield World(lab, ids, manifest, folder / "blind2.key")
        lab.engine.dispose()


def _call(world: World, who: str, method: str, path: str) -> int:
    fresh = path in ("/api/session", "/logout")  # these end the session
    client = world.client(who, fresh=fresh)
    url = path.format(**world.ids)
    if method == "GET":
        return client.get(url, follow_redirects=False).status_code
    if method == "DELETE":
        return client.delete(url).status_code
    files = upload_parts(world.manifest) if path.endswith(("/api/studies", "/new")) else None
    if path.endswith("/unblind"):  # the PI first (200/303), then the admin finds it unblinded
        key = [("key", ("k.key", world.key.read_bytes()))]  # the key of "blind2"
        data = {"passphrase": "pw", "csrf_token": client.headers.get("X-CSRF-Token", "")}
        return client.post(url, files=key, data=data, follow_redirects=False).status_code
    if path in ("/studies/draft", "/randomise", "/meta"):
        return _post_design(world, client, path)
    if path.endswith("/api/runs/{run}/signatures"):
        body = {"password": PASSWORD, "meaning": "reviewed"}
        return client.post(url, json=body).status_code
    data = (
        {"csrf_token": client.headers.get("X-CSRF-Token", "")}
        if not path.startswith("/api")
        else None
    )
    if path.endswith("/sign") and data is not None:
        data.update(password=PASSWORD, meaning="approved")
    return client.post(url, files=files, data=data, follow_redirects=False).status_code


def _post_design(world: World, client: TestClient, path: str) -> int:
    """The draft saved with its files, or a roster randomised to the mini study's groups."""
    data = {"csrf_token": client.headers.get("X-CSRF-Token", "")}
    folder = world.manifest.parent
    if path == "/meta":
        table = b"study,n_treat,mean_treat,sd_treat,n_ctrl,mean_ctrl,sd_ctrl\nA,8,20,5,8,40,6\nB,9,30,6,9,45,8\n"
        files = [("table", ("t.csv", table))]
    elif path == "/studies/draft":
        data["manifest_text"] = world.manifest.read_text()
        files = [("files", (n, (folder / n).read_bytes())) for n in ("animals.csv", "water.csv")]
    else:
        data["seed"] = "7"
        files = [
            ("manifest", ("study.yaml", world.manifest.read_bytes())),
            ("roster", ("animals.csv", (folder / "animals.csv").read_bytes())),
        ]
    return client.post(path, files=files, data=data, follow_redirects=False).status_code


@pytest.mark.parametrize(
    ("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX]
)
def test_route_per_role(world: World, method: str, path: str, expected: dict[str, int]) -> None:
    got = {who: _call(world, who, method, path) for who in WHO}
    want = {who: code for who, code in expected.items()}
    for who, code in want.items():
        if code == -200:  # PDF: allowed, printed when Chromium is installed
            assert got[who] in (200, 503), (who, got)
            want[who] = got[who]
    assert got == want


def app_routes(app: Any) -> Iterator[tuple[str, str]]:
    """``(method, path)`` of every route, including those of included routers and mounts."""
    for route in app.routes:
        if isinstance(route, Mount):
            yield "GET", route.path
            continue
        found = getattr(route, "effective_candidates", None)  # FastAPI >= 0.16x
        candidates = found() if callable(found) else found
        for item in candidates if candidates is not None else [route]:
            for method in set(item.methods or ()) - {"HEAD"}:
                yield method, item.path


def test_every_route_is_in_the_matrix(world: World) -> None:
    checked = {
        (
            m,
            p.replace("_study}", "study}")
            .replace("{blind_run}", "{run}")
            .replace("{blindstudy}", "{study}")
            .replace("{unblindstudy}", "{study}"),
        )
        for m, p, _ in MATRIX
    }
    routes = set(app_routes(world.lab.app))
    assert len(routes) > 30
    for method, path in routes:
        for old, new in (("{upload_id}", "{study}"), ("{run_id}", "{run}"), ("{job_id}", "{job}")):
            path = path.replace(old, new)
        assert (method, path) in checked | PUBLIC, (method, path)


def test_scorer_sees_no_run_with_group_names(world: World) -> None:
    scorer = world.client("scorer")
    detail = scorer.get(f"/api/studies/{world.ids['study']}").json()
    assert detail["runs"] == [] and all(j["run_id"] is None for j in detail["jobs"])
    assert scorer.get(f"/api/jobs/{world.ids['job']}").json()["run_id"] is None
    blind = scorer.get(f"/api/studies/{world.ids['blind_study']}").json()
    assert [r["run_id"] for r in blind["runs"]] == [world.ids["blind_run"]]
    results = scorer.get(f"/api/runs/{world.ids['blind_run']}/results").json()
    compared = {r["group"] for r in results["results"] if r["group"]}
    assert compared and not compared & {"sham", "vehicle", "low"}  # codes only


def test_allocation_is_audited_and_codes_stay_codes(world: World) -> None:
    admin = world.client("admin")
    alloc = admin.get(f"/api/studies/{world.ids['blind_study']}/allocation").json()
    assert alloc["blinded"] and not alloc["unblinded"]
    assert not {a["group"] for a in alloc["animals"]} & {"sham", "vehicle", "low"}
    assert all(a["group_name"] is None for a in alloc["animals"])  # the key stays sealed
    viewed = admin.get("/api/audit", params={"action": "allocation viewed"}).json()
    assert viewed and all(e["actor"] in {"admin@lab.org", "pi@lab.org"} for e in viewed)
